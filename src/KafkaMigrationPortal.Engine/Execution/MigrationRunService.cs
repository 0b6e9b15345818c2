using KafkaMigrationPortal.Engine.KafkaChecks;
using KafkaMigrationPortal.Engine.Planning;
using KafkaMigrationPortal.Engine.Storage;
using KafkaMigrationPortal.Heroku;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace KafkaMigrationPortal.Engine.Execution;

/// <summary>The answer to a user's command on a run. Refusals change nothing and say why.</summary>
public sealed record RunCommandResult(bool Succeeded, string Message, IReadOnlyList<LiveCheck>? Checks = null)
{
    public static RunCommandResult Ok(string message, IReadOnlyList<LiveCheck>? checks = null) => new(true, message, checks);

    public static RunCommandResult Refused(string message, IReadOnlyList<LiveCheck>? checks = null) => new(false, message, checks);
}

/// <summary>A run with everything recorded about it, read without tracking.</summary>
public sealed record RunDetails(MigrationRun Run, MigrationPlan Plan, IReadOnlyList<RunStep> Steps, IReadOnlyList<RunEvent> Events, IReadOnlyList<StepApproval> Approvals)
{
    public RunStep? CurrentStep => Steps.FirstOrDefault(s => s.Sequence == Run.CurrentStep);

    /// <summary>
    /// What the plan still expects the run to take from <paramref name="now"/>: the rest of each started step (its
    /// expected duration, or its wait when that ends later), then every later step's expected duration. Time spent
    /// waiting for people is not counted. Null when the run is not moving forward.
    /// </summary>
    public TimeSpan? ExpectedRemaining(DateTimeOffset now)
    {
        if (!MigrationRunStatuses.Active.Contains(Run.Status) || Run.Phase != RunPhase.Forward) return null;
        var remaining = TimeSpan.Zero;
        foreach (var step in Steps.Where(s => s.Kind == RunStepKind.Forward && s.Status is not (RunStepStatus.Done or RunStepStatus.Skipped)))
        {
            var expected = step.PlanStepIndex < Plan.Steps.Count ? Plan.Steps[step.PlanStepIndex].ExpectedDuration : TimeSpan.Zero;
            if (step.StartedAt is { } started)
            {
                var rest = expected - (now - started);
                if (step.Status == RunStepStatus.Waiting && step.WaitUntil is { } until && until - now > rest) rest = until - now;
                expected = rest > TimeSpan.Zero ? rest : TimeSpan.Zero;
            }
            remaining += expected;
        }
        return remaining;
    }
}

public sealed class RunRefusedException(string message) : Exception(message);

/// <summary>
/// What the UI and tests call: start a run from a plan, and act on it (approve, reject, confirm, resume, roll back,
/// abort). Every command claims the run like a job does, so it never interleaves with a step being executed.
/// </summary>
public sealed class MigrationRunService(
    IDbContextFactory<PortalDbContext> contexts,
    RunLease lease,
    RunEventLog events,
    IRunScheduler scheduler,
    IRunCredentialResolver credentials,
    IHerokuClientFactory clients,
    StepContextFactory stepContexts,
    RunWriter writer,
    TimeProvider time,
    IOptions<ExecutionOptions> options)
{
    public async Task<Guid> StartAsync(MigrationPlan plan, RunActor startedBy, int requiredApprovals = 1, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentException.ThrowIfNullOrWhiteSpace(startedBy?.Name);
        if (plan.Steps.Count == 0) throw new RunRefusedException("The plan has no steps.");
        await using var db = await contexts.CreateDbContextAsync(ct);
        if (await ActiveRunOfAsync(db, plan.App, ct) is { } active) throw AnotherRunActive(plan.App, active);

        var now = time.GetUtcNow();
        var credential = credentials.ForNewRun(startedBy);
        var run = new MigrationRun
        {
            Id = Guid.NewGuid(),
            App = plan.App,
            SourceAddon = plan.Source.Name,
            TargetPlan = plan.TargetPlan,
            Strategy = plan.Strategy,
            Status = MigrationRunStatus.Running,
            StartedBy = startedBy.Name,
            StartedByUserId = startedBy.UserId,
            CreatedAt = now,
            UpdatedAt = now,
            PlanJson = PlanSerialization.Serialize(plan),
            SourceAddonId = plan.Source.Id,
            ExecutedWith = credential.Description,
            RequiredApprovals = Math.Max(1, requiredApprovals),
            Version = Guid.NewGuid(),
            Steps = plan.Steps.Select(s => new RunStep
            {
                Sequence = s.Index,
                Kind = RunStepKind.Forward,
                PlanStepIndex = s.Index,
                Title = s.Title,
                ActionJson = PlanSerialization.Serialize(s.Action),
                RequiresApproval = s.RequiresApproval,
                PointOfNoReturn = s.PointOfNoReturn,
            }).ToList(),
        };
        run.CurrentStep = run.Steps.Min(s => s.Sequence);
        db.MigrationRuns.Add(run);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Another start saved its run between our check and our insert, and the one-active-run index refused ours.
            await using var fresh = await contexts.CreateDbContextAsync(ct);
            if (await ActiveRunOfAsync(fresh, plan.App, ct) is { } winner) throw AnotherRunActive(plan.App, winner);
            throw;
        }

        await events.AppendAsync(run.Id, startedBy.Name, RunEventKinds.RunStarted,
            $"Started a {plan.Strategy} migration of {plan.App} from {plan.Source.Name} ({plan.Source.Plan}) to {plan.TargetPlan}, acting as {credential.Description}.",
            ct: ct);
        await scheduler.ContinueAsync(run.Id, Continuation.Now, ct);
        return run.Id;
    }

    private static async Task<Guid?> ActiveRunOfAsync(PortalDbContext db, string app, CancellationToken ct)
    {
        var active = await db.MigrationRuns.Where(r => r.App == app && MigrationRunStatuses.Active.Contains(r.Status))
            .Select(r => r.Id).FirstOrDefaultAsync(ct);
        return active == Guid.Empty ? null : active;
    }

    private static RunRefusedException AnotherRunActive(string app, Guid active) =>
        new($"Another migration of {app} is not finished (run {active}).");

    public async Task<RunDetails?> GetAsync(Guid runId, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var run = await db.MigrationRuns.AsNoTracking().Include(r => r.Steps).FirstOrDefaultAsync(r => r.Id == runId, ct);
        if (run is null) return null;
        var runEvents = await db.RunEvents.AsNoTracking().Where(e => e.RunId == runId).OrderBy(e => e.Sequence).ToListAsync(ct);
        var approvals = await db.StepApprovals.AsNoTracking().Where(a => a.RunId == runId).OrderBy(a => a.Id).ToListAsync(ct);
        return new RunDetails(run, PlanSerialization.DeserializePlan(run.PlanJson!), run.Steps.OrderBy(s => s.Sequence).ToList(), runEvents, approvals);
    }

    /// <summary>
    /// Approves the gated step <paramref name="stepSequence"/> after re-checking live state. Refused for the run's own
    /// starter, for a step that is not waiting for approval, and when a check fails.
    /// </summary>
    public Task<RunCommandResult> ApproveAsync(Guid runId, int stepSequence, RunActor approver, string? comment, CancellationToken ct = default) =>
        CommandAsync(runId, approver.Name, ct, async (db, run, step) =>
        {
            if (step?.Sequence != stepSequence || step.Status != RunStepStatus.AwaitingApproval)
            {
                return (RunCommandResult.Refused($"Step {stepSequence} is not waiting for approval."), Continuation.None);
            }

            var approverId = approver.Name;
            if (approver.StartedRun(run))
            {
                await events.AppendAsync(run.Id, approverId, RunEventKinds.ApprovalRefused,
                    $"{approverId} may not approve “{step.Title}”: they started this run.", step.Sequence, ct: ct);
                return (RunCommandResult.Refused("You started this run: another person must approve its steps."), Continuation.None);
            }

            var now = time.GetUtcNow();
            var checks = await ApprovalChecks.RunAsync(ContextFor(run, step, ct));
            var checksJson = PlanSerialization.SerializeValue(checks);
            var failed = checks.Where(c => c.Result == LiveCheckResult.Failed).ToList();
            if (failed.Count > 0)
            {
                var why = string.Join("; ", failed.Select(c => $"{c.Name}: {c.Detail}"));
                await events.AppendAsync(run.Id, approverId, RunEventKinds.ApprovalRefused,
                    $"Approval of “{step.Title}” refused by live checks: {why}", step.Sequence, result: checksJson, ct: ct);
                return (RunCommandResult.Refused($"Not approved: live state does not allow it yet. {why}", checks), Continuation.None);
            }

            var unavailable = checks.Where(c => c.Result == LiveCheckResult.Unavailable).ToList();
            db.StepApprovals.Add(new StepApproval
            {
                RunId = run.Id,
                StepSequence = step.Sequence,
                Approver = approverId,
                ApproverUserId = approver.UserId,
                Decision = ApprovalDecision.Approve,
                Comment = comment,
                At = now,
                ChecksJson = checksJson,
                ChecksUnavailable = unavailable.Count > 0,
                ExpiresAt = now + options.Value.ApprovalValidity,
            });
            await db.SaveChangesAsync(ct);
            var unverified = unavailable.Count == 0
                ? ""
                : $". Given while the portal could not check {string.Join(", ", unavailable.Select(c => c.Name))}: {approverId} vouched for it unverified.";
            await events.AppendAsync(run.Id, approverId, RunEventKinds.Approved,
                $"{approverId} approved “{step.Title}”{(string.IsNullOrWhiteSpace(comment) ? "" : $": {comment}")}. Checks: {Describe(checks)}{unverified}",
                step.Sequence, result: checksJson, ct: ct);

            if (!await ApprovalGate.IsOpenAsync(db, run, step, now, ct))
            {
                return (RunCommandResult.Ok($"Approval recorded; “{step.Title}” needs {run.RequiredApprovals} approvals.", checks), Continuation.None);
            }

            step.Status = RunStepStatus.Pending;
            run.Status = MigrationRunStatus.Running;
            run.LastError = null;
            await writer.SaveAsync(db, run, ct);
            return (RunCommandResult.Ok($"Approved: “{step.Title}” runs now.", checks), Continuation.Now);
        });

    /// <summary>Rejects a gated step (a comment is required): the run pauses; a later approval can still resume it.</summary>
    public Task<RunCommandResult> RejectAsync(Guid runId, int stepSequence, RunActor approver, string comment, CancellationToken ct = default) =>
        CommandAsync(runId, approver.Name, ct, async (db, run, step) =>
        {
            var approverId = approver.Name;
            if (string.IsNullOrWhiteSpace(comment)) return (RunCommandResult.Refused("Say why the step is rejected."), Continuation.None);
            if (step?.Sequence != stepSequence || step.Status != RunStepStatus.AwaitingApproval)
            {
                return (RunCommandResult.Refused($"Step {stepSequence} is not waiting for approval."), Continuation.None);
            }

            db.StepApprovals.Add(new StepApproval
            {
                RunId = run.Id,
                StepSequence = step.Sequence,
                Approver = approverId,
                ApproverUserId = approver.UserId,
                Decision = ApprovalDecision.Reject,
                Comment = comment,
                At = time.GetUtcNow(),
                ChecksJson = "[]",
            });
            run.Status = MigrationRunStatus.Paused;
            run.LastError = $"“{step.Title}” was rejected by {approverId}: {comment}";
            await writer.SaveAsync(db, run, ct);
            await events.AppendAsync(run.Id, approverId, RunEventKinds.Rejected, $"{approverId} rejected “{step.Title}”: {comment}. The run is paused.", step.Sequence, ct: ct);
            return (RunCommandResult.Ok("Rejected; the run is paused."), Continuation.None);
        });

    /// <summary>Confirms by hand a check the portal could not make (brokers unreachable); audited, then the run goes on.</summary>
    public Task<RunCommandResult> ConfirmManuallyAsync(Guid runId, int stepSequence, RunActor confirmer, string comment, CancellationToken ct = default) =>
        CommandAsync(runId, confirmer.Name, ct, async (db, run, step) =>
        {
            var userId = confirmer.Name;
            if (string.IsNullOrWhiteSpace(comment)) return (RunCommandResult.Refused("Say how the condition was confirmed."), Continuation.None);
            if (confirmer.StartedRun(run))
            {
                return (RunCommandResult.Refused("You started this run: another person must confirm its checks by hand."), Continuation.None);
            }

            if (step?.Sequence != stepSequence || step.Status != RunStepStatus.NeedsHumanConfirmation)
            {
                return (RunCommandResult.Refused($"Step {stepSequence} is not waiting for a manual confirmation."), Continuation.None);
            }

            step.Status = RunStepStatus.Done;
            step.FinishedAt = time.GetUtcNow();
            step.Outcome = $"Confirmed manually by {userId}: {comment}";
            run.Status = MigrationRunStatus.Running;
            await writer.SaveAsync(db, run, ct);
            await events.AppendAsync(run.Id, userId, RunEventKinds.ConfirmedManually,
                $"{userId} confirmed “{step.Title}” by hand: {comment}", step.Sequence, request: step.WaitReason, ct: ct);
            return (RunCommandResult.Ok("Confirmed; the run goes on."), Continuation.Now);
        });

    /// <summary>Tries a failed step again from the start (it reconciles with live state first; a check gets its full retry budget).</summary>
    public Task<RunCommandResult> ResumeAsync(Guid runId, string userId, CancellationToken ct = default) =>
        CommandAsync(runId, userId, ct, async (db, run, step) =>
        {
            if (run.Status != MigrationRunStatus.Paused || step?.Status != RunStepStatus.Failed)
            {
                return (RunCommandResult.Refused("Only a run paused by a failed step can be resumed; a rejected step needs an approval."), Continuation.None);
            }

            step.Status = RunStepStatus.Pending;
            step.TransientFailures = 0;
            // A check starts over, with its whole retry budget: the failures that paused the run are not counted again.
            step.CheckStateJson = null;
            step.WaitUntil = null;
            step.WaitReason = null;
            step.Error = null;
            run.Status = MigrationRunStatus.Running;
            run.LastError = null;
            await writer.SaveAsync(db, run, ct);
            await events.AppendAsync(run.Id, userId, RunEventKinds.Resumed, $"{userId} resumed the run at “{step.Title}”.", step.Sequence, ct: ct);
            return (RunCommandResult.Ok("Resumed."), Continuation.Now);
        });

    /// <summary>
    /// Before the point of no return: undoes every step that was attempted, newest first, by its compensating actions,
    /// each a recorded step of its own (destroying the new add-on waits for approval).
    /// </summary>
    public Task<RunCommandResult> RollbackAsync(Guid runId, string userId, string reason, CancellationToken ct = default) =>
        CommandAsync(runId, userId, ct, async (db, run, _) =>
        {
            if (!IsActive(run) || run.Phase != RunPhase.Forward)
            {
                return (RunCommandResult.Refused($"The run is {run.Status}{(run.Phase == RunPhase.RollingBack ? " and already rolling back" : "")}."), Continuation.None);
            }

            var plan = PlanSerialization.DeserializePlan(run.PlanJson!);
            var forward = run.Steps.Where(s => s.Kind == RunStepKind.Forward).ToList();
            if (RunStep.PassedPointOfNoReturn(run.Steps) is { } noReturn)
            {
                return (RunCommandResult.Refused($"“{noReturn.Title}” is past the point of no return: the run cannot be rolled back, only aborted."), Continuation.None);
            }

            var attempted = forward.Where(s => s.Attempts > 0 || s.Status == RunStepStatus.Done).OrderByDescending(s => s.Sequence).ToList();
            var sequence = run.Steps.Max(s => s.Sequence);
            var compensations = new List<RunStep>();
            foreach (var done in attempted)
            {
                foreach (var action in plan.Steps[done.PlanStepIndex].CompensatingActions ?? [])
                {
                    compensations.Add(new RunStep
                    {
                        RunId = run.Id,
                        Sequence = ++sequence,
                        Kind = RunStepKind.Compensation,
                        PlanStepIndex = done.PlanStepIndex,
                        Title = $"Undo “{done.Title}”: {CompensationTitle(action, plan)}",
                        ActionJson = PlanSerialization.Serialize(action),
                        RequiresApproval = action is DestroyAddon,
                    });
                }
            }

            foreach (var open in forward.Where(s => s.Status is not (RunStepStatus.Done or RunStepStatus.Skipped)))
            {
                open.Status = RunStepStatus.Skipped;
                open.WaitUntil = null;
            }

            run.Steps.AddRange(compensations);
            run.Phase = RunPhase.RollingBack;
            run.Status = MigrationRunStatus.Running;
            run.LastError = null;
            run.CurrentStep = compensations.FirstOrDefault()?.Sequence ?? sequence + 1;
            await writer.SaveAsync(db, run, ct);
            await events.AppendAsync(run.Id, userId, RunEventKinds.RollbackStarted,
                $"{userId} rolled the run back: {reason}. Compensating steps: {(compensations.Count == 0 ? "none" : string.Join("; ", compensations.Select(c => c.Title)))}.", ct: ct);
            return (RunCommandResult.Ok($"Rolling back with {compensations.Count} compensating step(s)."), Continuation.Now);
        });

    /// <summary>Stops the run where it is (any time; the only way out after the point of no return) and records the state it leaves.</summary>
    public Task<RunCommandResult> AbortAsync(Guid runId, string userId, string reason, CancellationToken ct = default) =>
        CommandAsync(runId, userId, ct, async (db, run, _) =>
        {
            if (!IsActive(run)) return (RunCommandResult.Refused($"The run is already {run.Status}."), Continuation.None);
            foreach (var open in run.Steps.Where(s => s.Status is RunStepStatus.Pending or RunStepStatus.Waiting or RunStepStatus.AwaitingApproval or RunStepStatus.NeedsHumanConfirmation or RunStepStatus.Running))
            {
                open.Status = RunStepStatus.Skipped;
                open.WaitUntil = null;
            }

            run.Status = MigrationRunStatus.Aborted;
            run.FinishedAt = time.GetUtcNow();
            run.LastError = $"Aborted by {userId}: {reason}";
            await writer.SaveAsync(db, run, ct);
            var left = await DescribeLiveStateAsync(run, ct);
            await events.AppendAsync(run.Id, userId, RunEventKinds.Aborted, $"{userId} aborted the run: {reason}. State left: {left}", result: left, ct: ct);
            return (RunCommandResult.Ok($"Aborted. State left: {left}"), Continuation.None);
        });

    /// <summary>Attachments, pins, maintenance and dyno counts as they are now; values of secret vars are never read out.</summary>
    private async Task<string> DescribeLiveStateAsync(MigrationRun run, CancellationToken ct)
    {
        try
        {
            var platform = clients.Platform(credentials.ForRun(run));
            var attachments = await platform.ListAttachmentsAsync(run.App, ct);
            var vars = await platform.GetConfigVarsAsync(run.App, ct);
            var app = await platform.GetAppAsync(run.App, ct);
            var formation = await platform.ListFormationAsync(run.App, ct);
            var kafka = attachments.Where(a => a.Addon.Plan?.Name?.StartsWith(KafkaPlans.ServiceName, StringComparison.Ordinal) != false)
                .OrderBy(a => a.Name, StringComparer.Ordinal).Select(a => $"{a.Name}→{a.Addon.Name}");
            var pins = Redaction.PublicConfigVars.Order(StringComparer.Ordinal).Select(k => $"{k}={Redaction.ConfigVarValue(k, vars.GetValueOrDefault(k))}");
            return $"attachments {string.Join(", ", kafka)}; {string.Join(", ", pins)}; maintenance {(app.Maintenance ? "on" : "off")}; dynos {string.Join(", ", formation.OrderBy(f => f.Type).Select(f => $"{f.Type}={f.Quantity}"))}";
        }
        catch (Exception e) when (e is HerokuApiException or HttpRequestException or TaskCanceledException)
        {
            return $"could not be read from Heroku ({ErrorText.Describe(e)})";
        }
    }

    private async Task<RunCommandResult> CommandAsync(Guid runId, string actor, CancellationToken ct,
        Func<PortalDbContext, MigrationRun, RunStep?, Task<(RunCommandResult Result, Continuation Next)>> command)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(actor);
        var owner = RunLease.NewOwner($"command:{actor}");
        if (!await lease.AcquireAsync(runId, owner, options.Value.CommandLeaseWait, ct))
        {
            return RunCommandResult.Refused("The run is busy with a step; try again in a moment.");
        }

        (RunCommandResult Result, Continuation Next) outcome;
        try
        {
            await using var db = await contexts.CreateDbContextAsync(ct);
            var run = await db.MigrationRuns.Include(r => r.Steps).FirstOrDefaultAsync(r => r.Id == runId, ct)
                ?? throw new RunRefusedException($"No run {runId}.");
            outcome = await command(db, run, run.Steps.FirstOrDefault(s => s.Sequence == run.CurrentStep));
        }
        finally
        {
            await lease.ReleaseAsync(runId, owner);
        }

        await scheduler.ContinueAsync(runId, outcome.Next, ct);
        return outcome.Result;
    }

    /// <summary>The live checks a gate would make if approved now, made without deciding anything (reads only).</summary>
    public async Task<IReadOnlyList<LiveCheck>> PreviewChecksAsync(RunDetails details, RunStep step, CancellationToken ct = default) =>
        await ApprovalChecks.RunAsync(stepContexts.Create(details.Run, step, details.Plan, save: null, ct));

    private StepContext ContextFor(MigrationRun run, RunStep step, CancellationToken ct) =>
        stepContexts.Create(run, step, PlanSerialization.DeserializePlan(run.PlanJson!), save: null, ct);

    private static bool IsActive(MigrationRun run) => MigrationRunStatuses.Active.Contains(run.Status);

    private static string Describe(IReadOnlyList<LiveCheck> checks) =>
        checks.Count == 0 ? "none needed" : string.Join("; ", checks.Select(c => $"{c.Name}: {c.Result} ({c.Detail})"));

    private static string CompensationTitle(StepAction action, MigrationPlan plan) => action switch
    {
        DestroyAddon d => $"destroy the {(d.Addon == AddonRole.Target ? "new" : "old")} add-on",
        Attach a => $"attach the {(a.Addon == AddonRole.Target ? "new" : "old")} add-on as {a.As}{(a.Confirm ? " (confirm)" : "")}",
        Detach d => $"detach {d.AttachmentName}",
        SetConfigVars s => $"set {Redaction.ConfigVars(s.Vars)}",
        SetMaintenance m => $"maintenance {(m.On ? "on" : "off")}",
        RestoreFormation r => $"restore {string.Join(", ", r.ProcessTypes)} to their recorded dyno counts",
        ScaleProcesses s => $"scale {string.Join(", ", s.ProcessTypes)} to {s.Quantity}",
        _ => action.GetType().Name,
    };
}
