using System.Globalization;

namespace KafkaMigrationPortal.Engine.Planning;

/// <summary>What the old add-on puts on the new one besides its topics: write rate and data held.</summary>
/// <param name="BytesInPerSecond">Sum of the topic list's <c>bytes_in_per_second</c>; null when Heroku reports none.</param>
/// <param name="DataSizeBytes">Cluster info's <c>data_size</c>; null when not reported.</param>
public sealed record SourceLoad(double? BytesInPerSecond, long? DataSizeBytes)
{
    public static readonly SourceLoad Unknown = new(null, null);
}

/// <summary>
/// Whether a target can hold the source's topics and load. Used twice: by <see cref="PlanValidator"/> against the
/// target plan's published limits, and by the run right after the target is provisioned, against what its cluster
/// info reports, before any topic is created. Every message names the limit and the numbers.
/// </summary>
public static class TargetFit
{
    public const string MixedCleanupCode = "target-mixed-cleanup";
    public const string ProduceQuotaCode = "target-produce-quota";
    public const string DataSizeCode = "target-data-size";

    public static IReadOnlyList<PlanRefusal> Check(IReadOnlyList<TopicSpec> topics, KafkaPlanLimits limits, string plan, bool multiTenant, SourceLoad? load = null)
    {
        var refusals = new List<PlanRefusal>();
        void Refuse(string code, string message) => refusals.Add(new(code, message));
        topics = topics.Where(t => !t.Name.StartsWith("__", StringComparison.Ordinal)).ToList();

        if (limits.MaxTopics is { } maxTopics && topics.Count > maxTopics)
            Refuse(RefusalCodes.TargetTooFewTopics, $"The source has {topics.Count} topics; {plan} allows {maxTopics} (max_topics).");
        foreach (var topic in topics)
        {
            if (limits.MaxPartitionsPerTopic is { } max && topic.Partitions > max)
                Refuse(RefusalCodes.TargetPartitionsPerTopic, $"Topic '{topic.Name}' has {topic.Partitions} partitions; {plan} allows at most {max} per topic.");
            if (limits.MinPartitionsPerTopic is { } min && topic.Partitions < min)
                Refuse(RefusalCodes.TargetPartitionsPerTopic, $"Topic '{topic.Name}' has {topic.Partitions} partitions; {plan} needs at least {min} per topic.");
            if (topic.RetentionTimeMs is { } retention)
            {
                // Shorter than the target's minimum is no refusal: the topic is created with that minimum (RetentionToSend),
                // and keeping messages longer on the new add-on loses nothing.
                if (limits.MaxRetentionMs is { } maxRetention && retention > maxRetention)
                    Refuse(RefusalCodes.TargetRetentionTooLong, $"Topic '{topic.Name}' keeps messages for {Hours(retention)}; {plan} keeps them at most {Hours(maxRetention)} (maximum_retention_ms).");
            }
            if (!multiTenant && (topic.ReplicationFactor < limits.MinReplicationFactor || topic.ReplicationFactor > limits.MaxReplicationFactor))
                Refuse(RefusalCodes.TargetReplicationFactor, $"Topic '{topic.Name}' has replication factor {topic.ReplicationFactor}; {plan} accepts {limits.MinReplicationFactor}–{limits.MaxReplicationFactor} (minimum/maximum_replication).");
            if (topic.Compacted && limits.SupportsMixedCleanupPolicy == false && limits.RetentionToSend(topic, multiTenant) is { } sent)
                Refuse(MixedCleanupCode, topic.RetentionTimeMs is null
                    ? $"Topic '{topic.Name}' is compacted; {plan} is multi-tenant, so it must also get a time retention ({Hours(sent)}), and it does not support compaction together with time retention (supports_mixed_cleanup_policy is false). Choose a dedicated plan, or stop compacting the topic."
                    : $"Topic '{topic.Name}' is compacted and keeps messages for {Hours(sent)}; {plan} does not support compaction together with time retention (supports_mixed_cleanup_policy is false). Turn the topic's time retention off on the old add-on first, or choose another plan.");
        }
        var totalPartitions = topics.Sum(t => t.Partitions);
        if (limits.MaxTotalPartitions is { } maxTotal && totalPartitions > maxTotal)
            Refuse(RefusalCodes.TargetTotalPartitions, $"The source's topics have {totalPartitions} partitions in all; {plan} holds {maxTotal}.");
        var replicas = topics.Sum(t => t.Partitions * t.ReplicationFactor);
        if (limits.MaxPartitionReplicas is { } maxReplicas && replicas > maxReplicas)
            Refuse(RefusalCodes.TargetTotalPartitions, $"The source's topics need {replicas} partition replicas; {plan} holds {maxReplicas} (max_partition_replica_count).");

        if (load?.BytesInPerSecond is { } rate && limits.ProduceQuotaBytesPerSecond is { } quota && rate > quota)
            Refuse(ProduceQuotaCode, $"The old add-on's topics take {KiBps(rate)} of writes (bytes_in_per_second); {plan} accepts {KiBps(quota)} (produce quota) and throttles producers beyond it. Choose a larger plan.");
        if (load?.DataSizeBytes is { } size && limits.DataSizeBytes is { } capacity && size > capacity)
            Refuse(DataSizeCode, $"The old add-on holds {Bytes(size)}; {plan} holds {Bytes(capacity)} (data_size limit): at the same write rate and retention the new add-on would fill up. Choose a larger plan or shorten retention first.");
        return refusals;
    }

    internal static string Hours(long milliseconds)
    {
        var span = TimeSpan.FromMilliseconds(milliseconds);
        if (span.TotalMinutes < 1) return $"{span.TotalSeconds.ToString("0.##", CultureInfo.InvariantCulture)} s";
        if (span.TotalHours < 1) return $"{span.TotalMinutes.ToString("0.##", CultureInfo.InvariantCulture)} min";
        return span.TotalHours >= 48 && span.TotalDays == Math.Floor(span.TotalDays)
            ? $"{span.TotalDays.ToString(CultureInfo.InvariantCulture)} days"
            : $"{span.TotalHours.ToString("0.##", CultureInfo.InvariantCulture)} hours";
    }

    private static string KiBps(double bytesPerSecond) => $"{(bytesPerSecond / 1024).ToString("0.#", CultureInfo.InvariantCulture)} KB/s";

    private static string Bytes(long bytes) => bytes >= 1L << 30
        ? $"{(bytes / (double)(1L << 30)).ToString("0.#", CultureInfo.InvariantCulture)} GB"
        : $"{(bytes / (double)(1L << 20)).ToString("0.#", CultureInfo.InvariantCulture)} MB";
}
