using System.Collections.Concurrent;
using KafkaMigrationPortal.Sandbox.Dynos;
using KafkaMigrationPortal.Sandbox.Kafka;

namespace KafkaMigrationPortal.Sandbox.Tests.Support;

/// <summary>Clusters that only remember what was asked of them; each gets distinct credentials.</summary>
internal sealed class FakeKafkaClusters : ISandboxKafkaClusters
{
    private readonly ConcurrentDictionary<Guid, FakeKafkaCluster> _clusters = new();

    public ConcurrentQueue<Guid> Created { get; } = new();

    public ConcurrentQueue<Guid> Destroyed { get; } = new();

    public ISandboxKafkaCluster Create(Guid addonId, int brokerCount)
    {
        Created.Enqueue(addonId);
        return _clusters.GetOrAdd(addonId, id => new FakeKafkaCluster(id));
    }

    public ISandboxKafkaCluster? Find(Guid addonId) => _clusters.GetValueOrDefault(addonId);

    public FakeKafkaCluster Get(Guid addonId) => _clusters[addonId];

    public void Destroy(Guid addonId)
    {
        Destroyed.Enqueue(addonId);
        _clusters.TryRemove(addonId, out _);
    }
}

internal sealed class FakeKafkaCluster(Guid addonId) : ISandboxKafkaCluster
{
    public Guid AddonId { get; } = addonId;

    public long? ProduceQuotaBytesPerSecond { get; set; }

    public SandboxKafkaCredentials Credentials { get; } = new(
        $"kafka+ssl://{addonId:N}.fake:9096",
        $"trusted-cert-{addonId:N}",
        $"client-cert-{addonId:N}",
        $"client-key-{addonId:N}");

    public string PlaintextBootstrapServers => "127.0.0.1:1";

    public ConcurrentDictionary<string, (int Partitions, int ReplicationFactor)> Topics { get; } = new();

    public ConcurrentDictionary<string, TimeSpan> Retention { get; } = new();

    public void CreateTopic(string name, int partitions, int replicationFactor) => Topics[name] = (partitions, replicationFactor);

    public void SetRetention(string name, TimeSpan retention) => Retention[name] = retention;
}

/// <summary>Remembers every desired state it was handed.</summary>
internal sealed class FakeDynoSupervisor : IDynoSupervisor
{
    public ConcurrentQueue<(string App, IReadOnlyList<DynoSpec> Desired)> Reconciles { get; } = new();

    public void Reconcile(string app, IReadOnlyList<DynoSpec> desired) => Reconciles.Enqueue((app, desired));

    /// <summary>Runs as the app's dynos are stopped, e.g. to stand for a producer's last flush.</summary>
    public Action<string>? OnStopAll { get; set; }

    public void StopAll(string app) => OnStopAll?.Invoke(app);

    public IReadOnlyList<DynoSpec>? Last(string app) => Reconciles.LastOrDefault(r => r.App == app).Desired;
}
