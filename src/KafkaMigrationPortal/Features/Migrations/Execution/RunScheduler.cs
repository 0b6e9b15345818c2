using Hangfire;
using Hangfire.Common;
using Hangfire.States;
using KafkaMigrationPortal.Features.Storage;
using Microsoft.EntityFrameworkCore;

namespace KafkaMigrationPortal.Features.Migrations.Execution;

/// <summary>What the engine does after a job: advance again now, at a time, or not until a person acts.</summary>
public abstract record Continuation
{
    public static readonly Continuation None = new NoJob();
    public static readonly Continuation Now = new Immediately();

    public sealed record NoJob : Continuation;

    public sealed record Immediately : Continuation;

    public sealed record At(DateTimeOffset When) : Continuation;
}

/// <summary>Queues the next <see cref="AdvanceRunJob"/> of a run and remembers its id on the run, for the reconciler.</summary>
public interface IRunScheduler
{
    Task ContinueAsync(Guid runId, Continuation continuation, CancellationToken ct = default);

    /// <summary>Whether the job last queued for the run is still going to run (enqueued, scheduled or processing).</summary>
    bool IsPending(string? jobId);

    /// <summary>
    /// As <see cref="IsPending(string?)"/>, except that a job processing since before <paramref name="staleProcessingBefore"/>
    /// does not count: a live job holds its run's lease while it works, so one processing that long without it died
    /// with its process (Hangfire would hand it out again only after the storage's invisibility timeout).
    /// </summary>
    bool IsPending(string? jobId, DateTimeOffset staleProcessingBefore) => IsPending(jobId);
}

public sealed class HangfireRunScheduler(IBackgroundJobClient jobs, JobStorage storage, IDbContextFactory<PortalDbContext> contexts) : IRunScheduler
{
    private static readonly HashSet<string> PendingStates = new(StringComparer.OrdinalIgnoreCase)
    {
        EnqueuedState.StateName, ScheduledState.StateName, ProcessingState.StateName, AwaitingState.StateName,
    };

    public async Task ContinueAsync(Guid runId, Continuation continuation, CancellationToken ct = default)
    {
        var jobId = continuation switch
        {
            Continuation.Immediately => jobs.Enqueue<AdvanceRunJob>(j => j.ExecuteAsync(runId, CancellationToken.None)),
            Continuation.At at => jobs.Schedule<AdvanceRunJob>(j => j.ExecuteAsync(runId, CancellationToken.None), at.When),
            _ => null,
        };
        if (jobId is null) return;
        await using var db = await contexts.CreateDbContextAsync(ct);
        await db.MigrationRuns.Where(r => r.Id == runId).ExecuteUpdateAsync(s => s.SetProperty(r => r.PendingJobId, jobId), ct);
    }

    public bool IsPending(string? jobId) => IsPending(jobId, DateTimeOffset.MinValue);

    public bool IsPending(string? jobId, DateTimeOffset staleProcessingBefore)
    {
        if (jobId is null) return false;
        using var connection = storage.GetConnection();
        var state = connection.GetStateData(jobId);
        if (state?.Name is not { } name || !PendingStates.Contains(name)) return false;
        if (!string.Equals(name, ProcessingState.StateName, StringComparison.OrdinalIgnoreCase)) return true;
        var startedAt = state.Data?.TryGetValue("StartedAt", out var text) == true ? JobHelper.DeserializeNullableDateTime(text) : null;
        return startedAt is not { } started || new DateTimeOffset(DateTime.SpecifyKind(started, DateTimeKind.Utc)) >= staleProcessingBefore;
    }
}
