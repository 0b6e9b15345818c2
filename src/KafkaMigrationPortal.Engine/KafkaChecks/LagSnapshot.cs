namespace KafkaMigrationPortal.Engine.KafkaChecks;

/// <summary>
/// One consumer group's position on one partition. Names are unprefixed, as the app and the data API use them.
/// </summary>
/// <param name="CommittedOffset">
/// The group's committed offset (the next record it will read), or null when the group has never committed on this
/// partition. Without a commit the group starts from the earliest retained record (the app's clients use
/// <c>auto.offset.reset=earliest</c>), so everything retained counts as unread: lag = end − earliest.
/// </param>
/// <param name="EarliestOffset">The log start offset: records before it are gone (retention, delete-records).</param>
/// <param name="EndOffset">The high watermark: the offset the next produced record will get.</param>
/// <param name="Lag">
/// Records the group has yet to read: end − max(committed, earliest). A commit below the log start counts only what
/// is still retained, since the group will be reset to the earliest record; it is never negative.
/// </param>
public sealed record PartitionLag(
    string Group, string Topic, int Partition, long? CommittedOffset, long EarliestOffset, long EndOffset, long Lag)
{
    public bool HasCommitted => CommittedOffset is not null;

    public static PartitionLag Compute(string group, string topic, int partition, long? committed, long earliest, long end)
    {
        var readFrom = committed is { } c ? Math.Max(c, earliest) : earliest;
        return new PartitionLag(group, topic, partition, committed, earliest, end, Math.Max(0, end - readFrom));
    }
}

/// <summary>Lag per group, topic and partition on one cluster at one moment.</summary>
public sealed record LagSnapshot(string Attachment, DateTimeOffset TakenAt, IReadOnlyList<PartitionLag> Partitions)
{
    public long TotalLag => Partitions.Sum(p => p.Lag);

    /// <summary>Every group has read everything retained on every partition.</summary>
    public bool IsCaughtUp => Partitions.All(p => p.Lag == 0);

    public IReadOnlyDictionary<string, long> LagByGroup =>
        Partitions.GroupBy(p => p.Group, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Sum(p => p.Lag), StringComparer.Ordinal);

    public IReadOnlyDictionary<(string Group, string Topic), long> LagByGroupAndTopic =>
        Partitions.GroupBy(p => (p.Group, p.Topic)).ToDictionary(g => g.Key, g => g.Sum(p => p.Lag));

    public PartitionLag? Find(string group, string topic, int partition) =>
        Partitions.FirstOrDefault(p => p.Group == group && p.Topic == topic && p.Partition == partition);

    /// <summary>
    /// Lag 0 that is also stable: both snapshots are caught up and no end offset moved between them other than by
    /// records the groups already read. Use with two snapshots taken some time apart (a durable wait).
    /// </summary>
    public static bool CaughtUpAndStable(LagSnapshot earlier, LagSnapshot later) =>
        earlier.IsCaughtUp && later.IsCaughtUp &&
        earlier.Partitions.Count == later.Partitions.Count &&
        earlier.Partitions.All(e => later.Find(e.Group, e.Topic, e.Partition) is { } l && l.EndOffset == e.EndOffset);
}

/// <param name="EarliestOffset">The log start offset: the first retained record.</param>
/// <param name="LatestOffset">The high watermark: one past the last record ever written.</param>
public sealed record PartitionWatermarks(string Topic, int Partition, long EarliestOffset, long LatestOffset)
{
    public long Retained => Math.Max(0, LatestOffset - EarliestOffset);

    /// <summary>Nothing retained. <see cref="LatestOffset"/> &gt; 0 tells that records were written and have since gone.</summary>
    public bool IsEmpty => Retained == 0;
}

public sealed record WatermarkSnapshot(string Attachment, DateTimeOffset TakenAt, IReadOnlyList<PartitionWatermarks> Partitions)
{
    public PartitionWatermarks? Find(string topic, int partition) =>
        Partitions.FirstOrDefault(p => p.Topic == topic && p.Partition == partition);

    public long TotalRetained => Partitions.Sum(p => p.Retained);
}
