using Hangfire;
using Hangfire.Common;
using Hangfire.States;
using KafkaMigrationPortal.Engine.Storage;
using Microsoft.EntityFrameworkCore;

namespace KafkaMigrationPortal.Engine.Execution;

/// <summary>What the engine does after a job: advance again now, at a time, or not until a person acts.</summary>
public abstract record Continuation
{
    public static readonly Continuation None = new NoJob();
    public static readonly Continuation Now = new Immediately();

    public sealed record NoJob : Continuation;

    public sealed record Immediately : Continuation;

    public sealed record At(DateTimeOffset When) : Continuation;
}

/// <summary>Where the job last queued for a run stands, as far as it is still going to run.</summary>
/// <param name="Since">Scheduled: when it is due; enqueued: when it was queued; processing: when it started.</param>
public sealed record PendingJob(PendingJobState State, DateTimeOffset Since);

public enum PendingJobState
{
    Scheduled,
    Enqueued,
    Processing,
}

/// <summary>Queues the next <see cref="AdvanceRunJob"/> of a run and remembers its id on the run, for the reconciler.</summary>
public interface IRunScheduler
{
    Task ContinueAsync(Guid runId, Continuation continuation, CancellationToken ct = default);

    /// <summary>The job's state while it is still to run or running; null once it finished, failed or is unknown.</summary>
    PendingJob? Find(string? jobId);
}

public sealed class HangfireRunScheduler(IBackgroundJobClient jobs, JobStorage storage, IDbContextFactory<PortalDbContext> contexts) : IRunScheduler
{
    public async Task ContinueAsync(Guid runId, Continuation continuation, CancellationToken ct = default)
    {
        var jobId = continuation switch
        {
            Continuation.Immediately => jobs.Enqueue<AdvanceRunJob>(j => j.ExecuteAsync(runId, CancellationToken.None)),
            Continuation.At at => jobs.Schedule<AdvanceRunJob>(j => j.ExecuteAsync(runId, CancellationToken.None), WholeSecondAtOrAfter(at.When)),
            _ => null,
        };
        if (jobId is null) return;
        await using var db = await contexts.CreateDbContextAsync(ct);
        await db.MigrationRuns.Where(r => r.Id == runId).ExecuteUpdateAsync(s => s.SetProperty(r => r.PendingJobId, jobId), ct);
    }

    /// <summary>
    /// Hangfire files a scheduled job under its time in whole seconds (truncated), so a job for 12:00:00.700 would be
    /// queued at 12:00:00, before what it waits for; rounding up makes it come at or after its time.
    /// </summary>
    public static DateTimeOffset WholeSecondAtOrAfter(DateTimeOffset when)
    {
        var remainder = when.UtcTicks % TimeSpan.TicksPerSecond;
        return remainder == 0 ? when : when.AddTicks(TimeSpan.TicksPerSecond - remainder);
    }

    public PendingJob? Find(string? jobId)
    {
        if (jobId is null) return null;
        using var connection = storage.GetConnection();
        var state = connection.GetStateData(jobId);
        var name = state?.Name;
        (PendingJobState State, string SinceKey)? pending =
            name == ScheduledState.StateName ? (PendingJobState.Scheduled, "EnqueueAt")
            : name == EnqueuedState.StateName ? (PendingJobState.Enqueued, "EnqueuedAt")
            : name == ProcessingState.StateName ? (PendingJobState.Processing, "StartedAt")
            : null;
        if (pending is not { } found) return null;
        var since = state!.Data?.TryGetValue(found.SinceKey, out var text) == true ? JobHelper.DeserializeNullableDateTime(text) : null;
        // Hangfire always writes these times; without one the job counts as pending and never as overdue.
        return new PendingJob(found.State, since is { } at ? new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc)) : DateTimeOffset.MaxValue);
    }
}
