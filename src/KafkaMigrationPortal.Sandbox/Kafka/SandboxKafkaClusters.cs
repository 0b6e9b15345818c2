using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace KafkaMigrationPortal.Sandbox.Kafka;

public sealed class SandboxKafkaClusters(IOptions<SandboxKafkaOptions> options, ILoggerFactory? loggerFactory = null, TimeProvider? time = null)
    : ISandboxKafkaClusters, IDisposable
{
    private readonly ConcurrentDictionary<Guid, Lazy<SandboxKafkaCluster>> _clusters = new();
    private readonly ILogger _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<SandboxKafkaClusters>();
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private volatile bool _disposed;

    public SandboxKafkaClusters(SandboxKafkaOptions options) : this(Options.Create(options)) { }

    ISandboxKafkaCluster ISandboxKafkaClusters.Create(Guid addonId, int brokerCount) => Create(addonId, brokerCount);

    ISandboxKafkaCluster? ISandboxKafkaClusters.Find(Guid addonId) => Find(addonId);

    public SandboxKafkaCluster Create(Guid addonId, int brokerCount)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var entry = _clusters.GetOrAdd(addonId, id => new Lazy<SandboxKafkaCluster>(
            () => new SandboxKafkaCluster(id, brokerCount, options.Value, _logger, _time)));
        try
        {
            var isNew = !entry.IsValueCreated;
            var cluster = entry.Value;
            if (isNew) _logger.LogInformation("Mock Kafka cluster for add-on {AddonId}: {BrokerCount} brokers", addonId, brokerCount);
            return cluster;
        }
        catch
        {
            _clusters.TryRemove(new KeyValuePair<Guid, Lazy<SandboxKafkaCluster>>(addonId, entry));
            throw;
        }
    }

    public SandboxKafkaCluster? Find(Guid addonId) =>
        _clusters.TryGetValue(addonId, out var entry) && entry.IsValueCreated ? entry.Value : null;

    /// <summary>The cluster whose credentials carry this URL (the value of some <c>*_URL</c> config var).</summary>
    public SandboxKafkaCluster? FindByUrl(string url) =>
        All().FirstOrDefault(c => string.Equals(c.Credentials.Url, url, StringComparison.OrdinalIgnoreCase));

    public IReadOnlyList<SandboxKafkaCluster> All() =>
        [.. _clusters.Values.Where(e => e.IsValueCreated).Select(e => e.Value)];

    public void Destroy(Guid addonId)
    {
        if (!_clusters.TryRemove(addonId, out var entry) || !entry.IsValueCreated) return;
        entry.Value.Dispose();
        _logger.LogInformation("Destroyed mock Kafka cluster of add-on {AddonId}", addonId);
    }

    public void Dispose()
    {
        _disposed = true;
        foreach (var addonId in _clusters.Keys.ToList()) Destroy(addonId);
    }
}
