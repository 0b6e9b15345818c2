using System.Security.Claims;
using KafkaMigrationPortal.Features.Identity;
using KafkaMigrationPortal.Engine.Execution;

namespace KafkaMigrationPortal.Features.Migrations;

/// <summary>
/// Who may do what on a run, as the UI shows it and as <see cref="RunConsole"/> enforces it again before calling the
/// engine. Runs record their starter and approvers by e-mail (<see cref="Actor"/>).
/// </summary>
public static class RunPermissions
{
    /// <summary>The identifier the engine records for the signed-in person (their e-mail, else their display name).</summary>
    public static string Actor(ClaimsPrincipal user) => user.Email() ?? user.DisplayName();

    public static bool CanOperate(ClaimsPrincipal user) => user.IsInRole(TeamRole.Operator) || user.IsInRole(TeamRole.Admin);

    public static bool IsStarter(ClaimsPrincipal user, MigrationRun run) =>
        string.Equals(Actor(user), run.StartedBy, StringComparison.OrdinalIgnoreCase);

    /// <summary>Approvers decide on gates of runs someone else started; nobody approves their own run.</summary>
    public static bool CanDecide(ClaimsPrincipal user, MigrationRun run) => user.IsInRole(TeamRole.Approver) && !IsStarter(user, run);
}
