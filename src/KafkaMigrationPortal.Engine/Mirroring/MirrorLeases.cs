using KafkaMigrationPortal.Engine.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace KafkaMigrationPortal.Engine.Mirroring;

public sealed class MirrorOptions
{
    public const string SectionName = "Mirror";

    /// <summary>How long a partition's lease lasts unrenewed; a dead worker's partitions are taken over after it.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often a worker looks for runs to mirror, renews its leases and writes progress.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The most partitions of one run a worker copies; the rest are left to other workers. Below it, the live
    /// workers share a run's partitions evenly (<see cref="MirrorLeases.AnnounceAsync"/>).</summary>
    public int MaxPartitionsPerWorker { get; set; } = 256;

    /// <summary>A sync point every this many records of a partition (<see cref="MirrorCopierOptions.SyncEvery"/>).</summary>
    public int SyncEvery { get; set; } = 1000;
}

/// <summary>
/// The partitions a run mirrors, their leases and their progress, in the portal's database. A lease is taken by a
/// conditional UPDATE that matches only a free, own or expired lease, so across every process and both providers at
/// most one worker holds a partition, and none takes one whose holder's lease has not yet run out.
/// </summary>
public sealed class MirrorLeases(IDbContextFactory<PortalDbContext> contexts, TimeProvider time, IOptions<MirrorOptions> options)
{
    /// <summary>Adds a row for every partition that has none; existing rows (and their leases) are left alone.</summary>
    public async Task EnsurePartitionsAsync(Guid runId, IReadOnlyCollection<MirrorPartition> partitions, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var known = (await db.MirrorPartitions.Where(l => l.RunId == runId).Select(l => new { l.Topic, l.Partition }).ToListAsync(ct))
            .Select(l => new MirrorPartition(l.Topic, l.Partition)).ToHashSet();
        foreach (var partition in partitions.Where(p => !known.Contains(p)))
            db.MirrorPartitions.Add(new MirrorPartitionLease { RunId = runId, Topic = partition.Topic, Partition = partition.Partition });
        await db.SaveChangesAsync(ct);
    }

    public async Task<IReadOnlyList<MirrorPartitionLease>> PartitionsAsync(Guid runId, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await db.MirrorPartitions.AsNoTracking().Where(l => l.RunId == runId)
            .OrderBy(l => l.Topic).ThenBy(l => l.Partition).ToListAsync(ct);
    }

    /// <returns>Whether <paramref name="owner"/> now holds the partition (it was free, its own, or expired).</returns>
    public async Task<bool> TryAcquireAsync(Guid runId, MirrorPartition partition, string owner, CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        var expires = now + options.Value.LeaseDuration;
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await db.MirrorPartitions
            .Where(l => l.RunId == runId && l.Topic == partition.Topic && l.Partition == partition.Partition
                && (l.Owner == null || l.Owner == owner || l.ExpiresAt == null || l.ExpiresAt < now))
            .ExecuteUpdateAsync(s => s.SetProperty(l => l.Owner, owner).SetProperty(l => l.ExpiresAt, expires), ct) == 1;
    }

    /// <summary>Extends every lease <paramref name="owner"/> still holds on the run; returns the partitions it holds.</summary>
    public async Task<IReadOnlySet<MirrorPartition>> RenewAsync(Guid runId, string owner, CancellationToken ct = default)
    {
        var expires = time.GetUtcNow() + options.Value.LeaseDuration;
        await using var db = await contexts.CreateDbContextAsync(ct);
        await db.MirrorPartitions.Where(l => l.RunId == runId && l.Owner == owner)
            .ExecuteUpdateAsync(s => s.SetProperty(l => l.ExpiresAt, expires), ct);
        return (await db.MirrorPartitions.AsNoTracking().Where(l => l.RunId == runId && l.Owner == owner)
            .Select(l => new { l.Topic, l.Partition }).ToListAsync(ct)).Select(l => new MirrorPartition(l.Topic, l.Partition)).ToHashSet();
    }

    /// <summary>
    /// Renews <paramref name="owner"/>'s presence and answers how many workers are alive (seen within a lease), itself
    /// included; rows of workers gone for an hour are removed.
    /// </summary>
    public async Task<int> AnnounceAsync(string owner, CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        await using var db = await contexts.CreateDbContextAsync(ct);
        if (await db.MirrorWorkers.Where(w => w.Owner == owner).ExecuteUpdateAsync(s => s.SetProperty(w => w.SeenAt, now), ct) == 0)
        {
            db.MirrorWorkers.Add(new MirrorWorkerPresence { Owner = owner, SeenAt = now });
            await db.SaveChangesAsync(ct);
        }
        var gone = now - TimeSpan.FromHours(1);
        await db.MirrorWorkers.Where(w => w.SeenAt < gone).ExecuteDeleteAsync(ct);
        var alive = now - options.Value.LeaseDuration;
        return await db.MirrorWorkers.CountAsync(w => w.SeenAt >= alive, ct);
    }

    /// <summary>A worker that stops: the others no longer count it.</summary>
    public async Task RetireAsync(string owner, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        await db.MirrorWorkers.Where(w => w.Owner == owner).ExecuteDeleteAsync(ct);
    }

    /// <summary>
    /// Gives partitions up for another worker, by letting their leases run out rather than freeing them: they are
    /// renewed no more, and no worker takes them before they expire, so records this worker's producer still had in
    /// flight land before anyone reads the target's tail again.
    /// </summary>
    public async Task LetLapseAsync(Guid runId, string owner, IReadOnlyCollection<MirrorPartition> partitions, CancellationToken ct = default)
    {
        var lapsing = LapsingOwner(owner);
        await using var db = await contexts.CreateDbContextAsync(ct);
        foreach (var partition in partitions)
            await db.MirrorPartitions.Where(l => l.RunId == runId && l.Topic == partition.Topic && l.Partition == partition.Partition && l.Owner == owner)
                .ExecuteUpdateAsync(s => s.SetProperty(l => l.Owner, lapsing), ct);
    }

    /// <summary>Who holds a partition given up by <paramref name="owner"/> until its lease runs out.</summary>
    public static string LapsingOwner(string owner) => owner + " (giving up)";

    public async Task ReleaseAsync(Guid runId, string owner, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        await db.MirrorPartitions.Where(l => l.RunId == runId && l.Owner == owner)
            .ExecuteUpdateAsync(s => s.SetProperty(l => l.Owner, (string?)null).SetProperty(l => l.ExpiresAt, (DateTimeOffset?)null), ct);
    }

    /// <summary>Writes a partition's progress if <paramref name="owner"/> still holds it; false when it does not.</summary>
    public async Task<bool> RecordProgressAsync(Guid runId, string owner, MirrorPartition partition, long copiedOffset, long? sourceEnd,
        double recordsPerSecond, CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await db.MirrorPartitions
            .Where(l => l.RunId == runId && l.Topic == partition.Topic && l.Partition == partition.Partition && l.Owner == owner)
            .ExecuteUpdateAsync(s => s.SetProperty(l => l.CopiedOffset, copiedOffset).SetProperty(l => l.SourceEnd, sourceEnd)
                .SetProperty(l => l.RecordsPerSecond, recordsPerSecond).SetProperty(l => l.ProgressAt, now), ct) == 1;
    }

    /// <summary>Stores sync points. Each is a fact about the new cluster once its record was acknowledged, whoever
    /// copied it, so repeats are harmless.</summary>
    public async Task AddSyncPointsAsync(Guid runId, IEnumerable<OffsetSyncPoint> syncs, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        db.MirrorSyncPoints.AddRange(syncs.Select(s => new MirrorSyncPointRecord
        {
            RunId = runId, Topic = s.Partition.Topic, Partition = s.Partition.Partition, SourceOffset = s.SourceOffset, TargetOffset = s.TargetOffset,
        }));
        await db.SaveChangesAsync(ct);
    }

    public async Task<IReadOnlyList<OffsetSyncPoint>> SyncPointsAsync(Guid runId, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return (await db.MirrorSyncPoints.AsNoTracking().Where(s => s.RunId == runId).ToListAsync(ct)).Select(s => s.ToSyncPoint()).ToList();
    }
}
