namespace KafkaMigrationPortal.Sandbox.Kafka;

public sealed class SandboxKafkaOptions
{
    /// <summary>Debugging switch: no TLS front, <c>kafka://</c> URLs and empty certificates.</summary>
    public bool Plaintext { get; set; }

    /// <summary>
    /// Heroku never creates a topic on first use; librdkafka's mock does. On (the default), the TLS front forbids it, so
    /// producing to or reading a topic not created through the data API fails. Has no effect with <see cref="Plaintext"/>.
    /// </summary>
    public bool RefuseTopicAutoCreation { get; set; } = true;

    /// <summary>The name in the brokers' server certificate; deliberately not the address clients dial.</summary>
    public string BrokerHostName { get; set; } = SandboxCertificates.DefaultBrokerHostName;

    /// <summary>
    /// The brokers' <c>group.initial.rebalance.delay.ms</c>. Kafka's 3 s default only slows the sandbox down;
    /// a short delay still lets dynos that start together join in one rebalance.
    /// </summary>
    public TimeSpan GroupInitialRebalanceDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// Kafka's <c>segment.ms</c>: a partition's log is split into segments, each holding the records appended within
    /// this time of its first one, and retention deletes whole segments. Kafka's default is 7 days; the sandbox's
    /// topics keep seconds of data, so its segments are short too.
    /// </summary>
    public TimeSpan SegmentRoll { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often the retention sweeper looks for segments older than their topic's retention.</summary>
    public TimeSpan RetentionSweepInterval { get; set; } = TimeSpan.FromSeconds(1);
}
