using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace KafkaMigrationPortal.Engine.Mirroring;

/// <summary>
/// One partition a run mirrors: who copies it (a lease that a conditional UPDATE takes only when it is free or has
/// expired) and how far the copy has got. The progress lives in the lease's row so that only the holder writes it.
/// </summary>
public sealed class MirrorPartitionLease
{
    public Guid RunId { get; set; }

    /// <summary>Unprefixed, as the plan names it.</summary>
    public required string Topic { get; set; }

    public int Partition { get; set; }

    /// <summary>The worker copying it (<see cref="MirrorWorker"/>'s owner id); null when nobody does.</summary>
    public string? Owner { get; set; }

    public DateTimeOffset? ExpiresAt { get; set; }

    /// <summary>The source offset after the last record copied and acknowledged by the new cluster.</summary>
    public long CopiedOffset { get; set; }

    /// <summary>The source's end offset as the copier last saw it; null before it knew one.</summary>
    public long? SourceEnd { get; set; }

    /// <summary>Records copied per second, measured between two progress writes.</summary>
    public double RecordsPerSecond { get; set; }

    public DateTimeOffset? ProgressAt { get; set; }

    public MirrorPartition Key => new(Topic, Partition);

    /// <summary>Records the copy still lacks (0 when the source's end is unknown).</summary>
    public long Lag => SourceEnd is { } end ? Math.Max(0, end - CopiedOffset) : 0;
}

/// <summary>A stored <see cref="OffsetSyncPoint"/>: the source record at <see cref="SourceOffset"/> is the new cluster's at <see cref="TargetOffset"/>.</summary>
public sealed class MirrorSyncPointRecord
{
    public long Id { get; set; }

    public Guid RunId { get; set; }

    public required string Topic { get; set; }

    public int Partition { get; set; }

    public long SourceOffset { get; set; }

    public long TargetOffset { get; set; }

    public OffsetSyncPoint ToSyncPoint() => new(new MirrorPartition(Topic, Partition), SourceOffset, TargetOffset);
}

internal sealed class MirrorPartitionLeaseConfiguration : IEntityTypeConfiguration<MirrorPartitionLease>
{
    public void Configure(EntityTypeBuilder<MirrorPartitionLease> lease)
    {
        lease.HasKey(l => new { l.RunId, l.Topic, l.Partition });
        lease.Property(l => l.Topic).HasMaxLength(249);
        lease.Property(l => l.Owner).HasMaxLength(200);
        lease.Ignore(l => l.Key);
        lease.Ignore(l => l.Lag);
    }
}

internal sealed class MirrorSyncPointConfiguration : IEntityTypeConfiguration<MirrorSyncPointRecord>
{
    public void Configure(EntityTypeBuilder<MirrorSyncPointRecord> sync)
    {
        sync.HasKey(s => s.Id);
        sync.Property(s => s.Topic).HasMaxLength(249);
        sync.HasIndex(s => new { s.RunId, s.Topic, s.Partition, s.SourceOffset });
    }
}

/// <summary>A mirror worker that is alive: each renews its row on every pass, so a run's partitions can be spread over
/// the live workers.</summary>
public sealed class MirrorWorkerPresence
{
    public required string Owner { get; set; }

    public DateTimeOffset SeenAt { get; set; }
}

internal sealed class MirrorWorkerPresenceConfiguration : IEntityTypeConfiguration<MirrorWorkerPresence>
{
    public void Configure(EntityTypeBuilder<MirrorWorkerPresence> presence)
    {
        presence.ToTable("MirrorWorkers");
        presence.HasKey(p => p.Owner);
        presence.Property(p => p.Owner).HasMaxLength(200);
    }
}
