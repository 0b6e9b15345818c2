namespace KafkaMigrationPortal.Engine.KafkaChecks;

/// <param name="OldestTimestamp">
/// The timestamp of the first retained record (as stored by the broker: the producer's create time unless the topic
/// uses log-append time). Null exactly when the partition retains nothing.
/// </param>
public sealed record PartitionOldestRecord(string Topic, int Partition, long EarliestOffset, long LatestOffset, DateTimeOffset? OldestTimestamp)
{
    public bool IsEmpty => LatestOffset <= EarliestOffset;

    /// <summary>Empty, but records were written once and have been removed (retention or delete-records).</summary>
    public bool WasEmptiedByRetention => IsEmpty && LatestOffset > 0;
}

public sealed record OldestRetainedSnapshot(string Attachment, DateTimeOffset TakenAt, IReadOnlyList<PartitionOldestRecord> Partitions);

/// <summary>
/// Whether the old cluster retains nothing that predates double-writing, so the new cluster holds (at least) every record
/// the old one still has, and consumers can switch without losing what retention would have kept.
/// </summary>
/// <param name="Holds">Every partition either is empty or has its oldest retained record strictly newer than the start.</param>
/// <param name="OlderThanStart">Partitions whose oldest retained record is at or before the start: the reason parity fails.</param>
/// <param name="EmptyPartitions">
/// Partitions that retain nothing. They count as in parity: there is no record on them that the new cluster could lack.
/// This covers both a partition never written (<see cref="PartitionOldestRecord.LatestOffset"/> = 0) and one whose records
/// all aged out; whether those aged-out records were consumed before they went is the lag check's question, not parity's.
/// </param>
public sealed record ParityVerdict(
    string Attachment, DateTimeOffset DoubleWriteStartedAt, bool Holds,
    IReadOnlyList<PartitionOldestRecord> OlderThanStart, IReadOnlyList<PartitionOldestRecord> EmptyPartitions)
{
    public string Summary => Holds
        ? $"Parity holds on {Attachment}: no retained record predates the double-write start ({EmptyPartitions.Count} partition(s) empty)."
        : $"Parity does not hold on {Attachment}: {OlderThanStart.Count} partition(s) still retain records from before the double-write start, e.g. " +
          string.Join(", ", OlderThanStart.Take(3).Select(p => $"{p.Topic}[{p.Partition}] at {p.OldestTimestamp:O}"));

    /// <summary>
    /// Strictly newer, not equal: a record stamped in the very millisecond double-writing was recorded may have been
    /// produced before the app restarted with both producers. Timestamps come from producers' clocks; the retention wait
    /// that precedes this check is long enough that skew of seconds does not change the answer in practice.
    /// </summary>
    public static ParityVerdict Decide(OldestRetainedSnapshot oldCluster, DateTimeOffset doubleWriteStartedAt)
    {
        var empty = oldCluster.Partitions.Where(p => p.IsEmpty).ToList();
        var older = oldCluster.Partitions
            .Where(p => !p.IsEmpty && p.OldestTimestamp is { } oldest && oldest <= doubleWriteStartedAt)
            .ToList();
        return new ParityVerdict(oldCluster.Attachment, doubleWriteStartedAt, older.Count == 0, older, empty);
    }
}
