using KafkaMigrationPortal.Heroku.Kafka;

namespace KafkaMigrationPortal.Engine.Planning;

/// <summary>Names of the Apache Kafka on Heroku plans, e.g. <c>heroku-kafka:basic-0</c> or <c>heroku-kafka:standard-1</c>.</summary>
public static class KafkaPlans
{
    public const string ServiceName = "heroku-kafka";

    /// <summary>The full plan name; accepts <c>standard-0</c> as well as <c>heroku-kafka:standard-0</c>.</summary>
    public static string Normalize(string plan)
    {
        var trimmed = plan.Trim();
        return trimmed.Contains(':', StringComparison.Ordinal) ? trimmed.ToLowerInvariant() : $"{ServiceName}:{trimmed.ToLowerInvariant()}";
    }

    public static bool IsKafkaPlan(string plan) => Normalize(plan).StartsWith(ServiceName + ":", StringComparison.Ordinal);

    /// <summary>The part after the colon, e.g. <c>basic-0</c>.</summary>
    public static string Tier(string plan) => Normalize(plan)[(Normalize(plan).IndexOf(':') + 1)..];

    /// <summary>Basic plans share a cluster between tenants and prefix every topic and group name.</summary>
    public static bool IsMultiTenant(string plan) => Tier(plan).StartsWith("basic-", StringComparison.Ordinal);

    public static bool SamePlan(string a, string b) => Normalize(a) == Normalize(b);

    /// <summary>
    /// The sandbox's twins of real plans (<c>basic-0-sandbox</c>, <c>standard-0-sandbox</c>): same limits, except a
    /// minimum retention of seconds that their cluster info reports. Heroku sells no such plan.
    /// </summary>
    public static bool IsSandboxOnly(string plan) => Tier(plan).EndsWith(SandboxSuffix, StringComparison.Ordinal);

    /// <summary>The real plan a sandbox-only plan copies; the plan itself otherwise.</summary>
    public static string RealPlan(string plan) => IsSandboxOnly(plan) ? Normalize(plan)[..^SandboxSuffix.Length] : Normalize(plan);

    private const string SandboxSuffix = "-sandbox";
}

/// <summary>
/// What a cluster accepts. Null means "not known": the check is skipped rather than guessed. Before the target exists
/// only the plan's published limits are known (<see cref="ForPlan"/>, a preview); once it is provisioned the run reads
/// what the cluster itself reports (<see cref="FromCluster"/>) before creating any topic.
/// </summary>
/// <param name="MaxTotalPartitions">Partitions across all topics (cluster info's <c>max_number_of_total_partitions</c>).</param>
/// <param name="MaxPartitionReplicas">Partitions × replication factor across all topics (cluster info's <c>max_partition_replica_count</c>).</param>
/// <param name="DataSizeBytes">What the cluster can hold (<c>limits.data_size.limit_bytes</c>).</param>
/// <param name="ProduceQuotaBytesPerSecond">Multi-tenant plans throttle writes beyond this.</param>
/// <param name="SupportsMixedCleanupPolicy">Whether a topic may be compacted and time-retained at once.</param>
public sealed record KafkaPlanLimits(
    int? MaxTopics = null,
    int? MinPartitionsPerTopic = null,
    int? MaxPartitionsPerTopic = null,
    int? MaxTotalPartitions = null,
    int? MaxPartitionReplicas = null,
    long? MinRetentionMs = null,
    long? MaxRetentionMs = null,
    int? MinReplicationFactor = null,
    int? MaxReplicationFactor = null,
    long? DefaultRetentionMs = null,
    long? DataSizeBytes = null,
    long? ProduceQuotaBytesPerSecond = null,
    long? ConsumeQuotaBytesPerSecond = null,
    bool? SupportsMixedCleanupPolicy = null)
{
    private static readonly long Hour = (long)TimeSpan.FromHours(1).TotalMilliseconds;
    private const long KiB = 1024;
    private const long GiB = 1024L * 1024 * 1024;

    public static readonly KafkaPlanLimits Unknown = new();

    /// <summary>Published limits of a plan (facts sheet §4); unknown plans get <see cref="Unknown"/>.</summary>
    public static KafkaPlanLimits ForPlan(string plan)
    {
        // A sandbox-only plan publishes nothing of its own: its minimum retention is whatever its cluster reports.
        if (KafkaPlans.IsSandboxOnly(plan)) return ForPlan(KafkaPlans.RealPlan(plan)) with { MinRetentionMs = null };
        var tier = KafkaPlans.Tier(plan);
        var extended = tier.Contains("extended", StringComparison.Ordinal);
        return tier switch
        {
            "basic-0" => Basic(240, 4 * GiB, 64 * KiB, 256 * KiB),
            "basic-1" => Basic(480, 32 * GiB, 512 * KiB, 2048 * KiB),
            "basic-2" => Basic(960, 64 * GiB, 4096 * KiB, 16384 * KiB),
            _ when IsDedicated(tier) => new(
                MinPartitionsPerTopic: 1,
                MaxPartitionsPerTopic: 256,
                MaxTotalPartitions: extended ? 32_000 : 12_000,
                MinRetentionMs: 6 * Hour,
                MaxRetentionMs: (extended ? 6 * 7 : 2 * 7) * 24 * Hour,
                MinReplicationFactor: 3,
                MaxReplicationFactor: extended ? 8 : 3),
            _ => Unknown,
        };
    }

    /// <summary>Limits a provisioned cluster reports, over the plan's published ones where it says nothing.</summary>
    public static KafkaPlanLimits FromClusterInfo(string plan, KafkaClusterLimits? limits) =>
        limits is null ? ForPlan(plan) : Reported(ForPlan(plan), limits, capabilities: null);

    /// <summary>Only what the cluster itself reports (the run trusts no table once the cluster exists).</summary>
    public static KafkaPlanLimits FromCluster(KafkaCluster cluster) =>
        Reported(Unknown, cluster.Limits ?? new KafkaClusterLimits(), cluster.Capabilities);

    private static KafkaPlanLimits Reported(KafkaPlanLimits fallback, KafkaClusterLimits limits, KafkaClusterCapabilities? capabilities) =>
        fallback with
        {
            MaxTopics = limits.MaxTopics ?? fallback.MaxTopics,
            MaxPartitionReplicas = limits.MaxPartitionReplicaCount ?? fallback.MaxPartitionReplicas,
            MinRetentionMs = limits.MinimumRetentionMs ?? fallback.MinRetentionMs,
            MaxRetentionMs = limits.MaximumRetentionMs ?? fallback.MaxRetentionMs,
            DefaultRetentionMs = limits.DefaultRetentionMs ?? fallback.DefaultRetentionMs,
            MinReplicationFactor = limits.MinimumReplication ?? fallback.MinReplicationFactor,
            MaxReplicationFactor = limits.MaximumReplication ?? fallback.MaxReplicationFactor,
            MaxPartitionsPerTopic = limits.MaxPartitionsPerTopic ?? fallback.MaxPartitionsPerTopic,
            MaxTotalPartitions = limits.MaxTotalPartitions ?? fallback.MaxTotalPartitions,
            DataSizeBytes = limits.DataSize?.LimitBytes ?? fallback.DataSizeBytes,
            ProduceQuotaBytesPerSecond = limits.ProduceQuotaBytesPerSecond ?? fallback.ProduceQuotaBytesPerSecond,
            ConsumeQuotaBytesPerSecond = limits.ConsumeQuotaBytesPerSecond ?? fallback.ConsumeQuotaBytesPerSecond,
            SupportsMixedCleanupPolicy = capabilities?.SupportsMixedCleanupPolicy ?? fallback.SupportsMixedCleanupPolicy,
        };

    /// <summary>
    /// The retention a topic is created with, as the CLI sends it: multi-tenant clusters always get one, and a topic that
    /// keeps messages for less than the cluster's minimum gets that minimum (longer on the new add-on loses nothing).
    /// </summary>
    public long? RetentionToSend(TopicSpec topic, bool multiTenant) =>
        topic.RetentionTimeMs is { } retention ? Math.Max(retention, MinRetentionMs ?? retention)
        : multiTenant ? DefaultRetentionMs ?? MinRetentionMs : null;

    /// <summary>Dev Center publishes no minimum retention for basic plans; the CLI's help says "at least 24h".</summary>
    private static KafkaPlanLimits Basic(int partitions, long bytes, long produce, long consume) =>
        new(MaxTotalPartitions: partitions, DataSizeBytes: bytes, ProduceQuotaBytesPerSecond: produce, ConsumeQuotaBytesPerSecond: consume,
            MinRetentionMs: 24 * Hour);

    private static bool IsDedicated(string tier) =>
        tier.StartsWith("standard-", StringComparison.Ordinal) || tier.StartsWith("extended-", StringComparison.Ordinal)
        || tier.StartsWith("private-", StringComparison.Ordinal) || tier.StartsWith("shield-", StringComparison.Ordinal);
}
