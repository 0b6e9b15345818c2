namespace KafkaMigrationPortal.Features.KafkaChecks;

public sealed class KafkaChecksOptions
{
    /// <summary>
    /// How long to wait for the first metadata answer before calling the cluster unreachable. Private Spaces' brokers
    /// answer nobody outside the space, so this bounds how long a step waits before asking a human instead.
    /// </summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Per request once connected (ListOffsets, OffsetFetch, reading the oldest records).</summary>
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromSeconds(15);
}
