using Hangfire;
using KafkaMigrationPortal.Features.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace KafkaMigrationPortal.Features.Migrations.Execution;

/// <summary>
/// Finds runs that should be moving but have no job that will move them (a process died between releasing a run and
/// queuing its next job, a job was lost) and queues one. Runs every minute and at start-up.
/// </summary>
public sealed class RunReconciler(IDbContextFactory<PortalDbContext> contexts, IRunScheduler scheduler, RunEventLog events, TimeProvider time, ILogger<RunReconciler> logger)
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
            .Select(r => new { r.Id, r.PendingJobId, r.CurrentStep })
            .ToListAsync(cancellationToken);
        var requeued = 0;
        foreach (var run in candidates)
        {
            if (scheduler.IsPending(run.PendingJobId)) continue;
            var waitUntil = await db.RunSteps.Where(s => s.RunId == run.Id && s.Sequence == run.CurrentStep && s.Status == RunStepStatus.Waiting)
                .Select(s => s.WaitUntil).FirstOrDefaultAsync(cancellationToken);
            Continuation next = waitUntil is { } until && until > now ? new Continuation.At(until) : Continuation.Now;
            await scheduler.ContinueAsync(run.Id, next, cancellationToken);
            await events.AppendAsync(run.Id, RunEvent.EngineActor, RunEventKinds.Reconciled,
                "The run had no pending job: the reconciler queued one.", run.CurrentStep, ct: cancellationToken);
            logger.LogInformation("Re-queued run {RunId}, which had no pending job", run.Id);
            requeued++;
        }

        return requeued;
    }
}

/// <summary>Registers the recurring reconciler and runs it once when the process starts.</summary>
internal sealed class ExecutionStartup(IRecurringJobManager recurring, IBackgroundJobClient jobs, IOptions<ExecutionOptions> options) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        recurring.AddOrUpdate<RunReconciler>(RunReconciler.RecurringJobId, r => r.ReconcileAsync(CancellationToken.None), options.Value.ReconcilerCron);
        jobs.Enqueue<RunReconciler>(r => r.ReconcileAsync(CancellationToken.None));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
