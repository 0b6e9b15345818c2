namespace KafkaMigrationPortal.Engine.KafkaChecks;

public sealed class KafkaChecksOptions
{
    /// <summary>
    /// How long to wait for the first metadata answer before calling the cluster unreachable. Private Spaces' brokers
    /// answer nobody outside the space, so this bounds how long a step waits before asking a human instead.
    /// </summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Per request once connected (ListOffsets, OffsetFetch, reading the oldest records).</summary>
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Partitions per ListOffsets / OffsetFetch request. Handling a request costs more than linearly in its partition
    /// count (measured on the mock cluster: 3,200 partitions in one OffsetFetch about 1 s, in 8 requests of 400 about
    /// 0.1 s), so large snapshots go out as several batched requests at once instead of one huge one.
    /// </summary>
    public int PartitionsPerRequest { get; set; } = 400;

    /// <summary>
    /// How long a cluster connection (admin client, the groups' handles) is kept after a check for the next one; zero
    /// closes it after every check. Checks repeat every few seconds while a page or a wait watches a cluster.
    /// </summary>
    public TimeSpan IdleConnectionLifetime { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// How far apart producers' clocks may be (record timestamps are the producer's). Carrying a consumer group's
    /// position by time starts this much earlier, trading a few duplicates for never skipping a record.
    /// </summary>
    public TimeSpan ClockSkewMargin { get; set; } = TimeSpan.FromSeconds(5);
}
