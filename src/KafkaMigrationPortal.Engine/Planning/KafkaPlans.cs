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
}

/// <summary>
/// What a cluster accepts. Null means "not known": the check is skipped rather than guessed. Known plan limits are
/// used before the target exists; once it is provisioned, <see cref="FromClusterInfo"/> reads the real ones.
/// </summary>
/// <param name="MaxTotalPartitions">Partitions across all topics (multi-tenant plans' capacity).</param>
/// <param name="MaxPartitionReplicas">Partitions × replication factor across all topics (cluster info's <c>max_partition_replica_count</c>).</param>
public sealed record KafkaPlanLimits(
    int? MaxTopics = null,
    int? MinPartitionsPerTopic = null,
    int? MaxPartitionsPerTopic = null,
    int? MaxTotalPartitions = null,
    int? MaxPartitionReplicas = null,
    long? MinRetentionMs = null,
    long? MaxRetentionMs = null,
    int? MinReplicationFactor = null,
    int? MaxReplicationFactor = null)
{
    private static readonly long Hour = (long)TimeSpan.FromHours(1).TotalMilliseconds;

    public static readonly KafkaPlanLimits Unknown = new();

    /// <summary>Published limits of a plan (facts sheet §4); unknown plans get <see cref="Unknown"/>.</summary>
    public static KafkaPlanLimits ForPlan(string plan)
    {
        var tier = KafkaPlans.Tier(plan);
        return tier switch
        {
            "basic-0" => new(MaxTotalPartitions: 240),
            "basic-1" => new(MaxTotalPartitions: 480),
            "basic-2" => new(MaxTotalPartitions: 960),
            _ when IsDedicated(tier) => new(
                MinPartitionsPerTopic: 1,
                MaxPartitionsPerTopic: 256,
                MinRetentionMs: 6 * Hour,
                MaxRetentionMs: (tier.Contains("extended", StringComparison.Ordinal) ? 6 * 7 : 2 * 7) * 24 * Hour,
                MinReplicationFactor: 3,
                MaxReplicationFactor: 8),
            _ => Unknown,
        };
    }

    /// <summary>Limits a provisioned cluster reports, over the plan's published ones where it says nothing.</summary>
    public static KafkaPlanLimits FromClusterInfo(string plan, KafkaClusterLimits? limits)
    {
        var published = ForPlan(plan);
        if (limits is null) return published;
        return published with
        {
            MaxTopics = limits.MaxTopics ?? published.MaxTopics,
            MaxPartitionReplicas = limits.MaxPartitionReplicaCount ?? published.MaxPartitionReplicas,
            MinRetentionMs = limits.MinimumRetentionMs ?? published.MinRetentionMs,
        };
    }

    private static bool IsDedicated(string tier) =>
        tier.StartsWith("standard-", StringComparison.Ordinal) || tier.StartsWith("extended-", StringComparison.Ordinal)
        || tier.StartsWith("private-", StringComparison.Ordinal) || tier.StartsWith("shield-", StringComparison.Ordinal);
}
