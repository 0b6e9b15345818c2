using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Confluent.Kafka;
using KafkaMigrationPortal.AppClient;
using KafkaMigrationPortal.Engine.KafkaChecks;
using KafkaMigrationPortal.Engine.Mirroring;
using KafkaMigrationPortal.Sandbox.Kafka;

namespace KafkaMigrationPortal.Benchmarks;

/// <summary>
/// One <see cref="MirrorCopier"/> copying a whole topic between two 3-broker mock clusters, beside a bare
/// Confluent.Kafka consume→produce loop (the same consumer and idempotent producer settings, no bookkeeping) copying the
/// same records: the ceiling on this machine. Each round copies into fresh target clusters, the bare loop first.
/// </summary>
public sealed class MirrorBenchmark : IBenchmark
{
    private const double TargetRatio = 0.8;
    private const string Topic = "orders";
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(5);

    public string Name => "mirror";

    public string Description =>
        "records/s and MB/s of one mirror copier beside a bare consume->produce loop: --records (200000) of --value-bytes (200) over --partitions (16), --rounds (3); then --workers (4) copiers side by side; with KMP_BENCH_POSTGRES, a whole mirror run's cutover downtime split into its steps (--rate 20 msg/s)";

    public async Task<int> RunAsync(BenchmarkArgs args)
    {
        int records = args.Int("records", 200_000), valueBytes = args.Int("value-bytes", 200);
        int partitions = args.Int("partitions", 16), rounds = args.Int("rounds", 3);

        using var clusters = new SandboxKafkaClusters(new SandboxKafkaOptions { Plaintext = true, GroupInitialRebalanceDelay = TimeSpan.Zero });
        var source = NewCluster(clusters, partitions, "OLD_KAFKA");
        Console.WriteLine($"setting up: {records:N0} records of {valueBytes} bytes (plus a key and two headers) over {partitions} partitions, 3-broker mock clusters (plaintext)");
        var (ends, bytes) = Fill(source.Vars, records, valueBytes, partitions);

        var bare = new List<TimeSpan>();
        var copier = new List<TimeSpan>();
        for (var round = 1; round <= rounds; round++)
        {
            bare.Add(await Task.Run(() => BareLoop(source.Vars, NewCluster(clusters, partitions, "KAFKA").Vars, ends)));
            copier.Add(await Copier(source.Vars, NewCluster(clusters, partitions, "KAFKA").Vars, ends));
            Console.WriteLine($"round {round}: bare loop {Rate(records, bytes, bare[^1])}; copier {Rate(records, bytes, copier[^1])}");
        }

        TimeSpan bareMedian = Timing.Median(bare), copierMedian = Timing.Median(copier);
        var ratio = bareMedian / copierMedian;
        var meets = ratio >= TargetRatio;
        Console.WriteLine($"one worker's copier: {Rate(records, bytes, copierMedian)}; bare loop (ceiling): {Rate(records, bytes, bareMedian)}; " +
            $"ratio {ratio:0.00} (target >= {TargetRatio:0.0}) {(meets ? "OK" : "MISSED")}");

        // How it grows with workers: the live workers split a run's partitions evenly, each with its own copier.
        var workers = args.Int("workers", 4);
        for (var n = 2; n <= workers; n *= 2)
        {
            var together = await Copier(source.Vars, NewCluster(clusters, partitions, "KAFKA").Vars, ends, n);
            Console.WriteLine($"{n} workers' copiers side by side, {partitions / n} partitions each: {Rate(records, bytes, together)}; " +
                              $"{copierMedian / together:0.00}x one worker");
        }

        // The cutover's downtime needs a whole run: a portal process on PostgreSQL.
        var server = Environment.GetEnvironmentVariable(HistoryPageBenchmark.ConnectionVariable) ?? Environment.GetEnvironmentVariable("KMP_TEST_POSTGRES");
        if (string.IsNullOrWhiteSpace(server))
            Console.WriteLine($"cutover downtime: not measured (set {HistoryPageBenchmark.ConnectionVariable} to a PostgreSQL server the benchmark may create a database on)");
        else
            await MirrorCutoverDowntime.MeasureAsync(server, args.Int("rate", 20));
        return meets ? 0 : 1;
    }

    private static (SandboxKafkaCluster Cluster, KafkaAttachmentVars Vars) NewCluster(SandboxKafkaClusters clusters, int partitions, string attachment)
    {
        var cluster = clusters.Create(Guid.NewGuid(), brokerCount: 3);
        cluster.CreateTopic(Topic, partitions, replicationFactor: 3);
        return (cluster, new KafkaAttachmentVars(attachment, new Dictionary<string, string> { [$"{attachment}_URL"] = cluster.Credentials.Url }));
    }

    private static string Rate(int records, long bytes, TimeSpan elapsed) =>
        $"{records / elapsed.TotalSeconds:N0} records/s, {bytes / elapsed.TotalSeconds / (1024 * 1024):0.0} MB/s ({Timing.Format(elapsed)})";

    /// <returns>Each partition's end offset, and the bytes of keys, values and headers written.</returns>
    private static (IReadOnlyDictionary<int, long> Ends, long Bytes) Fill(KafkaAttachmentVars vars, int records, int valueBytes, int partitions)
    {
        var attachment = HerokuKafkaAttachment.FromConfigVars(vars.AttachmentName, vars.ConfigVars);
        var config = attachment.ProducerConfig();
        config.LingerMs = 5;
        using var producer = new ProducerBuilder<byte[], byte[]>(config).SetLogHandler((_, _) => { }).Build();
        var value = Encoding.ASCII.GetBytes(new string('v', valueBytes));
        long bytes = 0, failed = 0;
        for (var n = 0; n < records; n++)
        {
            var key = Encoding.ASCII.GetBytes($"customer-{n % 997}");
            var headers = new Headers { { "message-id", Encoding.ASCII.GetBytes($"bench-{n}") }, { "kind", [(byte)(n % 7)] } };
            bytes += key.Length + value.Length + headers.Sum(h => h.Key.Length + h.GetValueBytes().Length);
            var message = new Message<byte[], byte[]> { Key = key, Value = value, Headers = headers };
            while (true)
            {
                try
                {
                    producer.Produce(new TopicPartition(attachment.Topic(Topic), n % partitions), message, r => { if (r.Error.IsError) Interlocked.Increment(ref failed); });
                    break;
                }
                catch (ProduceException<byte[], byte[]> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
                {
                    producer.Poll(TimeSpan.FromMilliseconds(50));
                }
            }
        }
        producer.Flush(Patience);
        if (failed > 0) throw new InvalidOperationException($"{failed} source records were not written");
        using var reader = new ConsumerBuilder<Ignore, Ignore>(attachment.ConsumerConfig("bench-reader")).Build();
        var ends = new Dictionary<int, long>();
        for (var p = 0; p < partitions; p++)
        {
            var marks = reader.QueryWatermarkOffsets(new TopicPartition(attachment.Topic(Topic), p), Patience);
            // A mock partition keeps its last 5 MB (or 100,000 records) only and drops older ones, as retention would.
            if (marks.Low.Value != 0)
                throw new ArgumentException($"partition {p} dropped {marks.Low.Value} records: keep each partition under 5 MB (more --partitions or fewer --records)");
            ends[p] = marks.High.Value;
        }
        return (ends, bytes);
    }

    private static TimeSpan BareLoop(KafkaAttachmentVars from, KafkaAttachmentVars to, IReadOnlyDictionary<int, long> ends)
    {
        var source = HerokuKafkaAttachment.FromConfigVars(from.AttachmentName, from.ConfigVars);
        var target = HerokuKafkaAttachment.FromConfigVars(to.AttachmentName, to.ConfigVars);
        var started = Stopwatch.GetTimestamp();
        var consumerConfig = source.ConsumerConfig("bench-bare-loop");
        consumerConfig.EnableAutoCommit = false;
        consumerConfig.EnableAutoOffsetStore = false;
        using var consumer = new ConsumerBuilder<byte[], byte[]>(consumerConfig).SetLogHandler((_, _) => { }).Build();
        var producerConfig = target.ProducerConfig();
        producerConfig.EnableIdempotence = true;
        producerConfig.Acks = Acks.All;
        using var producer = new ProducerBuilder<byte[], byte[]>(producerConfig).SetLogHandler((_, _) => { }).Build();
        consumer.Assign(ends.Keys.Select(p => new TopicPartitionOffset(source.Topic(Topic), p, Offset.Beginning)));
        long total = ends.Values.Sum(), delivered = 0, read = 0;
        var errors = new ConcurrentDictionary<ErrorCode, int>();
        var targetPartitions = ends.Keys.ToDictionary(p => p, p => new TopicPartition(target.Topic(Topic), p));
        Action<DeliveryReport<byte[], byte[]>> delivery = r =>
        {
            if (r.Error.IsError) errors.AddOrUpdate(r.Error.Code, 1, (_, n) => n + 1);
            else Interlocked.Increment(ref delivered);
        };
        var deadline = Stopwatch.GetTimestamp() + (long)(Patience.TotalSeconds * Stopwatch.Frequency);
        while (read < total && Stopwatch.GetTimestamp() < deadline)
        {
            var result = consumer.Consume(TimeSpan.FromMilliseconds(100));
            if (result is null || result.IsPartitionEOF) continue;
            var copy = new Message<byte[], byte[]>
            {
                Key = result.Message.Key, Value = result.Message.Value, Headers = result.Message.Headers,
                Timestamp = new Timestamp(result.Message.Timestamp.UnixTimestampMs, TimestampType.CreateTime),
            };
            while (true)
            {
                try
                {
                    producer.Produce(targetPartitions[result.Partition.Value], copy, delivery);
                    break;
                }
                catch (ProduceException<byte[], byte[]> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
                {
                    producer.Flush(TimeSpan.FromMilliseconds(100));
                }
            }
            read++;
        }
        var unflushed = producer.Flush(Patience);
        var elapsed = Stopwatch.GetElapsedTime(started);
        consumer.Close();
        return Interlocked.Read(ref delivered) == total ? elapsed
            : throw new InvalidOperationException($"the bare loop read {read} and delivered {delivered} of {total} records, {unflushed} left in its queue; errors: {string.Join(", ", errors.Select(e => $"{e.Key} x{e.Value}"))}");
    }

    /// <param name="workers">Copiers side by side, the partitions dealt out between them as the leases share them out.</param>
    private static async Task<TimeSpan> Copier(KafkaAttachmentVars from, KafkaAttachmentVars to, IReadOnlyDictionary<int, long> ends, int workers = 1)
    {
        var progress = new ProgressObserver();
        var copiers = Enumerable.Range(0, workers).Select(w => new MirrorCopier(from, to,
            [.. ends.Keys.Order().Where((_, i) => i % workers == w).Select(p => new MirrorPartition(Topic, p))], progress)).ToList();
        using var stop = new CancellationTokenSource();
        var started = Stopwatch.GetTimestamp();
        var run = Task.WhenAll(copiers.Select(c => c.RunAsync(stop.Token)));
        var deadline = Stopwatch.GetTimestamp() + (long)(Patience.TotalSeconds * Stopwatch.Frequency);
        while (!ends.All(e => progress.Next.TryGetValue(e.Key, out var next) && next >= e.Value))
        {
            if (Stopwatch.GetTimestamp() > deadline || run.IsCompleted)
                throw new InvalidOperationException($"the copier did not finish; problems: {string.Join(" | ", progress.Problems)}");
            await Task.Delay(5);
        }
        var elapsed = Stopwatch.GetElapsedTime(started);
        await stop.CancelAsync();
        await run;
        return progress.Problems.IsEmpty ? elapsed
            : throw new InvalidOperationException($"the copier restarted: {string.Join(" | ", progress.Problems)}");
    }

    private sealed class ProgressObserver : IMirrorObserver
    {
        public ConcurrentDictionary<int, long> Next { get; } = new();

        public ConcurrentQueue<string> Problems { get; } = new();

        public void OnProgress(MirrorProgress progress) => Next[progress.Partition.Partition] = progress.NextSourceOffset;

        public void OnProblem(string message) => Problems.Enqueue(message);
    }
}
