using System.Security.Claims;
using KafkaMigrationPortal.Features.Identity;
using KafkaMigrationPortal.Engine.Execution;

namespace KafkaMigrationPortal.Features.Migrations;

/// <summary>
/// Who may do what on a run, as the UI shows it from the principal it has. The services that carry the commands out
/// (<see cref="RunConsole"/>, <see cref="MigrationWizard"/>) decide again against the database (<see cref="PortalMembers"/>).
/// </summary>
public static class RunPermissions
{
    /// <summary>The actor the engine records for the signed-in person: their portal user id and e-mail.</summary>
    public static RunActor Actor(ClaimsPrincipal user) => new(user.UserId(), user.Email() ?? user.DisplayName());

    public static bool CanOperate(ClaimsPrincipal user) => user.IsInRole(TeamRole.Operator) || user.IsInRole(TeamRole.Admin);

    public static bool IsStarter(ClaimsPrincipal user, MigrationRun run) => Actor(user).StartedRun(run);

    /// <summary>Approvers decide on gates of runs someone else started; nobody approves their own run.</summary>
    public static bool CanDecide(ClaimsPrincipal user, MigrationRun run) => user.IsInRole(TeamRole.Approver) && !IsStarter(user, run);
}
