namespace KafkaMigrationPortal.Engine.KafkaChecks;

/// <summary>
/// Looks at an Apache Kafka on Heroku cluster from outside the app, with clients built from the attachment's config
/// vars. Topic and group names go in and come out unprefixed; the attachment's <c>_PREFIX</c> is applied on the wire.
/// No method throws for an unreachable, misconfigured or misbehaving cluster: the result's outcome says so.
/// An empty <c>topics</c> list means every topic the attachment sees (its prefix, no internal <c>__</c> topics).
/// </summary>
public interface IKafkaInspector
{
    /// <summary>Can the brokers be reached, and how many are there. The cheapest way to learn that a step needs a human.</summary>
    Task<KafkaCheckResult<ClusterReachability>> CheckReachableAsync(KafkaAttachmentVars attachment, CancellationToken ct = default);

    /// <summary>
    /// Lag per group, topic and partition: metadata once, batched ListOffsets (earliest, latest) for all partitions,
    /// and per group a consumer handle carrying the group id (OffsetFetch; no group is joined), all concurrently.
    /// Requests carry up to <see cref="KafkaChecksOptions.PartitionsPerRequest"/> partitions each.
    /// </summary>
    Task<KafkaCheckResult<LagSnapshot>> GetLagAsync(KafkaAttachmentVars attachment, IReadOnlyCollection<string> groups,
        IReadOnlyCollection<string> topics, CancellationToken ct = default);

    /// <summary>Earliest and latest offset of every partition of the topics.</summary>
    Task<KafkaCheckResult<WatermarkSnapshot>> GetWatermarksAsync(KafkaAttachmentVars attachment, IReadOnlyCollection<string> topics,
        CancellationToken ct = default);

    /// <summary>The timestamp of the oldest retained record of every partition (one record read per non-empty partition).</summary>
    Task<KafkaCheckResult<OldestRetainedSnapshot>> OldestRetainedAsync(KafkaAttachmentVars attachment, IReadOnlyCollection<string> topics,
        CancellationToken ct = default);

    /// <summary>
    /// Commits on <paramref name="newCluster"/>, for every group and every partition of the topics there, the offset of
    /// the first record the group has not consumed on <paramref name="oldCluster"/> (<see cref="PositionMethod"/> says
    /// how each was found); never moves a group back that is already further on the new cluster. Idempotent.
    /// </summary>
    Task<KafkaCheckResult<ConsumerPositionsReport>> CarryConsumerPositionsAsync(KafkaAttachmentVars oldCluster, KafkaAttachmentVars newCluster,
        IReadOnlyCollection<string> groups, IReadOnlyCollection<string> topics, CancellationToken ct = default);

    /// <summary><see cref="OldestRetainedAsync"/> judged by <see cref="ParityVerdict.Decide"/>.</summary>
    Task<KafkaCheckResult<ParityVerdict>> CheckParityAsync(KafkaAttachmentVars oldCluster, IReadOnlyCollection<string> topics,
        DateTimeOffset doubleWriteStartedAt, CancellationToken ct = default);
}

public sealed record ClusterReachability(string Attachment, int BrokerCount, int TopicCount);
