using Confluent.Kafka;
using KafkaMigrationPortal.AppClient;
using KafkaMigrationPortal.Sandbox.Kafka;

namespace KafkaMigrationPortal.Sandbox.Tests.Kafka;

/// <summary>Helpers for tests against real mock clusters: attachment config vars and watermark probes.</summary>
internal static class KafkaTestKit
{
    public static SandboxKafkaOptions FastOptions(bool plaintext = false) => new()
    {
        Plaintext = plaintext,
        GroupInitialRebalanceDelay = TimeSpan.Zero,
        RetentionSweepInterval = TimeSpan.FromMilliseconds(200),
    };

    /// <summary>The config vars Heroku would set for <paramref name="cluster"/> attached as <paramref name="name"/>.</summary>
    public static Dictionary<string, string> AttachmentVars(string name, ISandboxKafkaCluster cluster, string prefix = "")
    {
        var vars = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [$"{name}_URL"] = cluster.Credentials.Url,
            [$"{name}_TRUSTED_CERT"] = cluster.Credentials.TrustedCert,
            [$"{name}_CLIENT_CERT"] = cluster.Credentials.ClientCert,
            [$"{name}_CLIENT_CERT_KEY"] = cluster.Credentials.ClientCertKey,
        };
        if (prefix.Length > 0) vars[$"{name}_PREFIX"] = prefix;
        return vars;
    }

    public static HerokuKafkaAttachment Attachment(ISandboxKafkaCluster cluster, string prefix = "") =>
        HerokuKafkaAttachment.FromConfigVars("KAFKA", AttachmentVars("KAFKA", cluster, prefix));

    public static WatermarkOffsets Watermarks(ISandboxKafkaCluster cluster, string topic, int partition)
    {
        var config = new ConsumerConfig { GroupId = "test-probe" };
        ((SandboxKafkaCluster)cluster).ApplyClientSettings(config);
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(config).SetLogHandler((_, _) => { }).Build();
        return consumer.QueryWatermarkOffsets(new TopicPartition(topic, partition), TimeSpan.FromSeconds(5));
    }

    /// <summary>Sum of high watermarks over the partitions: how many records were ever written.</summary>
    public static long MessagesWritten(ISandboxKafkaCluster cluster, string topic, int partitions) =>
        Enumerable.Range(0, partitions).Sum(p => Watermarks(cluster, topic, p).High.Value);

    public static Task<T> Poll<T>(Func<T> probe, Func<T, bool> done, TimeSpan within, string what) =>
        TestSupport.Deadline.PollAsync(() => Task.FromResult(probe()), done, within, what);
}
