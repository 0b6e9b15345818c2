using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Text;
using Confluent.Kafka;
using KafkaMigrationPortal.AppClient;
using KafkaMigrationPortal.Engine.KafkaChecks;
using KafkaMigrationPortal.Engine.Mirroring;

namespace KafkaMigrationPortal.Tests.Mirroring;

/// <summary>
/// Stands in for MirrorMaker 2, which cannot run here (no JVM distribution of Kafka is reachable), doing on the wire
/// what its connectors do with the portal's generated configuration: a read_committed consumer from the earliest
/// record, an idempotent producer to the same partition keeping key, value, headers and timestamp and adding nothing;
/// an offset sync in its format to <see cref="MirrorMaker2Config.OffsetSyncsTopic"/> by its source task's rule (the
/// first record of a task's life, a skipped upstream offset, or <c>offset.lag.max</c> = 100 records since the last
/// sync); a heartbeat a second to <see cref="MirrorMaker2Config.HeartbeatsTopic"/>. <see cref="RestartAsync"/> is a
/// restart without exactly-once: it resumes some records before the last one copied, so those are copied twice.
/// </summary>
internal sealed class MirrorMaker2StandIn(KafkaAttachmentVars source, KafkaAttachmentVars target, IReadOnlyList<MirrorPartition> partitions) : IAsyncDisposable
{
    private const int OffsetLagMax = 100;
    private readonly ConcurrentDictionary<MirrorPartition, List<long>> _copied = new();
    private CancellationTokenSource? _stop;
    private Task? _running;

    public bool IsRunning => _running is { IsCompleted: false };

    /// <summary>Source offsets copied, per partition, in order (repeats included).</summary>
    public IReadOnlyList<long> Copied(MirrorPartition partition) => _copied.TryGetValue(partition, out var list) ? [.. list] : [];

    public void Start(IReadOnlyDictionary<MirrorPartition, long>? resumeAt = null)
    {
        if (IsRunning) return;
        var stop = _stop = new CancellationTokenSource();
        _running = Task.Factory.StartNew(() => Run(resumeAt ?? new Dictionary<MirrorPartition, long>(), stop.Token), CancellationToken.None,
            TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    public async Task StopAsync()
    {
        if (_stop is null || _running is null) return;
        await _stop.CancelAsync();
        await _running.WaitAsync(TimeSpan.FromSeconds(30));
        _stop.Dispose();
        (_stop, _running) = (null, null);
    }

    /// <summary>Stops and starts again <paramref name="replay"/> records before the last one copied of each partition.</summary>
    public async Task RestartAsync(int replay)
    {
        await StopAsync();
        Start(partitions.Where(p => Copied(p).Count > 0)
            .ToDictionary(p => p, p => { var copied = Copied(p); return copied[Math.Max(0, copied.Count - replay)]; }));
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    private void Run(IReadOnlyDictionary<MirrorPartition, long> resumeAt, CancellationToken ct)
    {
        var from = HerokuKafkaAttachment.FromConfigVars(source.AttachmentName, source.ConfigVars);
        var to = HerokuKafkaAttachment.FromConfigVars(target.AttachmentName, target.ConfigVars);
        var consumerConfig = from.ConsumerConfig("old-mm2");
        consumerConfig.EnableAutoCommit = false;
        consumerConfig.IsolationLevel = IsolationLevel.ReadCommitted;
        consumerConfig.AutoOffsetReset = AutoOffsetReset.Earliest;
        using var consumer = new ConsumerBuilder<byte[], byte[]>(consumerConfig).SetLogHandler((_, _) => { }).SetErrorHandler((_, _) => { }).Build();
        var producerConfig = to.ProducerConfig();
        producerConfig.EnableIdempotence = true;
        producerConfig.Acks = Acks.All;
        using var producer = new ProducerBuilder<byte[], byte[]>(producerConfig).SetLogHandler((_, _) => { }).SetErrorHandler((_, _) => { }).Build();

        var byWire = partitions.ToDictionary(p => new TopicPartition(from.Topic(p.Topic), p.Partition), p => p);
        consumer.Assign(byWire.Select(p => new TopicPartitionOffset(p.Key, resumeAt.TryGetValue(p.Value, out var at) ? at : Offset.Beginning)));
        var acks = new ConcurrentQueue<(MirrorPartition Partition, long Upstream, long Downstream)>();
        var syncState = new Dictionary<MirrorPartition, (long PreviousUpstream, long LastSyncDownstream)>();
        var nextBeat = DateTime.UtcNow;
        while (!ct.IsCancellationRequested)
        {
            if (DateTime.UtcNow >= nextBeat)
            {
                producer.Produce(to.Topic(MirrorMaker2Config.HeartbeatsTopic), Heartbeat());
                nextBeat = DateTime.UtcNow.AddSeconds(1);
            }
            var result = consumer.Consume(TimeSpan.FromMilliseconds(100));
            if (result?.Message is { } message)
            {
                var partition = byWire[result.TopicPartition];
                var upstream = result.Offset.Value;
                var headers = new Headers();
                foreach (var header in message.Headers ?? []) headers.Add(header.Key, header.GetValueBytes());
                producer.Produce(new TopicPartition(to.Topic(partition.Topic), partition.Partition), new Message<byte[], byte[]>
                {
                    Key = message.Key, Value = message.Value, Headers = headers,
                    Timestamp = new Timestamp(message.Timestamp.UnixTimestampMs, TimestampType.CreateTime),
                }, report =>
                {
                    if (!report.Error.IsError) acks.Enqueue((partition, upstream, report.Offset.Value));
                });
            }
            while (acks.TryDequeue(out var ack))
            {
                _copied.GetOrAdd(ack.Partition, _ => []).Add(ack.Upstream);
                var first = !syncState.TryGetValue(ack.Partition, out var state);
                if (first || ack.Upstream - state.PreviousUpstream != 1 || ack.Downstream - (state.LastSyncDownstream + 1) >= OffsetLagMax
                    || ack.Downstream < state.LastSyncDownstream)
                {
                    var (key, value) = new MirrorMaker2Sync(ack.Partition, ack.Upstream, ack.Downstream).Write();
                    producer.Produce(new TopicPartition(to.Topic(MirrorMaker2Config.OffsetSyncsTopic), 0), new Message<byte[], byte[]> { Key = key, Value = value });
                    state.LastSyncDownstream = ack.Downstream;
                }
                syncState[ack.Partition] = (ack.Upstream, state.LastSyncDownstream);
            }
        }
        producer.Flush(TimeSpan.FromSeconds(30));
        while (acks.TryDequeue(out var ack)) _copied.GetOrAdd(ack.Partition, _ => []).Add(ack.Upstream);
        consumer.Close();
    }

    private static Message<byte[], byte[]> Heartbeat()
    {
        var key = Encoding.UTF8.GetBytes("\0\u0003old\0\u0003new");
        var value = new byte[10];
        BinaryPrimitives.WriteInt64BigEndian(value.AsSpan(2), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        return new Message<byte[], byte[]> { Key = key, Value = value };
    }
}
