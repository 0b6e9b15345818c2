using System.Text.Json.Nodes;
using KafkaMigrationPortal.Sandbox.Http;

namespace KafkaMigrationPortal.Sandbox.Platform;

// Cluster info's limits and capabilities as the heroku-kafka plugin reads them (heroku-apis.md §4, §5), and the
// create-topic checks that follow from them.
public sealed partial class HerokuSandbox
{
    private JsonObject ClusterLimits(AddonRecord addon)
    {
        var limits = new JsonObject
        {
            ["max_topics"] = addon.Plan.MaxTopics,
            ["max_partition_replica_count"] = addon.Plan.MaxPartitionReplicas,
            ["minimum_retention_ms"] = MinimumRetentionMs(addon),
            ["maximum_retention_ms"] = addon.Plan.MaxRetentionMs,
            ["default_retention_ms"] = (long)_options.DefaultRetention.TotalMilliseconds,
            ["minimum_replication"] = addon.Plan.MinReplicationFactor,
            ["maximum_replication"] = addon.Plan.MaxReplicationFactor,
            ["max_number_of_partitions_per_topic"] = KafkaPlan.MaxPartitionsPerTopic,
            ["max_number_of_total_partitions"] = addon.Plan.MaxTotalPartitions,
            ["data_size"] = new JsonObject { ["limit_bytes"] = addon.Plan.DataSizeBytes },
        };
        if (addon.Plan.ProduceQuotaBytesPerSecond is { } produce)
        {
            limits["produce_quota_bytes_per_second"] = produce;
        }

        if (addon.Plan.ConsumeQuotaBytesPerSecond is { } consume)
        {
            limits["consume_quota_bytes_per_second"] = consume;
        }

        return limits;
    }

    /// <summary>The plan's minimum; on a sandbox-only plan the sandbox's own (configurable, short) one.</summary>
    private long MinimumRetentionMs(AddonRecord addon) =>
        addon.Plan.MinRetentionMs ?? (long)_options.MinimumRetention.TotalMilliseconds;

    private bool SupportsMixedCleanupPolicy(AddonRecord addon) =>
        !_options.PlansWithoutMixedCleanupPolicy.Contains(addon.Plan.Name, StringComparer.Ordinal);

    private void ValidateCapacityAndCleanup(AddonRecord addon, int partitions, bool compaction, bool retentionSent)
    {
        var total = addon.Topics.Values.Sum(t => t.Partitions);
        if (total + partitions > addon.Plan.MaxTotalPartitions)
        {
            throw SandboxApiException.InvalidParams(
                $"This cluster holds at most {addon.Plan.MaxTotalPartitions} partitions (max_number_of_total_partitions); it has {total}.");
        }

        if (compaction && retentionSent && !SupportsMixedCleanupPolicy(addon))
        {
            throw SandboxApiException.InvalidParams(
                "This cluster does not support compaction together with time-based retention (supports_mixed_cleanup_policy is false): send retention_time_ms null for a compacted topic.");
        }
    }
}
