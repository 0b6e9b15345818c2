using Hangfire;
using KafkaMigrationPortal.Engine.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace KafkaMigrationPortal.Engine.Execution;

/// <summary>
/// Finds runs that should be moving but have no job that will move them (a process died between releasing a run and
/// queuing its next job, a job was lost) and queues one. Runs every minute and at start-up.
/// </summary>
public sealed class RunReconciler(IDbContextFactory<PortalDbContext> contexts, IRunScheduler scheduler, RunEventLog events, TimeProvider time,
    IOptions<ExecutionOptions> options, ILogger<RunReconciler> logger)
{
    public const string RecurringJobId = "migration-run-reconciler";

    [DisableConcurrentExecution(timeoutInSeconds: 60)]
    public async Task<int> ReconcileAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var candidates = await db.MigrationRuns.AsNoTracking()
            .Where(r => r.Status == MigrationRunStatus.Planned || r.Status == MigrationRunStatus.Running || r.Status == MigrationRunStatus.Waiting)
            .Where(r => r.LeaseOwner == null || r.LeaseExpiresAt == null || r.LeaseExpiresAt < now)
            .Select(r => new { r.Id, r.PendingJobId, r.CurrentStep, r.LeaseOwner, r.UpdatedAt })
            .ToListAsync(cancellationToken);
        var requeued = 0;
        foreach (var run in candidates)
        {
            // An expired claim that still names its holder means the holder died inside a step; its job may still
            // look "processing" in Hangfire (until the storage's invisibility timeout), so it does not count as pending.
            var holderDied = run.LeaseOwner is not null;
            // Saved a moment ago with no job recorded yet: whoever saved it (a start, a command) is queuing the job now.
            // Had it died in between, the run is rescued once this has lasted as long as a lost job may.
            if (!holderDied && run.PendingJobId is null && run.UpdatedAt > now - options.Value.PendingJobTimeout) continue;
            var job = holderDied ? null : scheduler.Find(run.PendingJobId);
            if (!holderDied && IsAlive(job, now)) continue;
            if (holderDied)
            {
                // Forget the dead holder (only if nobody took the run meanwhile), so the job queued below is what counts next time.
                await db.MigrationRuns.Where(r => r.Id == run.Id && r.LeaseOwner == run.LeaseOwner && r.LeaseExpiresAt < now)
                    .ExecuteUpdateAsync(s => s.SetProperty(r => r.LeaseOwner, (string?)null).SetProperty(r => r.LeaseExpiresAt, (DateTimeOffset?)null), cancellationToken);
            }

            var waitUntil = await db.RunSteps.Where(s => s.RunId == run.Id && s.Sequence == run.CurrentStep && s.Status == RunStepStatus.Waiting)
                .Select(s => s.WaitUntil).FirstOrDefaultAsync(cancellationToken);
            Continuation next = waitUntil is { } until && until > now ? new Continuation.At(until) : Continuation.Now;
            await scheduler.ContinueAsync(run.Id, next, cancellationToken);
            await events.AppendAsync(run.Id, RunEvent.EngineActor, RunEventKinds.Reconciled,
                holderDied ? "The process executing the run's step stopped without releasing it: the reconciler queued a job to re-run the step."
                : job is null ? "The run had no pending job: the reconciler queued one."
                : $"The run's job was {job.State.ToString().ToLowerInvariant()} since {job.Since:O} without moving it (its process died, or a lock a dead process left stopped it): the reconciler queued another.",
                run.CurrentStep, ct: cancellationToken);
            logger.LogInformation("Re-queued run {RunId}, which had no job that would move it", run.Id);
            requeued++;
        }

        return requeued;
    }

    /// <summary>
    /// Whether the run's pending job will still move it: not when it is overdue (scheduled but never queued, or queued
    /// but never started, for <see cref="ExecutionOptions.PendingJobTimeout"/>), nor when it has been processing
    /// longer than a lease without holding the run's lease (a live job holds it while it works).
    /// </summary>
    private bool IsAlive(PendingJob? job, DateTimeOffset now) => job switch
    {
        null => false,
        { State: PendingJobState.Processing } => job.Since >= now - options.Value.LeaseDuration,
        _ => job.Since >= now - options.Value.PendingJobTimeout,
    };
}

/// <summary>
/// Runs the reconciler once when the process starts and registers it as a recurring job. A process that was killed
/// while holding Hangfire's lock on the recurring job leaves that lock behind until the storage's lock timeout: the
/// registration is tried again until it succeeds, rather than failing the start of the host.
/// </summary>
internal sealed class ExecutionStartup(
    IRecurringJobManager recurring, IBackgroundJobClient jobs, IOptions<ExecutionOptions> options, TimeProvider time, ILogger<ExecutionStartup> logger)
    : BackgroundService
{
    public static readonly TimeSpan RegistrationRetryDelay = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        jobs.Enqueue<RunReconciler>(r => r.ReconcileAsync(CancellationToken.None));
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                recurring.AddOrUpdate<RunReconciler>(RunReconciler.RecurringJobId, r => r.ReconcileAsync(CancellationToken.None), options.Value.ReconcilerCron);
                return;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning("Registering the recurring reconciler failed (attempt {Attempt}, {Error}); trying again in {Delay}",
                    attempt, e.GetType().Name, RegistrationRetryDelay);
                await Task.Delay(RegistrationRetryDelay, time, stoppingToken);
            }
        }
    }
}
