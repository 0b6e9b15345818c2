using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace KafkaMigrationPortal.Features.Audit;

/// <summary>One thing done in the portal or on Heroku: by whom, when, to what. Never holds a secret.</summary>
public sealed class AuditEntry
{
    public long Id { get; set; }

    public DateTimeOffset At { get; set; }

    public required string Actor { get; set; }

    public required string Action { get; set; }

    public string? App { get; set; }

    public Guid? RunId { get; set; }

    public required string Summary { get; set; }
}

internal sealed class AuditEntryConfiguration : IEntityTypeConfiguration<AuditEntry>
{
    public void Configure(EntityTypeBuilder<AuditEntry> entry)
    {
        entry.Property(e => e.Actor).HasMaxLength(320);
        entry.Property(e => e.Action).HasMaxLength(100);
        entry.Property(e => e.App).HasMaxLength(100);
        entry.HasIndex(e => e.At);
        entry.HasIndex(e => new { e.App, e.At });
        entry.HasIndex(e => e.RunId);
    }
}
