using System.Text.Json;
using System.Text.Json.Serialization;

namespace KafkaMigrationPortal.Heroku.Kafka;

// Shapes of the Kafka data API as the heroku-kafka CLI plugin reads them; not covered by the Platform API schema.
// Members the plugin does not rely on are nullable so that a missing field does not break deserialisation.

/// <summary>Cluster info. Every member is optional: Heroku may send <c>limits: {}</c> or leave members out.</summary>
/// <param name="DataSize">Bytes the cluster holds now (a number; the plugin prints it beside <c>limits.data_size.limit_bytes</c>).</param>
public sealed record KafkaCluster(
    [property: JsonPropertyName("state")] KafkaClusterState? State = null,
    [property: JsonPropertyName("version")] JsonElement? Version = null,
    [property: JsonPropertyName("topic_prefix")] string? TopicPrefix = null,
    [property: JsonPropertyName("shared_cluster")] bool? SharedCluster = null,
    [property: JsonPropertyName("limits")] KafkaClusterLimits? Limits = null,
    [property: JsonPropertyName("capabilities")] KafkaClusterCapabilities? Capabilities = null,
    [property: JsonPropertyName("data_size")] JsonElement? DataSize = null)
{
    /// <summary>Kafka version(s) as text, whether Heroku sends a string or a list.</summary>
    public string? VersionText => Version switch
    {
        { ValueKind: JsonValueKind.String } v => v.GetString(),
        { ValueKind: JsonValueKind.Array } v => string.Join(", ", v.EnumerateArray().Select(e => e.ToString())),
        { ValueKind: not (JsonValueKind.Null or JsonValueKind.Undefined) } v => v.ToString(),
        _ => null,
    };

    /// <summary>Bytes held now, when Heroku says (a number, or an object with <c>bytes</c>).</summary>
    public long? DataSizeBytes => DataSize switch
    {
        { ValueKind: JsonValueKind.Number } v when v.TryGetInt64(out var n) => n,
        { ValueKind: JsonValueKind.Number } v => (long)v.GetDouble(),
        { ValueKind: JsonValueKind.Object } v when v.TryGetProperty("bytes", out var b) && b.ValueKind == JsonValueKind.Number => (long)b.GetDouble(),
        _ => null,
    };
}

public sealed record KafkaClusterState([property: JsonPropertyName("message")] string? Message);

/// <summary>The limits the heroku-kafka plugin reads from cluster info (heroku-apis.md §5); any may be absent.</summary>
public sealed record KafkaClusterLimits(
    [property: JsonPropertyName("max_topics")] int? MaxTopics = null,
    [property: JsonPropertyName("max_partition_replica_count")] int? MaxPartitionReplicaCount = null,
    [property: JsonPropertyName("minimum_retention_ms")] long? MinimumRetentionMs = null,
    [property: JsonPropertyName("default_retention_ms")] long? DefaultRetentionMs = null,
    [property: JsonPropertyName("data_size")] KafkaDataSize? DataSize = null,
    [property: JsonPropertyName("maximum_retention_ms")] long? MaximumRetentionMs = null,
    [property: JsonPropertyName("minimum_replication")] int? MinimumReplication = null,
    [property: JsonPropertyName("maximum_replication")] int? MaximumReplication = null,
    [property: JsonPropertyName("max_number_of_partitions_per_topic")] int? MaxPartitionsPerTopic = null,
    [property: JsonPropertyName("max_number_of_total_partitions")] int? MaxTotalPartitions = null,
    [property: JsonPropertyName("produce_quota_bytes_per_second")] long? ProduceQuotaBytesPerSecond = null,
    [property: JsonPropertyName("consume_quota_bytes_per_second")] long? ConsumeQuotaBytesPerSecond = null);

public sealed record KafkaDataSize([property: JsonPropertyName("limit_bytes")] long? LimitBytes = null);

public sealed record KafkaClusterCapabilities(
    [property: JsonPropertyName("supports_mixed_cleanup_policy")] bool? SupportsMixedCleanupPolicy = null);

public sealed record KafkaWaitStatus(
    [property: JsonPropertyName("waiting?")] bool Waiting,
    [property: JsonPropertyName("healthy?")] bool? Healthy,
    [property: JsonPropertyName("error?")] bool? Error,
    [property: JsonPropertyName("deprovisioned?")] bool? Deprovisioned,
    [property: JsonPropertyName("missing?")] bool? Missing,
    [property: JsonPropertyName("message")] string? Message);

public sealed record KafkaTopicList(
    [property: JsonPropertyName("prefix")] string? Prefix,
    [property: JsonPropertyName("limits")] KafkaTopicLimits? Limits,
    [property: JsonPropertyName("topics")] IReadOnlyList<KafkaTopic> Topics);

public sealed record KafkaTopicLimits([property: JsonPropertyName("max_topics")] int? MaxTopics);

public sealed record KafkaTopic(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("prefix")] string? Prefix,
    [property: JsonPropertyName("partitions")] int Partitions,
    [property: JsonPropertyName("replication_factor")] int ReplicationFactor,
    [property: JsonPropertyName("retention_time_ms")] long? RetentionTimeMs,
    [property: JsonPropertyName("compaction")] bool Compaction,
    [property: JsonPropertyName("messages_in_per_second")] double? MessagesInPerSecond,
    [property: JsonPropertyName("bytes_in_per_second")] double? BytesInPerSecond,
    [property: JsonPropertyName("bytes_out_per_second")] double? BytesOutPerSecond);

/// <summary>A topic to create; the name is without the multi-tenant prefix. Partitions cannot change later.</summary>
public sealed record KafkaTopicCreate(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("partition_count")] int PartitionCount,
    [property: JsonPropertyName("replication_factor")] int? ReplicationFactor,
    [property: JsonPropertyName("retention_time_ms")] long? RetentionTimeMs,
    [property: JsonPropertyName("compaction")] bool Compaction);

/// <summary>A topic change; Heroku wants all three current values re-sent, not just the one that changes.</summary>
public sealed record KafkaTopicUpdate(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("retention_time_ms")] long? RetentionTimeMs,
    [property: JsonPropertyName("compaction")] bool Compaction,
    [property: JsonPropertyName("replication_factor")] int ReplicationFactor);

public sealed record KafkaTopicEnvelope<T>([property: JsonPropertyName("topic")] T Topic);

public sealed record KafkaConsumerGroup([property: JsonPropertyName("name")] string Name);

public sealed record KafkaConsumerGroupList(
    [property: JsonPropertyName("consumer_groups")] IReadOnlyList<KafkaConsumerGroup> ConsumerGroups);

public sealed record KafkaConsumerGroupEnvelope([property: JsonPropertyName("consumer_group")] KafkaConsumerGroup ConsumerGroup);

public enum ConsumerGroupCreation
{
    Created,
    /// <summary>Dedicated clusters answer that explicit consumer groups are not required: nothing to do.</summary>
    NotRequiredOnDedicatedCluster,
}
