using Confluent.Kafka;
using KafkaMigrationPortal.AppClient;
using KafkaMigrationPortal.Engine.KafkaChecks;
using KafkaMigrationPortal.Sandbox.Kafka;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace KafkaMigrationPortal.Tests.KafkaChecks;

/// <summary>
/// Real librdkafka mock clusters behind the sandbox's client-certificate TLS front, so the inspector connects exactly
/// as it would to Heroku (kafka+ssl:// URL, trusted cert, client cert and key from config vars).
/// Each test makes its own cluster; the fixture only owns their lifetime.
/// </summary>
public sealed class KafkaChecksFixture : IDisposable
{
    public SandboxKafkaClusters Clusters { get; } = new(new SandboxKafkaOptions
    {
        GroupInitialRebalanceDelay = TimeSpan.Zero,
        RetentionSweepInterval = TimeSpan.FromHours(1),
    });

    public SandboxKafkaCluster NewCluster(int brokers = 3) => Clusters.Create(Guid.NewGuid(), brokers);

    public void Dispose() => Clusters.Dispose();
}

internal static class KafkaChecksKit
{
    public static KafkaInspector Inspector(TimeProvider? time = null, TimeSpan? connectTimeout = null, int partitionsPerRequest = 400,
        TimeSpan? idleConnectionLifetime = null) =>
        new(Options.Create(new KafkaChecksOptions
            {
                ConnectTimeout = connectTimeout ?? TimeSpan.FromSeconds(10),
                OperationTimeout = TimeSpan.FromSeconds(10),
                PartitionsPerRequest = partitionsPerRequest,
                IdleConnectionLifetime = idleConnectionLifetime ?? new KafkaChecksOptions().IdleConnectionLifetime,
            }),
            time ?? TimeProvider.System, NullLogger<KafkaInspector>.Instance);

    /// <summary>The config vars Heroku would set on the app for this cluster attached as <paramref name="name"/>.</summary>
    public static KafkaAttachmentVars Attach(ISandboxKafkaCluster cluster, string name = "KAFKA", string prefix = "")
    {
        var vars = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [$"{name}_URL"] = cluster.Credentials.Url,
            [$"{name}_TRUSTED_CERT"] = cluster.Credentials.TrustedCert,
            [$"{name}_CLIENT_CERT"] = cluster.Credentials.ClientCert,
            [$"{name}_CLIENT_CERT_KEY"] = cluster.Credentials.ClientCertKey,
        };
        if (prefix.Length > 0) vars[$"{name}_PREFIX"] = prefix;
        return new KafkaAttachmentVars(name, vars);
    }

    private static HerokuKafkaAttachment Connection(KafkaAttachmentVars vars) =>
        HerokuKafkaAttachment.FromConfigVars(vars.AttachmentName, vars.ConfigVars);

    /// <param name="topic">Unprefixed; the attachment's prefix is applied.</param>
    public static async Task ProduceAsync(KafkaAttachmentVars vars, string topic, int partition, int count, DateTimeOffset? timestamp = null)
    {
        var attachment = Connection(vars);
        using var producer = new ProducerBuilder<Null, string>(attachment.ProducerConfig()).SetLogHandler((_, _) => { }).Build();
        for (var i = 0; i < count; i++)
        {
            var message = new Message<Null, string> { Value = $"{topic}-{partition}-{i}" };
            if (timestamp is { } at) message.Timestamp = new Timestamp(at.UtcDateTime);
            await producer.ProduceAsync(new TopicPartition(attachment.Topic(topic), partition), message);
        }
    }

    /// <summary>Commits offsets for a group the way a consumer does, without joining it.</summary>
    public static void Commit(KafkaAttachmentVars vars, string group, params (string Topic, int Partition, long Offset)[] offsets)
    {
        var attachment = Connection(vars);
        var config = attachment.ConsumerConfig(group);
        config.EnableAutoCommit = false;
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(config).SetLogHandler((_, _) => { }).Build();
        consumer.Commit(offsets.Select(o => new TopicPartitionOffset(attachment.Topic(o.Topic), o.Partition, o.Offset)));
    }
}
