using System.Collections.Concurrent;
using System.Text;
using Confluent.Kafka;
using KafkaMigrationPortal.AppClient;
using KafkaMigrationPortal.Engine.KafkaChecks;
using KafkaMigrationPortal.Engine.Mirroring;
using KafkaMigrationPortal.Sandbox.Kafka;
using KafkaMigrationPortal.TestSupport;
using KafkaMigrationPortal.Tests.KafkaChecks;

namespace KafkaMigrationPortal.Tests.Mirroring;

internal sealed record StoredRecord(long Offset, byte[]? Key, byte[]? Value, IReadOnlyList<(string Key, byte[] Value)> Headers, long TimestampMs)
{
    public long? SourceOffset => Headers.LastOrDefault(h => h.Key == MirrorCopier.SourceOffsetHeader) is { Key: not null } h
        ? long.Parse(Encoding.ASCII.GetString(h.Value))
        : null;

    /// <summary>The headers the source record had: all but the copier's own (the last one).</summary>
    public IReadOnlyList<(string Key, byte[] Value)> SourceHeaders => SourceOffset is null ? Headers : Headers.Take(Headers.Count - 1).ToList();
}

internal sealed class RecordingObserver : IMirrorObserver
{
    public ConcurrentDictionary<MirrorPartition, MirrorProgress> Latest { get; } = new();
    public ConcurrentQueue<OffsetSyncPoint> Syncs { get; } = new();
    public ConcurrentQueue<string> Problems { get; } = new();

    public void OnProgress(MirrorProgress progress) => Latest[progress.Partition] = progress;

    public void OnSyncPoint(OffsetSyncPoint sync) => Syncs.Enqueue(sync);

    public void OnProblem(string message) => Problems.Enqueue(message);

    public Task WaitUntilAsync(Func<IReadOnlyDictionary<MirrorPartition, MirrorProgress>, bool> done, string what) =>
        Deadline.PollAsync(() => Task.FromResult(done(Latest)), TimeSpan.FromSeconds(60),
            $"{what}; progress: {string.Join(", ", Latest.Values)}; problems: {string.Join(" | ", Problems)}");
}

/// <summary>An old and a new one-broker cluster, each with topic <c>orders</c>, and the attachments that reach them.</summary>
internal sealed record MirrorClusters(SandboxKafkaCluster Old, KafkaAttachmentVars Source, SandboxKafkaCluster New, KafkaAttachmentVars Target);

internal static class MirrorKit
{
    public static MirrorClusters TwoClusters(KafkaChecksFixture fixture, int partitions, string sourcePrefix = "", string targetPrefix = "",
        string sourceAttachment = "OLD_KAFKA", string targetAttachment = "KAFKA")
    {
        var old = fixture.NewCluster(brokers: 1);
        old.CreateTopic(sourcePrefix + "orders", partitions, replicationFactor: 1);
        var neu = fixture.NewCluster(brokers: 1);
        neu.CreateTopic(targetPrefix + "orders", partitions, replicationFactor: 1);
        return new(old, KafkaChecksKit.Attach(old, sourceAttachment, sourcePrefix), neu, KafkaChecksKit.Attach(neu, targetAttachment, targetPrefix));
    }

    /// <summary>Runs the copier until <paramref name="until"/> completes, then stops it and waits for it to end.</summary>
    public static async Task RunUntilAsync(MirrorCopier copier, Func<Task> until)
    {
        using var stop = new CancellationTokenSource();
        var run = copier.RunAsync(stop.Token);
        await until();
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(30));
    }

    public static HerokuKafkaAttachment Connection(KafkaAttachmentVars vars) =>
        HerokuKafkaAttachment.FromConfigVars(vars.AttachmentName, vars.ConfigVars);

    public static readonly DateTimeOffset Start = new(2026, 11, 30, 8, 0, 0, TimeSpan.Zero);

    /// <summary>Records <paramref name="from"/>..from+count-1 of a partition: a key (none on every fifth), a value,
    /// two headers (one key twice) and an explicit timestamp.</summary>
    public static async Task WriteAsync(KafkaAttachmentVars vars, string topic, int partition, int from, int count)
    {
        var attachment = Connection(vars);
        using var producer = new ProducerBuilder<byte[], byte[]>(attachment.ProducerConfig()).SetLogHandler((_, _) => { }).Build();
        for (var n = from; n < from + count; n++)
        {
            var headers = new Headers
            {
                { "trace", Encoding.UTF8.GetBytes($"t{partition}-{n}") },
                { "trace", Encoding.UTF8.GetBytes("again") },
                { "kind", [(byte)(n % 7)] },
            };
            await producer.ProduceAsync(new TopicPartition(attachment.Topic(topic), partition), new Message<byte[], byte[]>
            {
                Key = n % 5 == 0 ? null! : Encoding.UTF8.GetBytes($"k{n}"),
                Value = Encoding.UTF8.GetBytes($"{topic}/{partition}/{n}/" + new string('x', n % 40)),
                Headers = headers,
                Timestamp = new Timestamp(Start.AddSeconds(n).UtcDateTime),
            });
        }
    }

    /// <summary>Every record of a partition, read from its start up to its end (read_committed).</summary>
    public static List<StoredRecord> ReadAll(KafkaAttachmentVars vars, string topic, int partition)
    {
        var attachment = Connection(vars);
        var config = attachment.ConsumerConfig("test-reader");
        config.EnableAutoCommit = false;
        config.EnablePartitionEof = true;
        using var consumer = new ConsumerBuilder<byte[], byte[]>(config).SetLogHandler((_, _) => { }).Build();
        var tp = new TopicPartition(attachment.Topic(topic), partition);
        var marks = consumer.QueryWatermarkOffsets(tp, TimeSpan.FromSeconds(10));
        var records = new List<StoredRecord>();
        if (marks.High.Value == marks.Low.Value) return records;
        consumer.Assign(new TopicPartitionOffset(tp, marks.Low));
        var until = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < until)
        {
            var result = consumer.Consume(TimeSpan.FromMilliseconds(200));
            if (result is null) continue;
            if (result.IsPartitionEOF)
            {
                if (result.Offset.Value >= marks.High.Value) return records;
                continue;
            }
            var m = result.Message;
            records.Add(new StoredRecord(result.Offset.Value, m.Key, m.Value,
                [.. (m.Headers ?? []).Select(h => (h.Key, h.GetValueBytes()))], m.Timestamp.UnixTimestampMs));
        }
        throw new TimeoutException($"could not read {topic}[{partition}] to its end {marks.High.Value}");
    }

    public static long EndOffset(KafkaAttachmentVars vars, string topic, int partition)
    {
        var attachment = Connection(vars);
        var config = attachment.ConsumerConfig("test-reader");
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(config).SetLogHandler((_, _) => { }).Build();
        return consumer.QueryWatermarkOffsets(new TopicPartition(attachment.Topic(topic), partition), TimeSpan.FromSeconds(10)).High.Value;
    }

    /// <summary>The target partition is the source's, record by record, each with its source offset.</summary>
    public static void AssertCopied(List<StoredRecord> source, List<StoredRecord> target, string what)
    {
        var duplicates = target.GroupBy(r => r.SourceOffset).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(duplicates.Count == 0, $"{what}: {duplicates.Count} source records copied twice ({string.Join(",", duplicates.Take(10))})");
        Assert.True(source.Count == target.Count, $"{what}: {source.Count} source records, {target.Count} on the target");
        for (var i = 0; i < source.Count; i++)
        {
            var (s, t) = (source[i], target[i]);
            Assert.Equal(s.Offset, t.SourceOffset);
            Assert.Equal(s.Key, t.Key);
            Assert.Equal(s.Value, t.Value);
            Assert.Equal(s.TimestampMs, t.TimestampMs);
            Assert.Equal(s.Headers.Select(h => (h.Key, Convert.ToHexString(h.Value))), t.SourceHeaders.Select(h => (h.Key, Convert.ToHexString(h.Value))));
        }
    }
}
