using KafkaMigrationPortal.Sandbox.Kafka;

namespace KafkaMigrationPortal.Sandbox.Tests.Kafka;

/// <summary>One set of clusters per test class; each test creates its own add-on (a fresh Guid), so tests do not share data.</summary>
public sealed class SandboxKafkaClustersFixture : IDisposable
{
    public SandboxKafkaClusters Clusters { get; } = new(KafkaTestKit.FastOptions());

    public SandboxKafkaCluster NewCluster(int brokers = 3) => Clusters.Create(Guid.NewGuid(), brokers);

    public void Dispose() => Clusters.Dispose();
}
