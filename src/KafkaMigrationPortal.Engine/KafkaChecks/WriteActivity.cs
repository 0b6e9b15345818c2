namespace KafkaMigrationPortal.Engine.KafkaChecks;

/// <param name="LatestBefore">Null when the partition did not exist in the earlier snapshot.</param>
public sealed record PartitionGrowth(string Topic, int Partition, long? LatestBefore, long LatestAfter)
{
    /// <summary>Records written between the snapshots. A high watermark that went down (topic re-created) counts as written.</summary>
    public long Written => LatestBefore is { } before ? (LatestAfter >= before ? LatestAfter - before : LatestAfter) : LatestAfter;

    public bool Grew => Written > 0;
}

/// <summary>What one cluster received between two watermark snapshots.</summary>
public sealed record WriteActivity(string Attachment, DateTimeOffset From, DateTimeOffset To, IReadOnlyList<PartitionGrowth> Partitions)
{
    public bool ReceivedWrites => Partitions.Any(p => p.Grew);

    public long RecordsWritten => Partitions.Sum(p => p.Written);

    /// <summary>The cluster's write rate between the snapshots; null when they were taken at the same instant.</summary>
    public double? RecordsPerSecond => To > From ? RecordsWritten / (To - From).TotalSeconds : null;

    public IReadOnlyList<string> TopicsWritten => [.. Partitions.Where(p => p.Grew).Select(p => p.Topic).Distinct().Order(StringComparer.Ordinal)];

    /// <summary>
    /// Compares two snapshots of the same cluster. Works across a durable wait: take <paramref name="before"/>, store it,
    /// schedule a job, take <paramref name="after"/> there.
    /// </summary>
    public static WriteActivity Compare(WatermarkSnapshot before, WatermarkSnapshot after)
    {
        if (!string.Equals(before.Attachment, after.Attachment, StringComparison.Ordinal))
            throw new ArgumentException($"Snapshots of {before.Attachment} and {after.Attachment} are not of the same cluster.", nameof(after));
        if (after.TakenAt < before.TakenAt)
            throw new ArgumentException("The later snapshot was taken before the earlier one.", nameof(after));
        var growth = after.Partitions
            .Select(a => new PartitionGrowth(a.Topic, a.Partition, before.Find(a.Topic, a.Partition)?.LatestOffset, a.LatestOffset))
            .ToList();
        return new WriteActivity(after.Attachment, before.TakenAt, after.TakenAt, growth);
    }
}
