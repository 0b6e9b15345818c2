using System.Collections.Concurrent;
using System.Net;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace KafkaMigrationPortal.Sandbox.Kafka;

/// <summary>
/// The Kafka behind one sandbox add-on: a mock cluster, a TLS front per broker advertised in metadata instead of the
/// broker's own port, the credentials Heroku would put in config vars, and retention enforcement.
/// </summary>
public sealed class SandboxKafkaCluster : ISandboxKafkaCluster, IDisposable
{
    private static readonly TimeSpan ClientTimeout = TimeSpan.FromSeconds(5);

    private readonly MockKafkaCluster _mock;
    private readonly SandboxCertificates? _certificates;
    private readonly List<TlsBrokerFront> _fronts = [];
    private readonly ConcurrentDictionary<string, TimeSpan> _retentions = new(StringComparer.Ordinal);
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly TimeSpan _segmentRoll;
    private readonly ProduceThrottle _produceThrottle;
    private readonly Lock _sweepGate = new();
    private IAdminClient? _admin;
    private IConsumer<byte[]?, byte[]?>? _scanner;
    private bool _disposed;

    public SandboxKafkaCluster(Guid addonId, int brokerCount, SandboxKafkaOptions options, ILogger logger, TimeProvider? time = null)
    {
        AddonId = addonId;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.SegmentRoll, TimeSpan.Zero);
        _segmentRoll = options.SegmentRoll;
        _produceThrottle = new ProduceThrottle(_time);
        _mock = new MockKafkaCluster(brokerCount);
        try
        {
            _mock.SetGroupInitialRebalanceDelay(options.GroupInitialRebalanceDelay);
            if (options.Plaintext)
            {
                Credentials = new SandboxKafkaCredentials(
                    string.Join(',', _mock.BootstrapServers.Split(',').Select(b => $"kafka://{b}")), "", "", "");
                return;
            }

            // Not on the sandbox's clock: OpenSSL checks the validity window against the machine's.
            _certificates = SandboxCertificates.Create(addonId.ToString("N")[..8], options.BrokerHostName);
            foreach (var (brokerId, endpoint) in BrokerEndpoints())
            {
                var front = new TlsBrokerFront(endpoint, _certificates, logger, options.RefuseTopicAutoCreation, _produceThrottle, _time);
                _fronts.Add(front);
                _mock.SetBrokerAdvertisedAddress(brokerId, "127.0.0.1", front.Port);
            }
            _admin?.Dispose();
            _admin = null;
            Credentials = new SandboxKafkaCredentials(
                string.Join(',', _fronts.Select(f => $"kafka+ssl://127.0.0.1:{f.Port}")),
                _certificates.AuthorityPem, _certificates.ClientCertificatePem, _certificates.ClientKeyPem);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public Guid AddonId { get; }

    public SandboxKafkaCredentials Credentials { get; }

    public string PlaintextBootstrapServers => _mock.BootstrapServers;

    /// <summary>The mock itself, for fault injection and tests (delete records, advertised addresses).</summary>
    public MockKafkaCluster Mock => _mock;

    /// <summary>
    /// Points a Confluent.Kafka config at this cluster the way an attached app would (through the TLS front).
    /// The brokers advertise the front ports, so a plaintext client reaches them only for bootstrapping.
    /// </summary>
    public void ApplyClientSettings(ClientConfig config)
    {
        if (_certificates is null)
        {
            config.BootstrapServers = _mock.BootstrapServers;
            config.SecurityProtocol = SecurityProtocol.Plaintext;
            return;
        }
        config.BootstrapServers = string.Join(',', _fronts.Select(f => $"127.0.0.1:{f.Port}"));
        config.SecurityProtocol = SecurityProtocol.Ssl;
        config.SslCaPem = _certificates.AuthorityPem;
        config.SslCertificatePem = _certificates.ClientCertificatePem;
        config.SslKeyPem = _certificates.ClientKeyPem;
        config.SslEndpointIdentificationAlgorithm = SslEndpointIdentificationAlgorithm.None;
    }

    public long? ProduceQuotaBytesPerSecond
    {
        get => _produceThrottle.BytesPerSecond;
        set => _produceThrottle.BytesPerSecond = value;
    }

    public int RejectedTlsHandshakes => _fronts.Sum(f => f.RejectedHandshakes);

    public void CreateTopic(string name, int partitions, int replicationFactor) =>
        _mock.CreateTopic(name, partitions, replicationFactor);

    public void SetRetention(string name, TimeSpan retention)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(retention, TimeSpan.Zero);
        _retentions[name] = retention;
    }

    public TimeSpan? RetentionOf(string name) => _retentions.TryGetValue(name, out var retention) ? retention : null;

    /// <summary>
    /// Deletes, per partition of every topic with a retention, the segments whose newest record is older than it, as
    /// Kafka does: a segment holds the records appended within <see cref="SandboxKafkaOptions.SegmentRoll"/> of its first
    /// one, so the oldest record retained can be older than the retention by up to one roll. The mock keeps no segments
    /// and answers ListOffsets-by-timestamp with "end", so segments are found by reading records from the log start.
    /// </summary>
    /// <returns>How many records were deleted.</returns>
    public long EnforceRetention(DateTimeOffset now)
    {
        if (_retentions.IsEmpty) return 0;
        lock (_sweepGate)
        {
            if (_disposed) return 0;
            var metadata = Admin().GetMetadata(ClientTimeout);
            long deleted = 0;
            foreach (var topic in metadata.Topics)
            {
                if (!_retentions.TryGetValue(topic.Topic, out var retention) || topic.Error.IsError) continue;
                var cutoffMs = (now - retention).ToUnixTimeMilliseconds();
                foreach (var partition in topic.Partitions)
                    deleted += DeleteOlderThan(new TopicPartition(topic.Topic, partition.PartitionId), cutoffMs);
            }
            return deleted;
        }
    }

    private long DeleteOlderThan(TopicPartition partition, long cutoffMs)
    {
        var scanner = Scanner();
        var watermarks = scanner.QueryWatermarkOffsets(partition, ClientTimeout);
        long low = watermarks.Low, high = watermarks.High;
        if (high <= low) return 0;

        var rollMs = (long)_segmentRoll.TotalMilliseconds;
        long firstKept = low;
        var complete = false;
        (long FirstTimestamp, long NewestTimestamp)? segment = null;
        scanner.Assign(new TopicPartitionOffset(partition, new Offset(low)));
        try
        {
            var started = _time.GetTimestamp();
            while (_time.GetElapsedTime(started) < ClientTimeout)
            {
                var result = scanner.Consume(TimeSpan.FromMilliseconds(200));
                if (result is null || result.IsPartitionEOF) continue;
                var timestamp = result.Message.Timestamp.UnixTimestampMs;
                if (segment is { } current && timestamp >= current.FirstTimestamp + rollMs)
                {
                    // This record starts the next segment: the one before it is complete.
                    if (current.NewestTimestamp >= cutoffMs) break;
                    firstKept = result.Offset.Value;
                    segment = null;
                }

                segment = segment is { } open ? open with { NewestTimestamp = Math.Max(open.NewestTimestamp, timestamp) } : (timestamp, timestamp);
                if (result.Offset.Value + 1 >= high)
                {
                    complete = true;
                    break;
                }
            }
        }
        finally
        {
            scanner.Unassign();
        }

        // The active (last) segment goes too once every record in it is expired: Kafka rolls a new one and deletes it.
        if (complete && segment is { } last && last.NewestTimestamp < cutoffMs) firstKept = high;
        if (firstKept <= low) return 0;
        _mock.DeleteRecordsBefore(partition.Topic, partition.Partition.Value, firstKept);
        _logger.LogDebug("Retention removed {Count} records from {Topic} [{Partition}] of add-on {AddonId}",
            firstKept - low, partition.Topic, partition.Partition.Value, AddonId);
        return firstKept - low;
    }

    /// <summary>Every broker answers <paramref name="roundTrip"/> later (benchmarks of far-away clusters).</summary>
    public void SetRoundTripTime(TimeSpan roundTrip)
    {
        // librdkafka numbers a mock cluster's brokers from 1.
        for (var brokerId = 1; brokerId <= _mock.BrokerCount; brokerId++) _mock.SetBrokerRoundTripTime(brokerId, roundTrip);
    }

    /// <summary>Which broker id listens where, read from the brokers' own metadata before it is re-advertised.</summary>
    private IEnumerable<(int BrokerId, DnsEndPoint Endpoint)> BrokerEndpoints()
    {
        var brokers = Admin().GetMetadata(ClientTimeout).Brokers;
        if (brokers.Count != _mock.BrokerCount)
            throw new InvalidOperationException($"The mock cluster reported {brokers.Count} of {_mock.BrokerCount} brokers.");
        return brokers.Select(b => (b.BrokerId, new DnsEndPoint(b.Host, b.Port))).ToList();
    }

    /// <summary>Created before the brokers are re-advertised, so plaintext is fine for it; later it goes through the front.</summary>
    private IAdminClient Admin()
    {
        if (_admin is not null) return _admin;
        var config = new AdminClientConfig { LogConnectionClose = false };
        if (_fronts.Count == 0) config.BootstrapServers = _mock.BootstrapServers;
        else ApplyClientSettings(config);
        return _admin = new AdminClientBuilder(config).SetLogHandler((_, _) => { }).Build();
    }

    private IConsumer<byte[]?, byte[]?> Scanner()
    {
        if (_scanner is not null) return _scanner;
        var config = new ConsumerConfig
        {
            GroupId = $"sandbox-retention-{AddonId:N}",
            EnableAutoCommit = false,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            QueuedMaxMessagesKbytes = 1024,
            FetchWaitMaxMs = 50,
            LogConnectionClose = false,
        };
        ApplyClientSettings(config);
        return _scanner = new ConsumerBuilder<byte[]?, byte[]?>(config).SetLogHandler((_, _) => { }).Build();
    }

    public void Dispose()
    {
        lock (_sweepGate)
        {
            if (_disposed) return;
            _disposed = true;
        }
        _scanner?.Close();
        _scanner?.Dispose();
        _admin?.Dispose();
        foreach (var front in _fronts) front.Dispose();
        _mock.Dispose();
        _certificates?.Dispose();
    }
}
