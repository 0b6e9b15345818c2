using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace KafkaMigrationPortal.Engine.Audit;

/// <summary>
/// One thing done in the portal or on Heroku: by whom, when, to what. Append-only and hash-chained: each entry's
/// <see cref="Hash"/> covers its own fields and the previous entry's hash, so changing or removing any entry breaks
/// every link after it. Never holds a secret.
/// </summary>
public sealed class AuditEntry
{
    public long Id { get; set; }

    /// <summary>1, 2, 3, … without gaps; unique, so two writers cannot both extend the chain from the same entry.</summary>
    public long Sequence { get; set; }

    public DateTimeOffset At { get; set; }

    public required string Actor { get; set; }

    public required string Action { get; set; }

    public string? App { get; set; }

    public Guid? RunId { get; set; }

    public required string Summary { get; set; }

    public string? Details { get; set; }

    public required string PreviousHash { get; set; }

    public required string Hash { get; set; }
}

internal sealed class AuditEntryConfiguration : IEntityTypeConfiguration<AuditEntry>
{
    public void Configure(EntityTypeBuilder<AuditEntry> entry)
    {
        entry.Property(e => e.Actor).HasMaxLength(320);
        entry.Property(e => e.Action).HasMaxLength(100);
        entry.Property(e => e.App).HasMaxLength(100);
        entry.Property(e => e.PreviousHash).HasMaxLength(64);
        entry.Property(e => e.Hash).HasMaxLength(64);
        entry.HasIndex(e => e.Sequence).IsUnique();
        entry.HasIndex(e => e.At);
        entry.HasIndex(e => new { e.App, e.At });
        entry.HasIndex(e => new { e.Actor, e.At });
        entry.HasIndex(e => new { e.Action, e.At });
        entry.HasIndex(e => e.RunId);
    }
}
