using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace KafkaMigrationPortal.Engine.Storage;

/// <summary>
/// A person who signed in with Heroku. Their Heroku identity is their portal identity; their Heroku tokens are kept
/// only encrypted (ASP.NET Core Data Protection, keys in this database so every dyno can read them).
/// </summary>
public sealed class UserAccount
{
    public Guid Id { get; set; }

    /// <summary>Heroku's account id.</summary>
    public required string HerokuUserId { get; set; }

    public required string Email { get; set; }

    public string? Name { get; set; }

    /// <summary>Comma-separated <see cref="TeamRole"/> names.</summary>
    public string Roles { get; set; } = "";

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset LastSignInAt { get; set; }

    public string? ProtectedAccessToken { get; set; }

    public string? ProtectedRefreshToken { get; set; }

    public DateTimeOffset? AccessTokenExpiresAt { get; set; }

    /// <summary>The OAuth scope the stored grant was asked for (Heroku's token answer does not say). Null for grants stored
    /// before the portal recorded it, all of which were asked for <c>global</c>.</summary>
    public string? GrantedScope { get; set; }

    /// <summary>Set when the person was found no longer allowed (left every allowed team): signed out until a sign-in admits them again.</summary>
    public DateTimeOffset? AccessRevokedAt { get; set; }

    public IReadOnlyList<string> RoleList => Roles.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public bool HasRole(string role) => RoleList.Contains(role, StringComparer.Ordinal);
}

internal sealed class UserAccountConfiguration : IEntityTypeConfiguration<UserAccount>
{
    public void Configure(EntityTypeBuilder<UserAccount> user)
    {
        user.Property(u => u.HerokuUserId).HasMaxLength(100);
        user.Property(u => u.Email).HasMaxLength(320);
        user.Property(u => u.Name).HasMaxLength(200);
        user.Property(u => u.Roles).HasMaxLength(200);
        user.Property(u => u.GrantedScope).HasMaxLength(100);
        user.HasIndex(u => u.HerokuUserId).IsUnique();
        user.HasIndex(u => u.Email);
        user.Ignore(u => u.RoleList);
    }
}
