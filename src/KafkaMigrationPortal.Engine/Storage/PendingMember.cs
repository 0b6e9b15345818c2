using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace KafkaMigrationPortal.Engine.Storage;

/// <summary>
/// A person an admin added by e-mail before their first sign-in: that sign-in (if the allow-list admits them) gives
/// them <see cref="Roles"/>, and the row goes.
/// </summary>
public sealed class PendingMember
{
    public Guid Id { get; set; }

    /// <summary>Lower-case, so the first sign-in finds it whatever case Heroku reports.</summary>
    public required string Email { get; set; }

    /// <summary>Comma-separated role names, as <see cref="UserAccount.Roles"/>.</summary>
    public required string Roles { get; set; }

    public required string AddedBy { get; set; }

    public DateTimeOffset AddedAt { get; set; }

    public IReadOnlyList<string> RoleList => Roles.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

internal sealed class PendingMemberConfiguration : IEntityTypeConfiguration<PendingMember>
{
    public void Configure(EntityTypeBuilder<PendingMember> pending)
    {
        pending.ToTable("PendingMembers");
        pending.Property(p => p.Email).HasMaxLength(320);
        pending.Property(p => p.Roles).HasMaxLength(200);
        pending.Property(p => p.AddedBy).HasMaxLength(320);
        pending.HasIndex(p => p.Email).IsUnique();
        pending.Ignore(p => p.RoleList);
    }
}
