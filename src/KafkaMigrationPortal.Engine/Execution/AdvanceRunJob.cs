using Hangfire;
using KafkaMigrationPortal.Engine.KafkaChecks;
using KafkaMigrationPortal.Engine.Storage;
using KafkaMigrationPortal.Heroku;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace KafkaMigrationPortal.Engine.Execution;

/// <summary>
/// The one job of the engine: claim the run, execute its current step once, record the outcome, release the run and
/// queue what comes next. Waits are scheduled jobs, never sleeps; a job that finds the run claimed elsewhere does
/// nothing (the holder queues the continuation after it releases the run).
/// </summary>
public sealed class AdvanceRunJob(
    IDbContextFactory<PortalDbContext> contexts,
    RunLease lease,
    RunEventLog events,
    StepExecutors executors,
    StepContextFactory stepContexts,
    RunWriter writer,
    IRunScheduler scheduler,
    IGateNotifier gates,
    TimeProvider time,
    IOptions<ExecutionOptions> options,
    ILogger<AdvanceRunJob> logger)
{
    private static readonly TimeSpan EarlyTolerance = TimeSpan.FromMilliseconds(500);

    [AutomaticRetry(Attempts = 5)]
    public async Task ExecuteAsync(Guid runId, CancellationToken cancellationToken)
    {
        var owner = RunLease.NewOwner(RunLease.JobPurpose);
        if (!await lease.TryAcquireAsync(runId, owner, cancellationToken))
        {
            await LookAgainLaterAsync(runId, cancellationToken);
            return;
        }

        Continuation next;
        try
        {
            next = await lease.HoldAsync(runId, owner, token => AdvanceAsync(runId, token), cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The process is stopping (SIGTERM) and the step did not finish in the job server's grace: it stays Running,
            // the lease is already handed back, and a job queued now lets a live process re-run it (reconciling) at once.
            logger.LogInformation("Run {RunId}: the process is stopping; its step is handed to another process", runId);
            await scheduler.ContinueAsync(runId, Continuation.Now, CancellationToken.None);
            return;
        }

        // Not cancellable: a continuation lost to a stopping process would leave the run waiting for the reconciler.
        await scheduler.ContinueAsync(runId, next, CancellationToken.None);
    }

    /// <summary>
    /// The run is held. A job holding it queues the run's next job itself, so this one matters only if that holder
    /// died: look again just after its claim would run out. A command (an approval, a resume) holds it for moments
    /// and may queue nothing (a refused command): look again shortly. Extra looks find nothing due and end.
    /// </summary>
    private async Task LookAgainLaterAsync(Guid runId, CancellationToken cancellationToken)
    {
        var holder = await lease.HolderAsync(runId, cancellationToken);
        var at = holder is { IsJob: true } job ? job.ExpiresAt + TimeSpan.FromSeconds(1) : time.GetUtcNow() + options.Value.CheckRetryInterval;
        logger.LogDebug("Run {RunId} is held by {Holder}; looking again at {At:O}", runId, holder?.Owner, at);
        await scheduler.ContinueAsync(runId, new Continuation.At(at), cancellationToken);
    }

    /// <summary>Executes the current step of a run whose lease the caller holds; returns what should happen next.</summary>
    internal async Task<Continuation> AdvanceAsync(Guid runId, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var run = await db.MigrationRuns.Include(r => r.Steps).FirstOrDefaultAsync(r => r.Id == runId, ct);
        if (run is null || run.Status is not (MigrationRunStatus.Planned or MigrationRunStatus.Running or MigrationRunStatus.Waiting))
        {
            return Continuation.None;
        }

        var now = time.GetUtcNow();
        var step = run.Steps.FirstOrDefault(s => s.Sequence == run.CurrentStep);
        if (step is null)
        {
            await FinishAsync(db, run, ct);
            return Continuation.None;
        }

        switch (step.Status)
        {
            case RunStepStatus.Done or RunStepStatus.Skipped or RunStepStatus.RolledBack:
                if (step.Status == RunStepStatus.Done
                    && !await db.RunEvents.AnyAsync(e => e.RunId == run.Id && e.StepSequence == step.Sequence && e.Kind == RunEventKinds.StepDone, ct))
                {
                    // The process stopped between recording the step as done and logging it: complete the trail now.
                    await events.AppendAsync(run.Id, RunEvent.EngineActor, RunEventKinds.StepDone,
                        $"Done: “{step.Title}”. {step.Outcome} (logged after the process that did it stopped)", step.Sequence, ct: ct);
                }

                return await MoveOnAsync(db, run, ct);
            case RunStepStatus.AwaitingApproval or RunStepStatus.NeedsHumanConfirmation or RunStepStatus.Failed:
                return Continuation.None;
            case RunStepStatus.Waiting when step is { WaitUntil: { } until } && until > now + EarlyTolerance:
                // Early: a wake-up that came before its time, or a duplicate (the reconciler's, a retry, a look again).
                // Unless another wake-up of the run is still to come by then, this one must bring the run back then.
                return AnotherWakeUpComes(run.PendingJobId, until) ? Continuation.None : new Continuation.At(until);
        }

        if (step.RequiresApproval && !await ApprovalGate.IsOpenAsync(db, run, step, now, ct))
        {
            step.Status = RunStepStatus.AwaitingApproval;
            run.Status = MigrationRunStatus.AwaitingApproval;
            await writer.SaveAsync(db, run, ct);
            await events.AppendAsync(run.Id, RunEvent.EngineActor, RunEventKinds.StepAwaitingApproval,
                $"“{step.Title}” waits for {run.RequiredApprovals} approval(s).", step.Sequence, ct: ct);
            await TellApproversAsync(new GateOpened(run.Id, step.Sequence), ct);
            return Continuation.None;
        }

        // Also when the process that first started it stopped before logging that it had.
        var firstAttempt = step.Status == RunStepStatus.Pending
            || !await db.RunEvents.AnyAsync(e => e.RunId == run.Id && e.StepSequence == step.Sequence && e.Kind == RunEventKinds.StepStarted, ct);
        var previousReason = step.WaitReason;
        step.Status = RunStepStatus.Running;
        step.Attempts++;
        step.StartedAt ??= now;
        run.Status = MigrationRunStatus.Running;
        await writer.SaveAsync(db, run, ct);
        if (firstAttempt)
        {
            await events.AppendAsync(run.Id, RunEvent.EngineActor, RunEventKinds.StepStarted, $"Started “{step.Title}”.", step.Sequence, ct: ct);
        }

        var outcome = await ExecuteStepAsync(db, run, step, ct);
        return await ApplyAsync(db, run, step, outcome, previousReason, ct);
    }

    private async Task TellApproversAsync(GateOpened gate, CancellationToken ct)
    {
        try
        {
            await gates.GateOpenedAsync(gate, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The gate is open and shown in the inbox either way; only the message is missing.
            logger.LogWarning(e, "Run {RunId}: the approvers of step {Step} could not be told", gate.RunId, gate.StepSequence);
        }
    }

    /// <summary>
    /// A step inside an approved window runs without anyone deciding at that moment: it first checks live what an
    /// approver would have been shown, and does not act when that fails. A check that cannot be made (brokers
    /// unreachable) is recorded and the step goes on: the window's approval covered it, and the steps before it checked.
    /// </summary>
    private static async Task<StepOutcome?> CheckedAsAnApproverWouldAsync(StepContext context, Planning.PlanStep gate)
    {
        var checks = await ApprovalChecks.RunAsync(context);
        if (checks.Count == 0) return null;
        var failed = checks.FirstOrDefault(c => c.Result == LiveCheckResult.Failed);
        await context.LogAsync(RunEventKinds.KafkaCheck,
            $"Checked before acting, under the approval of “{gate.Title}”: " + string.Join("; ", checks.Select(c => $"{c.Name}: {c.Result.ToString().ToLowerInvariant()} ({c.Detail})")),
            succeeded: failed is null);
        return failed is null ? null
            : new StepOutcome.Failed($"Not done: “{failed.Name}” does not hold ({failed.Detail}). Nobody approves this step on its own, so the run stops here; resume once it holds, or roll back.");
    }

    /// <summary>The run's last queued job is still to start (not this one, which is processing) and is due by <paramref name="until"/>.</summary>
    private bool AnotherWakeUpComes(string? pendingJobId, DateTimeOffset until) => scheduler.Find(pendingJobId) switch
    {
        { State: PendingJobState.Enqueued } => true,
        { State: PendingJobState.Scheduled, Since: var due } => due <= HangfireRunScheduler.WholeSecondAtOrAfter(until),
        _ => false,
    };

    private async Task<StepOutcome> ExecuteStepAsync(PortalDbContext db, MigrationRun run, RunStep step, CancellationToken ct)
    {
        try
        {
            var plan = PlanSerialization.DeserializePlan(run.PlanJson ?? throw new StepFailedException("The run has no plan."));
            var context = stepContexts.Create(run, step, plan, token => writer.SaveAsync(db, run, token), ct);
            if (step.Kind == RunStepKind.Forward && plan.WindowGateCovering(plan.Steps[step.PlanStepIndex]) is { } gate
                && await CheckedAsAnApproverWouldAsync(context, gate) is { } stop)
                return stop;
            var outcome = await executors.For(context.Action).ExecuteAsync(context);
            step.TransientFailures = 0;
            return outcome;
        }
        catch (Exception e) when (ct.IsCancellationRequested)
        {
            // Shutting down or the lease was lost, whatever the step's code threw on the way out (not a step failure):
            // the step stays Running and is re-run (reconciling) later.
            if (e is OperationCanceledException) throw;
            throw new OperationCanceledException("The step was interrupted.", e, ct);
        }
        catch (Exception e) when (ErrorText.IsTransient(e))
        {
            step.TransientFailures++;
            var error = ErrorText.Describe(e);
            if (step.TransientFailures > options.Value.MaxTransientRetries)
            {
                return new StepOutcome.Failed($"Gave up after {step.TransientFailures} failed attempts: {error}");
            }

            var backoff = TimeSpan.FromTicks(Math.Min(options.Value.TransientRetryMax.Ticks,
                options.Value.TransientRetryBase.Ticks * (1L << Math.Min(step.TransientFailures - 1, 20))));
            await events.AppendAsync(run.Id, RunEvent.EngineActor, RunEventKinds.StepRetrying,
                $"“{step.Title}” will be retried in {backoff.TotalSeconds:0.#} s: {error}", step.Sequence, succeeded: false, ct: ct);
            return new StepOutcome.Wait(time.GetUtcNow() + backoff, $"Retrying after: {error}");
        }
        catch (Exception e)
        {
            if (e is not (StepFailedException or HerokuApiException or KafkaCheckFailedException))
            {
                logger.LogError(e, "Step {Step} of run {RunId} failed unexpectedly", step.Sequence, run.Id);
            }

            return new StepOutcome.Failed(ErrorText.Describe(e));
        }
    }

    private async Task<Continuation> ApplyAsync(PortalDbContext db, MigrationRun run, RunStep step, StepOutcome outcome, string? previousReason, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        switch (outcome)
        {
            case StepOutcome.Done done:
                step.Status = RunStepStatus.Done;
                step.FinishedAt = now;
                step.Outcome = done.Summary;
                step.Error = null;
                step.WaitUntil = null;
                step.WaitReason = null;
                await writer.SaveAsync(db, run, ct);
                await events.AppendAsync(run.Id, RunEvent.EngineActor, RunEventKinds.StepDone, $"Done: “{step.Title}”. {done.Summary}", step.Sequence, ct: ct);
                return await MoveOnAsync(db, run, ct);

            case StepOutcome.Wait wait:
                step.Status = RunStepStatus.Waiting;
                step.WaitUntil = wait.Until;
                step.WaitReason = wait.Reason;
                run.Status = MigrationRunStatus.Waiting;
                await writer.SaveAsync(db, run, ct);
                if (wait.Reason != previousReason)
                {
                    await events.AppendAsync(run.Id, RunEvent.EngineActor, RunEventKinds.StepWaiting,
                        $"“{step.Title}” waits until {wait.Until:O}: {wait.Reason}", step.Sequence, ct: ct);
                }

                return new Continuation.At(wait.Until);

            case StepOutcome.NeedsHuman human:
                step.Status = RunStepStatus.NeedsHumanConfirmation;
                step.WaitReason = human.Reason;
                run.Status = MigrationRunStatus.AwaitingApproval;
                await writer.SaveAsync(db, run, ct);
                await events.AppendAsync(run.Id, RunEvent.EngineActor, RunEventKinds.StepNeedsConfirmation, human.Reason, step.Sequence, ct: ct);
                return Continuation.None;

            case StepOutcome.Failed failed:
                step.Status = RunStepStatus.Failed;
                step.Error = failed.Error;
                run.Status = MigrationRunStatus.Paused;
                run.LastError = $"{step.Title}: {failed.Error}";
                await writer.SaveAsync(db, run, ct);
                await events.AppendAsync(run.Id, RunEvent.EngineActor, RunEventKinds.StepFailed,
                    $"“{step.Title}” failed; the run is paused: {failed.Error}", step.Sequence, succeeded: false, ct: ct);
                return Continuation.None;

            default:
                throw new InvalidOperationException($"Unknown outcome {outcome.GetType().Name}.");
        }
    }

    /// <summary>Points the run at its next step, or finishes it when there is none.</summary>
    private async Task<Continuation> MoveOnAsync(PortalDbContext db, MigrationRun run, CancellationToken ct)
    {
        var next = run.Steps.Where(s => s.Sequence > run.CurrentStep && s.Status == RunStepStatus.Pending).OrderBy(s => s.Sequence).FirstOrDefault();
        if (next is null)
        {
            await FinishAsync(db, run, ct);
            return Continuation.None;
        }

        run.CurrentStep = next.Sequence;
        run.Status = MigrationRunStatus.Running;
        await writer.SaveAsync(db, run, ct);
        return Continuation.Now;
    }

    private async Task FinishAsync(PortalDbContext db, MigrationRun run, CancellationToken ct)
    {
        var rolledBack = run.Phase == RunPhase.RollingBack;
        if (rolledBack)
        {
            foreach (var undone in run.Steps.Where(s => s.Kind == RunStepKind.Forward && s.Status == RunStepStatus.Done))
            {
                undone.Status = RunStepStatus.RolledBack;
            }
        }

        run.Status = rolledBack ? MigrationRunStatus.RolledBack : MigrationRunStatus.Succeeded;
        run.FinishedAt = time.GetUtcNow();
        run.LastError = null;
        await writer.SaveAsync(db, run, ct);
        await events.AppendAsync(run.Id, RunEvent.EngineActor, rolledBack ? RunEventKinds.RunRolledBack : RunEventKinds.RunSucceeded,
            rolledBack ? "The run is rolled back." : "The migration is complete.", ct: ct);
    }
}
