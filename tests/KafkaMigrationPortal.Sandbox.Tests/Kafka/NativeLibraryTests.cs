using Confluent.Kafka;
using KafkaMigrationPortal.Sandbox.Kafka;

namespace KafkaMigrationPortal.Sandbox.Tests.Kafka;

public sealed class NativeLibraryTests
{
    [Fact]
    public void The_mock_cluster_and_Confluent_Kafka_share_one_copy_of_librdkafka()
    {
        Assert.True(OperatingSystem.IsLinux(), "this check reads /proc/self/maps; the sandbox targets Linux");
        using var cluster = new MockKafkaCluster(1);
        using var producer = new ProducerBuilder<Null, byte[]>(new ProducerConfig { BootstrapServers = cluster.BootstrapServers }).Build();

        var loaded = File.ReadAllLines("/proc/self/maps")
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "")
            .Where(path => path.Contains("librdkafka", StringComparison.Ordinal))
            .Distinct()
            .ToList();

        Assert.Single(loaded);
    }

    [Fact]
    public void A_mock_cluster_reports_one_bootstrap_per_broker()
    {
        using var cluster = new MockKafkaCluster(3);
        Assert.Equal(3, cluster.BootstrapServers.Split(',').Length);
        cluster.CreateTopic("t", 4, 3);
        cluster.Dispose();
        Assert.Throws<ObjectDisposedException>(() => cluster.CreateTopic("u", 1, 1));
    }
}
