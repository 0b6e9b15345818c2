using System.Security.Claims;

namespace KafkaMigrationPortal.Features.Identity;

/// <summary>What the sign-in cookie carries: the portal user id, e-mail and name. Roles are read from the database
/// on every request (<see cref="RolesFromDirectory"/>) so a change takes effect without signing in again.</summary>
public static class PortalClaims
{
    public const string LocalOperatorEmail = "local-operator";

    public static Guid? UserId(this ClaimsPrincipal principal) =>
        Guid.TryParse(principal.FindFirstValue(ClaimTypes.NameIdentifier), out var id) ? id : null;

    public static string DisplayName(this ClaimsPrincipal principal) =>
        principal.FindFirstValue(ClaimTypes.Name) ?? principal.FindFirstValue(ClaimTypes.Email) ?? "unknown";

    public static string? Email(this ClaimsPrincipal principal) => principal.FindFirstValue(ClaimTypes.Email);
}

internal sealed class RolesFromDirectory(UserDirectory users) : Microsoft.AspNetCore.Authentication.IClaimsTransformation
{
    public async Task<ClaimsPrincipal> TransformAsync(ClaimsPrincipal principal)
    {
        if (principal.Identity is not ClaimsIdentity { IsAuthenticated: true } identity
            || identity.HasClaim(c => c.Type == ClaimTypes.Role)
            || principal.UserId() is not { } id)
        {
            return principal;
        }

        var user = await users.FindAsync(id);
        if (user is null)
        {
            return new ClaimsPrincipal(new ClaimsIdentity());
        }

        var withRoles = new ClaimsIdentity(identity.Claims, identity.AuthenticationType, identity.NameClaimType, identity.RoleClaimType);
        withRoles.AddClaims(user.RoleList.Select(r => new Claim(ClaimTypes.Role, r)));
        return new ClaimsPrincipal(withRoles);
    }
}
