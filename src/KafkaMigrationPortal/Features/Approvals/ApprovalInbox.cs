using System.Security.Claims;
using KafkaMigrationPortal.Features.Identity;
using KafkaMigrationPortal.Features.Migrations;
using KafkaMigrationPortal.Engine.Execution;
using KafkaMigrationPortal.Engine.Storage;
using Microsoft.EntityFrameworkCore;
using KafkaMigrationPortal.Engine;
using KafkaMigrationPortal.Engine.Planning;

namespace KafkaMigrationPortal.Features.Approvals;

/// <summary>A gate waiting for a decision: the run, the step and what approving it will do.</summary>
/// <param name="AddonAlsoAttachedTo">The other apps a destroy also removes <paramref name="AddonToDestroy"/> from (forced), as the plan names them.</param>
public sealed record PendingApproval(
    Guid RunId, string App, string SourceAddon, string TargetPlan, MigrationStrategy Strategy, string StartedBy,
    int StepSequence, string StepTitle, string? CliCommand, bool PointOfNoReturn, string? AddonToDestroy, DateTimeOffset? WaitingSince,
    IReadOnlyList<string>? AddonAlsoAttachedTo = null);

public interface IApprovalInbox
{
    /// <summary>Gates the signed-in person may decide on: runs awaiting approval that they did not start (approvers only).</summary>
    Task<QueryResult<IReadOnlyList<PendingApproval>>> ListAsync(ClaimsPrincipal user, CancellationToken ct = default);

    /// <summary>Null when the person's Heroku grant lets them decide (each decision reads the run's app with it); else what to grant.</summary>
    Task<HerokuGrantNeeded?> GrantNeededAsync(ClaimsPrincipal user, CancellationToken ct = default);
}

public sealed class ApprovalInbox(IDbContextFactory<PortalDbContext> contexts, PortalMembers members, ILogger<ApprovalInbox> logger) : IApprovalInbox
{
    public async Task<HerokuGrantNeeded?> GrantNeededAsync(ClaimsPrincipal user, CancellationToken ct = default) =>
        await members.CurrentAsync(user, ct) is { } member && member.Has(TeamRole.Approver)
            ? member.Needs(HerokuScopes.Read, "approve or reject gated steps")
            : null;

    public async Task<QueryResult<IReadOnlyList<PendingApproval>>> ListAsync(ClaimsPrincipal user, CancellationToken ct = default)
    {
        if (!user.IsInRole(TeamRole.Approver)) return QueryResult<IReadOnlyList<PendingApproval>>.Ok([]);
        var actor = RunPermissions.Actor(user);
        try
        {
            await using var db = await contexts.CreateDbContextAsync(ct);
            var runs = await db.MigrationRuns.AsNoTracking().Include(r => r.Steps)
                .Where(r => r.Status == MigrationRunStatus.AwaitingApproval)
                .OrderBy(r => r.CreatedAt)
                .ToListAsync(ct);
            var pending = new List<PendingApproval>();
            foreach (var run in runs.Where(r => !actor.StartedRun(r)))
            {
                if (run.Steps.FirstOrDefault(s => s.Sequence == run.CurrentStep) is not { Status: RunStepStatus.AwaitingApproval } step) continue;
                var plan = PlanSerialization.DeserializePlan(run.PlanJson!);
                var planStep = step.Kind == RunStepKind.Forward && step.PlanStepIndex < plan.Steps.Count ? plan.Steps[step.PlanStepIndex] : null;
                var action = PlanSerialization.DeserializeAction(step.ActionJson);
                pending.Add(new(run.Id, run.App, run.SourceAddon, run.TargetPlan, run.Strategy, run.StartedBy, step.Sequence, step.Title,
                    planStep?.CliCommand, step.PointOfNoReturn, run.AddonDestroyedBy(action), step.StartedAt ?? run.UpdatedAt,
                    MigrationRun.AppsAlsoLosingAddonBy(action)));
            }

            return QueryResult<IReadOnlyList<PendingApproval>>.Ok(pending);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Listing pending approvals failed");
            return QueryResult<IReadOnlyList<PendingApproval>>.Failed("The approvals could not be loaded: the portal's database did not answer. Try again in a moment.");
        }
    }
}
