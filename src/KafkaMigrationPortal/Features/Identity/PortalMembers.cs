using System.Security.Claims;
using KafkaMigrationPortal.Engine.Execution;

namespace KafkaMigrationPortal.Features.Identity;

/// <summary>A portal user as the database knows them at this moment: what every command is authorised against.</summary>
/// <param name="GrantedScope">The scope of their own Heroku grant; null when they hold none (single-operator mode acts
/// with the portal's key).</param>
public sealed record PortalMember(Guid Id, string Email, IReadOnlyList<string> Roles, string? GrantedScope = null)
{
    public bool Has(string role) => Roles.Contains(role, StringComparer.Ordinal);

    public bool CanOperate => Has(TeamRole.Operator) || Has(TeamRole.Admin);

    public RunActor AsActor => new(Id, Email);

    /// <summary>Null when the person's own grant already allows <paramref name="scope"/> (or they act with the portal's key).</summary>
    public HerokuGrantNeeded? Needs(string scope, string toDoWhat) =>
        GrantedScope is { } granted && !HerokuScopes.Covers(granted, scope)
            ? new(scope, $"To {toDoWhat}, the portal needs your Heroku grant with the '{scope}' scope; you granted '{granted}' when you signed in.")
            : null;
}

/// <summary>
/// Reads the person behind a principal from the database. A Blazor circuit keeps the principal it started with for
/// hours, so a service that carries out a command asks here rather than trusting that principal's roles.
/// </summary>
public sealed class PortalMembers(UserDirectory users)
{
    public async Task<PortalMember?> CurrentAsync(ClaimsPrincipal principal, CancellationToken cancellationToken = default) =>
        principal.UserId() is { } id && await users.FindAsync(id, cancellationToken) is { AccessRevokedAt: null } user
            ? new PortalMember(user.Id, user.Email, user.RoleList, user.ProtectedAccessToken is null ? null : user.EffectiveGrantedScope())
            : null;
}
