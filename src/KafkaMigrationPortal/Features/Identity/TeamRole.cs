namespace KafkaMigrationPortal.Features.Identity;

/// <summary>What a signed-in person may do. Roles add up: an approver is usually an operator too.</summary>
public static class TeamRole
{
    /// <summary>Sees migrations, plans, history.</summary>
    public const string Viewer = "viewer";

    /// <summary>Plans and starts migrations, aborts and rolls back their own or others'.</summary>
    public const string Operator = "operator";

    /// <summary>Approves or rejects gated steps of runs started by someone else.</summary>
    public const string Approver = "approver";

    /// <summary>Grants roles, sees the job dashboard.</summary>
    public const string Admin = "admin";

    public static IReadOnlyList<string> All { get; } = [Viewer, Operator, Approver, Admin];
}

/// <summary>
/// Authorization policy names for pages and endpoints: every one but /health needs at least a signed-in viewer. What a
/// person may do (operate, approve) is decided by the service carrying the command out, against the database
/// (<see cref="PortalMembers"/>), not by a policy over the principal a page started with.
/// </summary>
public static class PortalPolicies
{
    public const string CanView = "can-view";
    public const string Admin = "admin";
}
