using System.Text.Json;
using System.Text.Json.Serialization;

namespace KafkaMigrationPortal.Heroku.Kafka;

// Shapes of the Kafka data API as the heroku-kafka CLI plugin reads them; not covered by the Platform API schema.
// Members the plugin does not rely on are nullable so that a missing field does not break deserialisation.

public sealed record KafkaCluster(
    [property: JsonPropertyName("state")] KafkaClusterState? State,
    [property: JsonPropertyName("version")] JsonElement? Version,
    [property: JsonPropertyName("topic_prefix")] string? TopicPrefix,
    [property: JsonPropertyName("shared_cluster")] bool SharedCluster,
    [property: JsonPropertyName("limits")] KafkaClusterLimits? Limits,
    [property: JsonPropertyName("capabilities")] KafkaClusterCapabilities? Capabilities)
{
    /// <summary>Kafka version(s) as text, whether Heroku sends a string or a list.</summary>
    public string? VersionText => Version switch
    {
        { ValueKind: JsonValueKind.String } v => v.GetString(),
        { ValueKind: JsonValueKind.Array } v => string.Join(", ", v.EnumerateArray().Select(e => e.ToString())),
        { ValueKind: not (JsonValueKind.Null or JsonValueKind.Undefined) } v => v.ToString(),
        _ => null,
    };
}

public sealed record KafkaClusterState([property: JsonPropertyName("message")] string? Message);

public sealed record KafkaClusterLimits(
    [property: JsonPropertyName("max_topics")] int? MaxTopics,
    [property: JsonPropertyName("max_partition_replica_count")] int? MaxPartitionReplicaCount,
    [property: JsonPropertyName("minimum_retention_ms")] long? MinimumRetentionMs,
    [property: JsonPropertyName("default_retention_ms")] long? DefaultRetentionMs,
    [property: JsonPropertyName("data_size")] KafkaDataSize? DataSize);

public sealed record KafkaDataSize([property: JsonPropertyName("limit_bytes")] long? LimitBytes);

public sealed record KafkaClusterCapabilities(
    [property: JsonPropertyName("supports_mixed_cleanup_policy")] bool? SupportsMixedCleanupPolicy);

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
