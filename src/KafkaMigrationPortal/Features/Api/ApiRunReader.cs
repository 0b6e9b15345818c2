using KafkaMigrationPortal.Engine;
using KafkaMigrationPortal.Engine.Execution;
using KafkaMigrationPortal.Engine.Planning;
using KafkaMigrationPortal.Engine.Storage;
using Microsoft.EntityFrameworkCore;

namespace KafkaMigrationPortal.Features.Api;

/// <summary>A run's version as its ETag is made of: changed by every save of the run and every event appended to it.</summary>
public sealed record RunVersion(Guid RunId, Guid Version, int LastEventId, MigrationRunStatus Status)
{
    public string ETag => $"\"{MigrationRequestBody.Hash($"{RunId}:{Version}:{LastEventId}")[..20]}\"";

    /// <summary>The version of one page of events: what is after <paramref name="after"/> changes only with the run.</summary>
    public string PageETag(int after, int limit) => $"\"{MigrationRequestBody.Hash($"{ETag}:{after}:{limit}")[..20]}\"";

    public bool Finished => !MigrationRunStatuses.Active.Contains(Status);
}

/// <summary>
/// The API's reads beyond what the run page reads through <c>IRunConsole</c>: pages of runs, events after a cursor, and
/// a run's version without loading it (so a poller that has it already costs two small queries).
/// </summary>
public sealed class ApiRunReader(IDbContextFactory<PortalDbContext> contexts, ILogger<ApiRunReader> logger)
{
    public const int MaxPageSize = 100;
    public const int MaxEvents = 500;

    public async Task<QueryResult<RunVersion?>> VersionAsync(Guid runId, CancellationToken ct = default) =>
        await ReadingAsync("the run's version", async db =>
        {
            var run = await db.MigrationRuns.AsNoTracking().Where(r => r.Id == runId).Select(r => new { r.Version, r.Status }).SingleOrDefaultAsync(ct);
            if (run is null) return null;
            var last = await db.RunEvents.Where(e => e.RunId == runId).MaxAsync(e => (int?)e.Sequence, ct) ?? 0;
            return new RunVersion(runId, run.Version, last, run.Status);
        });

    /// <summary>Runs newest first, optionally of one app and in one status; pages count from 1.</summary>
    public async Task<QueryResult<(IReadOnlyList<(MigrationRun Run, string Fingerprint)> Runs, int Total)>> PageAsync(
        int page, int pageSize, string? app, MigrationRunStatus? status, CancellationToken ct = default) =>
        await ReadingAsync("the runs", async db =>
        {
            var query = db.MigrationRuns.AsNoTracking();
            if (!string.IsNullOrWhiteSpace(app)) query = query.Where(r => r.App == app);
            if (status is { } wanted) query = query.Where(r => r.Status == wanted);
            var total = await query.CountAsync(ct);
            var runs = await query.OrderByDescending(r => r.CreatedAt).ThenBy(r => r.Id).Skip((page - 1) * pageSize).Take(pageSize).ToListAsync(ct);
            return ((IReadOnlyList<(MigrationRun, string)>)runs.Select(r => (r, $"{r.Id}:{r.Version}")).ToList(), total);
        });

    /// <summary>Up to <paramref name="limit"/> events of the run after event <paramref name="after"/>, oldest first; null when there is no such run.</summary>
    public async Task<QueryResult<(IReadOnlyList<RunEvent> Events, RunVersion Version)?>> EventsAfterAsync(Guid runId, int after, int limit, CancellationToken ct = default) =>
        await ReadingAsync("the run's events", async db =>
        {
            var run = await db.MigrationRuns.AsNoTracking().Where(r => r.Id == runId).Select(r => new { r.Version, r.Status }).SingleOrDefaultAsync(ct);
            if (run is null) return ((IReadOnlyList<RunEvent>, RunVersion)?)null;
            var events = await db.RunEvents.AsNoTracking().Where(e => e.RunId == runId && e.Sequence > after).OrderBy(e => e.Sequence).Take(limit).ToListAsync(ct);
            var last = await db.RunEvents.Where(e => e.RunId == runId).MaxAsync(e => (int?)e.Sequence, ct) ?? 0;
            return (events, new RunVersion(runId, run.Version, last, run.Status));
        });

    private async Task<QueryResult<T>> ReadingAsync<T>(string what, Func<PortalDbContext, Task<T>> read)
    {
        try
        {
            await using var db = await contexts.CreateDbContextAsync();
            return QueryResult<T>.Ok(await read(db));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Reading {What} for the API failed", what);
            return QueryResult<T>.Failed($"Reading {what} failed: the portal's database did not answer. Try again in a moment.", Refusals.Unavailable);
        }
    }
}
