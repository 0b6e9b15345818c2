using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using KafkaMigrationPortal.Sandbox.Http;
using KafkaMigrationPortal.Sandbox.Kafka;
using Microsoft.Extensions.Logging;

namespace KafkaMigrationPortal.Sandbox.Platform;

// The Kafka data API (api.data.heroku.com/data/kafka/v0/clusters/{addon}), facts in heroku-apis.md §2.
// Names are unprefixed here; the prefix is added on the brokers.
public sealed partial class HerokuSandbox
{
    private const int DefaultPartitions = 8;

    [GeneratedRegex("^[A-Za-z0-9._-]{1,200}$")]
    private static partial Regex KafkaNamePattern();

    public JsonObject GetCluster(SandboxCaller caller, string cluster) => Mutate(() =>
    {
        var addon = FindProvisionedClusterLocked(caller, cluster);
        return new JsonObject
        {
            ["id"] = addon.Id.ToString(),
            ["name"] = addon.Name,
            ["addon"] = new JsonObject { ["id"] = addon.Id.ToString(), ["name"] = addon.Name },
            ["app"] = new JsonObject { ["id"] = addon.App.Id.ToString(), ["name"] = addon.App.Name },
            ["plan"] = addon.Plan.Name,
            ["state"] = new JsonObject { ["message"] = "available", ["status"] = "available" },
            ["version"] = new JsonArray("3.9.0"),
            ["topic_prefix"] = addon.TopicPrefix,
            ["shared_cluster"] = addon.Plan.MultiTenant,
            ["limits"] = ClusterLimits(addon),
            ["capabilities"] = new JsonObject { ["supports_mixed_cleanup_policy"] = SupportsMixedCleanupPolicy(addon) },
            ["data_size"] = 0,
            ["topics"] = new JsonArray([.. addon.Topics.Keys.Select(n => (JsonNode)n)]),
            ["partition_replica_count"] = PartitionReplicas(addon),
            ["created_at"] = HerokuJson.Time(addon.CreatedAt),
        };
    });

    /// <summary>Answers while provisioning (that is what it is polled for); 410 once deprovisioned.</summary>
    public JsonObject GetWaitStatus(SandboxCaller caller, string cluster) => Mutate(() =>
    {
        CompleteDueProvisioningLocked();
        var addon = FindClusterAddonLocked(caller, cluster);
        if (addon.State == AddonStates.Deprovisioned)
        {
            throw new SandboxApiException(410, "gone", "This cluster has been deprovisioned.");
        }

        var waiting = addon.State == AddonStates.Provisioning;
        return new JsonObject
        {
            ["waiting?"] = waiting,
            ["healthy?"] = !waiting,
            ["error?"] = false,
            ["deprovisioned?"] = false,
            ["message"] = waiting ? "provisioning" : "available",
        };
    });

    /// <summary>
    /// Lists Kafka's internal <c>__consumer_offsets</c> too, as Heroku does (name and throughput only), and topics still
    /// being created with <c>partitions: 0</c>. There is no per-topic GET on Heroku: clients filter this list.
    /// </summary>
    public JsonObject ListTopics(SandboxCaller caller, string cluster) => Mutate(() =>
    {
        var addon = FindProvisionedClusterLocked(caller, cluster);
        return new JsonObject
        {
            ["prefix"] = addon.TopicPrefix,
            ["limits"] = new JsonObject { ["max_topics"] = addon.Plan.MaxTopics },
            ["topics"] = new JsonArray([RenderInternalTopic(), .. addon.Topics.Values.Select(t => (JsonNode)RenderTopic(addon, t))]),
        };
    });

    /// <summary>POST …/topics <c>{topic:{name, partition_count, replication_factor, retention_time_ms, compaction}}</c>.</summary>
    public JsonObject CreateTopic(SandboxCaller caller, string cluster, JsonNode? body) => Mutate(() =>
    {
        var addon = FindProvisionedClusterLocked(caller, cluster);
        var topic = body?["topic"] as JsonObject ?? throw SandboxApiException.InvalidParams("Expected {\"topic\": {...}}.");
        var name = ReadString(topic, "name") ?? throw SandboxApiException.InvalidParams("Topic name is required.");
        if (!KafkaNamePattern().IsMatch(name) || name is "." or "..")
        {
            throw SandboxApiException.InvalidParams("Topic names may contain only letters, digits, '.', '_' and '-'.");
        }

        if (addon.Topics.ContainsKey(name))
        {
            throw SandboxApiException.Conflict($"Topic {name} already exists.");
        }

        if (addon.Topics.Count >= addon.Plan.MaxTopics)
        {
            throw SandboxApiException.InvalidParams($"This plan allows at most {addon.Plan.MaxTopics} topics.");
        }

        var partitions = ReadInt(topic, "partition_count") ?? DefaultPartitions;
        if (partitions is < 1 or > KafkaPlan.MaxPartitionsPerTopic)
        {
            throw SandboxApiException.InvalidParams($"partition_count must be between 1 and {KafkaPlan.MaxPartitionsPerTopic}.");
        }

        var replication = ReadInt(topic, "replication_factor") ?? addon.Plan.MinReplicationFactor;
        ValidateReplication(addon, replication);
        var retention = ReadLong(topic, "retention_time_ms") ?? (long)_options.DefaultRetention.TotalMilliseconds;
        ValidateRetention(addon, retention);
        var compaction = ReadBool(topic, "compaction") ?? false;
        ValidateCapacityAndCleanup(addon, partitions, compaction, ReadLong(topic, "retention_time_ms") is not null);
        if (PartitionReplicas(addon) + partitions * replication > addon.Plan.MaxPartitionReplicas)
        {
            throw SandboxApiException.InvalidParams(
                $"This plan allows at most {addon.Plan.MaxPartitionReplicas} partition replicas in total.");
        }

        var record = new TopicRecord(name, partitions, replication, retention, compaction, Now)
        {
            ReadyAt = Now + _options.TopicReadyDelay,
        };
        addon.Topics.Add(name, record);
        if (_options.TopicReadyDelay <= TimeSpan.Zero)
        {
            MakeTopicReadyLocked(addon, record);
        }
        else
        {
            CompleteLater(_options.TopicReadyDelay);
        }

        return RenderTopic(addon, record);
    });

    /// <summary>PUT …/topics/{name}: retention, compaction; partition count and replication factor cannot change.</summary>
    public JsonObject UpdateTopic(SandboxCaller caller, string cluster, string topicName, JsonNode? body) => Mutate(() =>
    {
        var addon = FindProvisionedClusterLocked(caller, cluster);
        var record = FindTopicLocked(addon, topicName);
        var topic = body?["topic"] as JsonObject ?? throw SandboxApiException.InvalidParams("Expected {\"topic\": {...}}.");
        if (ReadInt(topic, "partition_count") is { } partitions && partitions != record.Partitions)
        {
            throw SandboxApiException.InvalidParams("The partition count of a topic cannot be changed after creation.");
        }

        if (ReadInt(topic, "replication_factor") is { } replication && replication != record.ReplicationFactor)
        {
            throw SandboxApiException.InvalidParams("The replication factor of a topic cannot be changed after creation.");
        }

        var retention = ReadLong(topic, "retention_time_ms") ?? record.RetentionMs;
        ValidateRetention(addon, retention);
        record.Compaction = ReadBool(topic, "compaction") ?? record.Compaction;
        if (retention != record.RetentionMs)
        {
            record.RetentionMs = retention;
            _clusters?.Find(addon.Id)?.SetRetention(addon.TopicPrefix + record.Name, TimeSpan.FromMilliseconds(retention));
        }

        return RenderTopic(addon, record);
    });

    /// <summary>DELETE …/topics/{name}. Heroku deletes asynchronously; the sandbox forgets the topic at once (the mock
    /// brokers keep its data, they cannot delete topics).</summary>
    public JsonObject DeleteTopic(SandboxCaller caller, string cluster, string topicName) => Mutate(() =>
    {
        var addon = FindProvisionedClusterLocked(caller, cluster);
        var record = FindTopicLocked(addon, topicName);
        addon.Topics.Remove(record.Name);
        return new JsonObject { ["message"] = $"Topic {record.Name} is being deleted." };
    });

    /// <summary>Groups created through the API appear only once ready (<see cref="SandboxOptions.ConsumerGroupReadyDelay"/>).</summary>
    public JsonObject ListConsumerGroups(SandboxCaller caller, string cluster) => Mutate(() =>
    {
        var addon = FindProvisionedClusterLocked(caller, cluster);
        return new JsonObject
        {
            ["consumer_groups"] = new JsonArray([.. addon.ConsumerGroups.Select(g => (JsonNode)new JsonObject { ["name"] = g })]),
        };
    });

    /// <summary>POST …/consumer_groups <c>{consumer_group:{name}}</c>; dedicated clusters answer 400 "not required".</summary>
    public JsonObject CreateConsumerGroup(SandboxCaller caller, string cluster, JsonNode? body) => Mutate(() =>
    {
        var addon = FindProvisionedClusterLocked(caller, cluster);
        var name = ConsumerGroupName(body);
        if (!addon.Plan.MultiTenant)
        {
            throw SandboxApiException.BadRequest("Creating consumer groups is not required on dedicated clusters.");
        }

        // Creating a group that exists (or is being created) is a no-op, as public clients experience it on Heroku.
        if (!addon.ConsumerGroups.Contains(name) && !addon.PendingConsumerGroups.ContainsKey(name))
        {
            if (_options.ConsumerGroupReadyDelay <= TimeSpan.Zero)
            {
                addon.ConsumerGroups.Add(name);
            }
            else
            {
                addon.PendingConsumerGroups[name] = Now + _options.ConsumerGroupReadyDelay;
                CompleteLater(_options.ConsumerGroupReadyDelay);
            }
        }

        return new JsonObject { ["consumer_group"] = new JsonObject { ["name"] = name } };
    });

    /// <summary>DELETE …/consumer_groups <c>{consumer_group:{name}}</c> (the name is in the body, not the path).</summary>
    public JsonObject DeleteConsumerGroup(SandboxCaller caller, string cluster, JsonNode? body) => Mutate(() =>
    {
        var addon = FindProvisionedClusterLocked(caller, cluster);
        var name = ConsumerGroupName(body);
        if (!addon.ConsumerGroups.Remove(name) & !addon.PendingConsumerGroups.Remove(name))
        {
            throw SandboxApiException.NotFound($"Couldn't find consumer group {name}.");
        }

        return new JsonObject { ["consumer_group"] = new JsonObject { ["name"] = name } };
    });

    /// <summary>The topic exists on the brokers from now on and is listed with its partition count.</summary>
    private void MakeTopicReadyLocked(AddonRecord addon, TopicRecord topic)
    {
        CreateTopicOnBrokersLocked(addon, topic);
        topic.Ready = true;
    }

    /// <summary>Finishes the asynchronous creations that are due: topics reach the brokers, groups join the list.</summary>
    private void CompleteDueKafkaDataLocked()
    {
        var now = Now;
        foreach (var addon in _addons.Values)
        {
            foreach (var topic in addon.Topics.Values.Where(t => !t.Ready && t.ReadyAt <= now).ToList())
            {
                MakeTopicReadyLocked(addon, topic);
            }

            foreach (var (group, readyAt) in addon.PendingConsumerGroups.Where(g => g.Value <= now).ToList())
            {
                addon.PendingConsumerGroups.Remove(group);
                addon.ConsumerGroups.Add(group);
            }
        }
    }

    /// <summary>Heroku finishes a creation whether or not anyone looks, so a timer on the sandbox's clock does it too.</summary>
    private void CompleteLater(TimeSpan delay)
    {
        ITimer? timer = null;
        timer = _time.CreateTimer(_ =>
        {
            timer?.Dispose();
            try
            {
                Mutate(() =>
                {
                    CompleteDueKafkaDataLocked();
                    return 0;
                });
            }
            catch (ObjectDisposedException)
            {
                // The sandbox stopped first.
            }
            catch (Exception e) when (e is MockKafkaClusterException or InvalidOperationException)
            {
                _logger.LogWarning(e, "A topic could not be created on the brokers when it became ready");
            }
        }, null, delay, Timeout.InfiniteTimeSpan);
    }

    private void CreateTopicOnBrokersLocked(AddonRecord addon, TopicRecord topic)
    {
        if (_clusters?.Find(addon.Id) is not { } brokers)
        {
            return;
        }

        var fullName = addon.TopicPrefix + topic.Name;
        brokers.CreateTopic(fullName, topic.Partitions, Math.Min(topic.ReplicationFactor, Math.Max(1, _options.BrokersPerCluster)));
        brokers.SetRetention(fullName, TimeSpan.FromMilliseconds(topic.RetentionMs));
    }

    private AddonRecord FindClusterAddonLocked(SandboxCaller caller, string cluster)
    {
        try
        {
            return FindAddonLocked(caller, cluster, null);
        }
        catch (SandboxApiException e) when (e.StatusCode == 404)
        {
            throw SandboxApiException.NotFound("Couldn't find that Kafka cluster.");
        }
    }

    private AddonRecord FindProvisionedClusterLocked(SandboxCaller caller, string cluster)
    {
        CompleteDueProvisioningLocked();
        CompleteDueKafkaDataLocked();
        var addon = FindClusterAddonLocked(caller, cluster);
        if (addon.State != AddonStates.Provisioned)
        {
            throw SandboxApiException.NotFound("That Kafka cluster is not available (yet).");
        }

        return addon;
    }

    private static TopicRecord FindTopicLocked(AddonRecord addon, string topic)
    {
        var name = topic.StartsWith(addon.TopicPrefix, StringComparison.Ordinal) && addon.TopicPrefix.Length > 0
            && !addon.Topics.ContainsKey(topic)
            ? topic[addon.TopicPrefix.Length..]
            : topic;
        return addon.Topics.GetValueOrDefault(name) ?? throw SandboxApiException.NotFound($"Couldn't find topic {topic}.");
    }

    private static int PartitionReplicas(AddonRecord addon) => addon.Topics.Values.Sum(t => t.Partitions * t.ReplicationFactor);

    /// <summary>Kafka's offsets topic as the heroku-kafka plugin's fixtures show it: name and throughput, nothing else.</summary>
    private static JsonObject RenderInternalTopic() => new()
    {
        ["name"] = "__consumer_offsets",
        ["messages_in_per_second"] = 0,
        ["bytes_in_per_second"] = 0,
        ["bytes_out_per_second"] = 0,
    };

    /// <summary>A topic still being created is listed with <c>partitions: 0</c> ("not available yet" in the CLI).</summary>
    private static JsonObject RenderTopic(AddonRecord addon, TopicRecord topic) => new()
    {
        ["name"] = topic.Name,
        ["prefix"] = addon.TopicPrefix,
        ["partitions"] = topic.Ready ? topic.Partitions : 0,
        ["replication_factor"] = topic.ReplicationFactor,
        ["retention_time_ms"] = topic.RetentionMs,
        ["compaction"] = topic.Compaction,
        ["messages_in_per_second"] = 0,
        ["bytes_in_per_second"] = 0,
        ["bytes_out_per_second"] = 0,
    };

    private static void ValidateReplication(AddonRecord addon, int replication)
    {
        if (replication < addon.Plan.MinReplicationFactor || replication > addon.Plan.MaxReplicationFactor)
        {
            throw SandboxApiException.InvalidParams(
                $"replication_factor must be between {addon.Plan.MinReplicationFactor} and {addon.Plan.MaxReplicationFactor} on this plan.");
        }
    }

    private void ValidateRetention(AddonRecord addon, long retentionMs)
    {
        var minimum = MinimumRetentionMs(addon);
        if (retentionMs < minimum || retentionMs > addon.Plan.MaxRetentionMs)
        {
            throw SandboxApiException.InvalidParams(
                $"retention_time_ms must be between {minimum} and {addon.Plan.MaxRetentionMs} on this plan.");
        }
    }

    private static string ConsumerGroupName(JsonNode? body)
    {
        var name = ReadString(body?["consumer_group"] as JsonObject, "name")
            ?? throw SandboxApiException.InvalidParams("Expected {\"consumer_group\": {\"name\": ...}}.");
        if (!KafkaNamePattern().IsMatch(name))
        {
            throw SandboxApiException.InvalidParams("Consumer group names may contain only letters, digits, '.', '_' and '-'.");
        }

        return name;
    }

    private static long? ReadLong(JsonObject json, string property) => json[property] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<long>(out var n) => n,
        JsonValue v when v.GetValueKind() == JsonValueKind.String && long.TryParse(v.GetValue<string>(), out var n) => n,
        _ => throw SandboxApiException.InvalidParams($"{property} must be an integer."),
    };

    private static int? ReadInt(JsonObject json, string property) =>
        ReadLong(json, property) is { } n ? (n is >= int.MinValue and <= int.MaxValue ? (int)n : throw SandboxApiException.InvalidParams($"{property} is out of range.")) : null;

    private static bool? ReadBool(JsonObject json, string property) => json[property] switch
    {
        null => null,
        JsonValue v when v.TryGetValue<bool>(out var b) => b,
        _ => throw SandboxApiException.InvalidParams($"{property} must be a boolean."),
    };
}
