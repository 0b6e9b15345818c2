using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace KafkaMigrationPortal.Engine.Audit;

/// <summary>
/// The audit chain's head, sealed with the <see cref="AuditKey"/>: one row, moved forward after every append. A
/// writer without the key cannot forge it, so removing the newest entries shows: the checkpoint names a sequence
/// the table no longer reaches. It also marks where HMAC-sealed entries begin (<see cref="LegacyThrough"/>):
/// entries up to there were written before the key and are checked with the plain SHA-256 rule.
/// </summary>
public sealed class AuditCheckpoint
{
    public const int SingleRowId = 1;

    public int Id { get; set; } = SingleRowId;

    public long LegacyThrough { get; set; }

    public long Sequence { get; set; }

    public required string Head { get; set; }

    public required string Mac { get; set; }
}

internal sealed class AuditCheckpointConfiguration : IEntityTypeConfiguration<AuditCheckpoint>
{
    public void Configure(EntityTypeBuilder<AuditCheckpoint> checkpoint)
    {
        checkpoint.ToTable("AuditCheckpoints");
        checkpoint.Property(c => c.Id).ValueGeneratedNever();
        checkpoint.Property(c => c.Head).HasMaxLength(64);
        checkpoint.Property(c => c.Mac).HasMaxLength(64);
    }
}
