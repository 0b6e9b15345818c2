using KafkaMigrationPortal.Components.Shared;
using System.Security.Claims;
using KafkaMigrationPortal.Features.Identity;
using KafkaMigrationPortal.Engine.KafkaChecks;
using KafkaMigrationPortal.Engine.Execution;
using KafkaMigrationPortal.Engine;

namespace KafkaMigrationPortal.Features.Migrations;

/// <summary>What the run page and the approvals inbox ask of a run: read it, preview a gate's live checks, act on it.</summary>
public interface IRunConsole
{
    Task<QueryResult<RunDetails>> GetAsync(Guid runId, CancellationToken ct = default);

    /// <summary>The live checks the engine will make when the gate <paramref name="stepSequence"/> is approved (reads only).</summary>
    Task<QueryResult<IReadOnlyList<LiveCheck>>> PreviewChecksAsync(Guid runId, int stepSequence, CancellationToken ct = default);

    /// <summary>Null when the person's own Heroku grant reaches the run's app now (as every command will check); otherwise why not.</summary>
    Task<AccessProblem?> AccessProblemAsync(ClaimsPrincipal user, Guid runId, CancellationToken ct = default);

    Task<RunCommandResult> ApproveAsync(ClaimsPrincipal user, Guid runId, int stepSequence, string? comment, CancellationToken ct = default);

    Task<RunCommandResult> RejectAsync(ClaimsPrincipal user, Guid runId, int stepSequence, string comment, CancellationToken ct = default);

    Task<RunCommandResult> ConfirmManuallyAsync(ClaimsPrincipal user, Guid runId, int stepSequence, string comment, CancellationToken ct = default);

    Task<RunCommandResult> ResumeAsync(ClaimsPrincipal user, Guid runId, CancellationToken ct = default);

    Task<RunCommandResult> RollbackAsync(ClaimsPrincipal user, Guid runId, string reason, CancellationToken ct = default);

    Task<RunCommandResult> AbortAsync(ClaimsPrincipal user, Guid runId, string reason, CancellationToken ct = default);
}

/// <summary>
/// <see cref="IRunConsole"/> over the engine's <see cref="MigrationRunService"/>. Checks roles here, read from the
/// database at each command (never the circuit's principal), because the engine knows only actors: approve and reject
/// need the approver role and not being the run's starter (the engine also refuses a starter's approval or manual
/// confirmation, but not a starter's rejection); confirm, resume, roll back and abort need an operator.
/// </summary>
public sealed class RunConsole(
    MigrationRunService runs,
    PortalMembers members,
    AppAccess access,
    CircuitPresence presence,
    ILogger<RunConsole> logger) : IRunConsole
{
    public async Task<QueryResult<RunDetails>> GetAsync(Guid runId, CancellationToken ct = default)
    {
        // A page's timer re-reads the run; while its browser is away the read waits, and once the circuit is gone it is skipped.
        if (!await presence.WaitUntilConnectedAsync(ct)) return QueryResult<RunDetails>.Failed("The page has been closed.");
        try
        {
            return await runs.GetAsync(runId, ct) is { } details
                ? QueryResult<RunDetails>.Ok(details)
                : QueryResult<RunDetails>.Failed($"There is no migration run {runId}.", Refusals.RunNotFound);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Reading run {RunId} failed", runId);
            return QueryResult<RunDetails>.Failed("The run could not be loaded: the portal's database did not answer. Try again in a moment.", Refusals.Unavailable);
        }
    }

    public async Task<QueryResult<IReadOnlyList<LiveCheck>>> PreviewChecksAsync(Guid runId, int stepSequence, CancellationToken ct = default)
    {
        try
        {
            if (await runs.GetAsync(runId, ct) is not { } details) return QueryResult<IReadOnlyList<LiveCheck>>.Failed($"There is no migration run {runId}.");
            if (details.Steps.FirstOrDefault(s => s.Sequence == stepSequence) is not { } step)
                return QueryResult<IReadOnlyList<LiveCheck>>.Failed($"The run has no step {stepSequence}.");
            return QueryResult<IReadOnlyList<LiveCheck>>.Ok(await runs.PreviewChecksAsync(details, step, ct));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Previewing the checks of run {RunId} step {Step} failed", runId, stepSequence);
            return QueryResult<IReadOnlyList<LiveCheck>>.Failed($"The live checks could not be made: {ErrorText.Describe(e)}.");
        }
    }

    public async Task<AccessProblem?> AccessProblemAsync(ClaimsPrincipal user, Guid runId, CancellationToken ct = default)
    {
        AccessProblem? problem = null;
        var checkedAccess = await AsMemberAsync(user, runId, ct, (_, _) => Task.FromResult(RunCommandResult.Ok("")), found => problem = found);
        return checkedAccess.Succeeded ? null : problem ?? new AccessProblem(checkedAccess.Message);
    }

    public Task<RunCommandResult> ApproveAsync(ClaimsPrincipal user, Guid runId, int stepSequence, string? comment, CancellationToken ct = default) =>
        AsDeciderAsync(user, runId, ct, actor => runs.ApproveAsync(runId, stepSequence, actor, comment, ct));

    public Task<RunCommandResult> RejectAsync(ClaimsPrincipal user, Guid runId, int stepSequence, string comment, CancellationToken ct = default) =>
        AsDeciderAsync(user, runId, ct, actor => runs.RejectAsync(runId, stepSequence, actor, comment, ct));

    public Task<RunCommandResult> ConfirmManuallyAsync(ClaimsPrincipal user, Guid runId, int stepSequence, string comment, CancellationToken ct = default) =>
        AsOperatorAsync(user, runId, ct, actor => runs.ConfirmManuallyAsync(runId, stepSequence, actor, comment, ct));

    public Task<RunCommandResult> ResumeAsync(ClaimsPrincipal user, Guid runId, CancellationToken ct = default) =>
        AsOperatorAsync(user, runId, ct, actor => runs.ResumeAsync(runId, actor.Name, ct));

    public Task<RunCommandResult> RollbackAsync(ClaimsPrincipal user, Guid runId, string reason, CancellationToken ct = default) =>
        AsOperatorAsync(user, runId, ct, actor => runs.RollbackAsync(runId, actor.Name, Required(reason), ct));

    public Task<RunCommandResult> AbortAsync(ClaimsPrincipal user, Guid runId, string reason, CancellationToken ct = default) =>
        AsOperatorAsync(user, runId, ct, actor => runs.AbortAsync(runId, actor.Name, Required(reason), ct));

    private Task<RunCommandResult> AsDeciderAsync(ClaimsPrincipal user, Guid runId, CancellationToken ct, Func<RunActor, Task<RunCommandResult>> command) =>
        AsMemberAsync(user, runId, ct, async (member, details) =>
        {
            if (!member.Has(Identity.TeamRole.Approver)) return RunCommandResult.Refused("Only people with the approver role decide on gated steps.", Refusals.RoleRequired);
            if (member.AsActor.StartedRun(details.Run)) return RunCommandResult.Refused("You started this run: another person must decide on its steps.", Refusals.SelfApproval);
            return await command(member.AsActor);
        });

    private Task<RunCommandResult> AsOperatorAsync(ClaimsPrincipal user, Guid runId, CancellationToken ct, Func<RunActor, Task<RunCommandResult>> command) =>
        AsMemberAsync(user, runId, ct, async (member, _) =>
            member.CanOperate ? await command(member.AsActor) : RunCommandResult.Refused("Only operators may do this.", Refusals.RoleRequired));

    /// <summary>Who the person is now (database), and that their own Heroku grant can still reach the run's app.</summary>
    private Task<RunCommandResult> AsMemberAsync(ClaimsPrincipal user, Guid runId, CancellationToken ct, Func<PortalMember, RunDetails, Task<RunCommandResult>> command,
        Action<AccessProblem>? onNoAccess = null) =>
        SafelyAsync(async () =>
        {
            if (await members.CurrentAsync(user, ct) is not { } member) return NotAMember;
            if (await runs.GetAsync(runId, ct) is not { } details) return RunCommandResult.Refused($"There is no migration run {runId}.", Refusals.RunNotFound);
            if (await access.RefusalAsync(member, details.Run.App, ct) is { } noAccess)
            {
                onNoAccess?.Invoke(noAccess);
                return RunCommandResult.Refused(noAccess.Message, noAccess.Grant is null ? Refusals.NoAppAccess : Refusals.HerokuGrantNeeded);
            }
            return await command(member, details);
        });

    private static RunCommandResult NotAMember => RunCommandResult.Refused("You are no longer a user of this portal: sign in again.", Refusals.NotAMember);

    private async Task<RunCommandResult> SafelyAsync(Func<Task<RunCommandResult>> command)
    {
        try
        {
            return await command();
        }
        catch (RunRefusedException e)
        {
            return RunCommandResult.Refused(e.Message, null, e.Refusal);
        }
        catch (ArgumentException e)
        {
            return RunCommandResult.Refused(e.Message, Refusals.InvalidRequest);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "A run command failed");
            return RunCommandResult.Refused($"The command could not be carried out: {ErrorText.Describe(e)}.", Refusals.Unavailable);
        }
    }

    private static string Required(string reason) =>
        string.IsNullOrWhiteSpace(reason) ? throw new ArgumentException("Say why.") : reason.Trim();
}
