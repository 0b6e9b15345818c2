using System.Security.Claims;
using KafkaMigrationPortal.Features.Audit;
using KafkaMigrationPortal.Engine.Audit;
using KafkaMigrationPortal.Features.Migrations;
using KafkaMigrationPortal.Engine.Storage;
using Microsoft.EntityFrameworkCore;
using KafkaMigrationPortal.Engine;
using KafkaMigrationPortal.Engine.Planning;
using KafkaMigrationPortal.Engine.Execution;

namespace KafkaMigrationPortal.Features.History;

public sealed record AuditEntryView(long Id, long Sequence, DateTimeOffset At, string Actor, string Action, string? App, Guid? RunId, string Summary);

public sealed record RunHistoryRow(Guid Id, string App, string SourceAddon, string TargetPlan, MigrationStrategy Strategy, MigrationRunStatus Status,
    string StartedBy, DateTimeOffset CreatedAt, DateTimeOffset? FinishedAt);

/// <summary>Which runs to list; every part optional. <paramref name="To"/> is exclusive.</summary>
public sealed record RunHistoryFilter(string? App = null, string? StartedBy = null, MigrationRunStatus? Status = null, DateTimeOffset? From = null, DateTimeOffset? To = null);

/// <summary>One page of a longer list, and how long the whole list is.</summary>
public sealed record ResultPage<T>(IReadOnlyList<T> Items, int TotalCount);

/// <summary>
/// What the History page asks the database: pages of audit entries and runs, newest first, filtered and counted on the
/// server (the audit log grows without bound; the browser only ever sees one page).
/// </summary>
public sealed class AuditQueries(IDbContextFactory<PortalDbContext> contexts, AuditLog log, AuditReaders readers, ILogger<AuditQueries> logger)
{
    public const int MaxPageSize = 200;

    private const string DatabaseDidNotAnswer = "the portal's database did not answer. Try again in a moment.";

    public async Task<QueryResult<ResultPage<AuditEntryView>>> PageAsync(AuditFilter filter, int page, int pageSize, CancellationToken cancellationToken = default)
    {
        (page, pageSize) = Bounded(page, pageSize);
        try
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            var matching = filter.ApplyTo(db.AuditEntries.AsNoTracking());
            var total = await matching.CountAsync(cancellationToken);
            var items = await matching
                .OrderByDescending(e => e.At).ThenByDescending(e => e.Sequence)
                .Skip(page * pageSize).Take(pageSize)
                .Select(e => new AuditEntryView(e.Id, e.Sequence, e.At, e.Actor, e.Action, e.App, e.RunId, e.Summary))
                .ToListAsync(cancellationToken);
            return QueryResult<ResultPage<AuditEntryView>>.Ok(new(items, total));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Listing audit entries failed");
            return QueryResult<ResultPage<AuditEntryView>>.Failed("The audit log could not be loaded: " + DatabaseDidNotAnswer);
        }
    }

    public async Task<QueryResult<ResultPage<RunHistoryRow>>> RunsAsync(RunHistoryFilter filter, int page, int pageSize, CancellationToken cancellationToken = default)
    {
        (page, pageSize) = Bounded(page, pageSize);
        try
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            var runs = db.MigrationRuns.AsNoTracking();
            if (!string.IsNullOrWhiteSpace(filter.App)) runs = runs.Where(r => r.App == filter.App.Trim());
            if (!string.IsNullOrWhiteSpace(filter.StartedBy)) runs = runs.Where(r => r.StartedBy == filter.StartedBy.Trim());
            if (filter.Status is { } status) runs = runs.Where(r => r.Status == status);
            if (filter.From is { } from) runs = runs.Where(r => r.CreatedAt >= from);
            if (filter.To is { } to) runs = runs.Where(r => r.CreatedAt < to);

            var total = await runs.CountAsync(cancellationToken);
            var items = await runs
                .OrderByDescending(r => r.CreatedAt).ThenBy(r => r.Id)
                .Skip(page * pageSize).Take(pageSize)
                .Select(r => new RunHistoryRow(r.Id, r.App, r.SourceAddon, r.TargetPlan, r.Strategy, r.Status, r.StartedBy, r.CreatedAt, r.FinishedAt))
                .ToListAsync(cancellationToken);
            return QueryResult<ResultPage<RunHistoryRow>>.Ok(new(items, total));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Listing migration runs failed");
            return QueryResult<ResultPage<RunHistoryRow>>.Failed("The runs could not be loaded: " + DatabaseDidNotAnswer);
        }
    }

    /// <summary>Recomputes the audit chain (<see cref="AuditLog.VerifyAsync"/>) for an approver or admin (<see cref="AuditReaders"/>).</summary>
    public async Task<QueryResult<AuditVerification>> VerifyChainAsync(ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        try
        {
            if (await readers.RefusalAsync(user, cancellationToken) is { } refusal) return QueryResult<AuditVerification>.Failed(refusal.Message);
            return QueryResult<AuditVerification>.Ok(await log.VerifyAsync(cancellationToken));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Verifying the audit chain failed");
            return QueryResult<AuditVerification>.Failed("The audit chain could not be verified: " + DatabaseDidNotAnswer);
        }
    }

    private static (int Page, int PageSize) Bounded(int page, int pageSize) => (Math.Max(0, page), Math.Clamp(pageSize, 1, MaxPageSize));
}
