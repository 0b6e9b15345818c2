using System.Security.Claims;
using KafkaMigrationPortal.Engine.Execution;

namespace KafkaMigrationPortal.Features.Identity;

/// <summary>A portal user as the database knows them at this moment: what every command is authorised against.</summary>
public sealed record PortalMember(Guid Id, string Email, IReadOnlyList<string> Roles)
{
    public bool Has(string role) => Roles.Contains(role, StringComparer.Ordinal);

    public bool CanOperate => Has(TeamRole.Operator) || Has(TeamRole.Admin);

    public RunActor AsActor => new(Id, Email);
}

/// <summary>
/// Reads the person behind a principal from the database. A Blazor circuit keeps the principal it started with for
/// hours, so a service that carries out a command asks here rather than trusting that principal's roles.
/// </summary>
public sealed class PortalMembers(UserDirectory users)
{
    public async Task<PortalMember?> CurrentAsync(ClaimsPrincipal principal, CancellationToken cancellationToken = default) =>
        principal.UserId() is { } id && await users.FindAsync(id, cancellationToken) is { AccessRevokedAt: null } user
            ? new PortalMember(user.Id, user.Email, user.RoleList)
            : null;
}
