using Confluent.Kafka;
using KafkaMigrationPortal.AppClient;
using KafkaMigrationPortal.Engine.KafkaChecks;
using KafkaMigrationPortal.Sandbox.Kafka;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace KafkaMigrationPortal.Benchmarks;

/// <summary>
/// The inspector's lag snapshot against a naive loop (QueryWatermarkOffsets + Committed per partition per group) on a
/// 3-broker librdkafka mock cluster. Plaintext: the sandbox's TLS front is a proxy of its own and would measure itself.
/// </summary>
public sealed class LagSnapshotBenchmark : IBenchmark
{
    private static readonly TimeSpan Target = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(30);

    public string Name => "lag";

    public string Description =>
        "lag snapshot of --topics (200) x --partitions (16) x --groups (10) on a 3-broker mock cluster, then with every broker --rtt-ms (20) slower; --runs (5), --naive-runs (1), --per-request (KafkaChecksOptions.PartitionsPerRequest)";

    public async Task<int> RunAsync(BenchmarkArgs args)
    {
        int topicCount = args.Int("topics", 200), partitionCount = args.Int("partitions", 16), groupCount = args.Int("groups", 10);
        int runs = args.Int("runs", 5), naiveRuns = args.Int("naive-runs", 1), rttMs = args.Int("rtt-ms", 20, allowZero: true);

        using var clusters = new SandboxKafkaClusters(new SandboxKafkaOptions { Plaintext = true, GroupInitialRebalanceDelay = TimeSpan.Zero });
        var cluster = clusters.Create(Guid.NewGuid(), brokerCount: 3);
        var vars = new KafkaAttachmentVars("KAFKA", new Dictionary<string, string> { ["KAFKA_URL"] = cluster.Credentials.Url });
        var attachment = HerokuKafkaAttachment.FromConfigVars(vars.AttachmentName, vars.ConfigVars);
        var topics = Enumerable.Range(0, topicCount).Select(i => $"bench-{i:000}").ToList();
        var groups = Enumerable.Range(0, groupCount).Select(i => $"group-{i:00}").ToList();
        var partitions = topics.SelectMany(t => Enumerable.Range(0, partitionCount).Select(p => new TopicPartition(t, p))).ToList();

        Console.WriteLine($"setting up: 3-broker mock cluster (plaintext), {topicCount} topics x {partitionCount} partitions, {groupCount} groups");
        foreach (var topic in topics) cluster.CreateTopic(topic, partitionCount, replicationFactor: 3);
        var written = Produce(attachment, partitions);
        var expectedLag = CommitOffsets(attachment, groups, partitions, written);

        var perRequest = args.Int("per-request", new KafkaChecksOptions().PartitionsPerRequest);
        // As the panel and the gates read: one inspector whose connection is kept between readings; beside it, every
        // reading on a fresh connection (bootstrap, TLS, coordinator lookups each time).
        using var kept = Inspector(perRequest, new KafkaChecksOptions().IdleConnectionLifetime);
        using var fresh = Inspector(perRequest, TimeSpan.Zero);
        async Task<long> Lag(KafkaInspector inspector)
        {
            var snapshot = (await inspector.GetLagAsync(vars, groups, topics)).Require();
            return snapshot.Partitions.Count == partitions.Count * groups.Count ? snapshot.TotalLag : -1;
        }
        async Task<List<TimeSpan>> MeasureAsync(KafkaInspector inspector)
        {
            var times = new List<TimeSpan>();
            for (var i = 0; i < runs; i++) times.Add(await Timing.MeasureAsync(async () => Check(await Lag(inspector), expectedLag)));
            return times;
        }

        var first = await Lag(kept);
        if (first != expectedLag)
        {
            Console.Error.WriteLine($"inspector reported total lag {first}, expected {expectedLag}: not measuring a wrong answer");
            return 1;
        }
        var keptTimes = await MeasureAsync(kept);
        var freshTimes = await MeasureAsync(fresh);

        var naiveTimes = new List<TimeSpan>();
        for (var i = 0; i < naiveRuns; i++)
            naiveTimes.Add(await Timing.MeasureAsync(() => Task.Run(() => Check(NaiveLag(attachment, groups, partitions), expectedLag))));

        // The same snapshots with every broker answering later: a snapshot that pays the round trip once per request
        // wave stays flat, one that pays it per partition or per group grows with the cluster.
        cluster.SetRoundTripTime(TimeSpan.FromMilliseconds(rttMs));
        var keptSlow = await MeasureAsync(kept);
        var freshSlow = await MeasureAsync(fresh);
        cluster.SetRoundTripTime(TimeSpan.Zero);

        TimeSpan keptMedian = Timing.Median(keptTimes), freshMedian = Timing.Median(freshTimes), naiveMedian = Timing.Median(naiveTimes);
        TimeSpan keptSlowMedian = Timing.Median(keptSlow), freshSlowMedian = Timing.Median(freshSlow);
        var meets = keptMedian <= Target;
        Console.WriteLine($"kept connection runs: {string.Join(", ", keptTimes.Select(Timing.Format))}; fresh connection runs: " +
                          $"{string.Join(", ", freshTimes.Select(Timing.Format))}; naive runs: {string.Join(", ", naiveTimes.Select(Timing.Format))}");
        Console.WriteLine(
            $"lag snapshot {topicCount}x{partitionCount}x{groupCount}, repeated as the panel and gates read it (connection kept): {Timing.Format(keptMedian)} " +
            $"(target <= {Timing.Format(Target)}) {(meets ? "OK" : "MISSED")}; on a fresh connection {Timing.Format(freshMedian)}; naive {Timing.Format(naiveMedian)}, " +
            $"ratio {naiveMedian / keptMedian:0.0}x");
        Console.WriteLine($"with every broker {rttMs} ms slower: connection kept {string.Join(", ", keptSlow.Select(Timing.Format))}, median " +
                          $"{Timing.Format(keptSlowMedian)} ({Timing.Format(keptSlowMedian - keptMedian)} more than without); fresh connection median " +
                          $"{Timing.Format(freshSlowMedian)} ({Timing.Format(freshSlowMedian - freshMedian)} more)");
        return meets ? 0 : 1;
    }

    private static KafkaInspector Inspector(int perRequest, TimeSpan idleConnectionLifetime) =>
        new(Options.Create(new KafkaChecksOptions { OperationTimeout = CallTimeout, PartitionsPerRequest = perRequest, IdleConnectionLifetime = idleConnectionLifetime }),
            TimeProvider.System, NullLogger<KafkaInspector>.Instance);

    private static void Check(long actual, long expected)
    {
        if (actual != expected) throw new InvalidOperationException($"total lag {actual}, expected {expected}");
    }

    /// <summary>0 to 3 records per partition, a little data everywhere.</summary>
    private static Dictionary<TopicPartition, int> Produce(HerokuKafkaAttachment attachment, IReadOnlyList<TopicPartition> partitions)
    {
        var config = attachment.ProducerConfig();
        config.LingerMs = 20;
        using var producer = new ProducerBuilder<Null, string>(config).SetLogHandler((_, _) => { }).Build();
        var written = new Dictionary<TopicPartition, int>();
        var failures = 0;
        for (var i = 0; i < partitions.Count; i++)
        {
            var count = i % 4;
            written[partitions[i]] = count;
            for (var r = 0; r < count; r++)
                producer.Produce(partitions[i], new Message<Null, string> { Value = $"record-{r}" },
                    report => { if (report.Error.IsError) Interlocked.Increment(ref failures); });
        }
        producer.Flush(CallTimeout);
        if (failures > 0) throw new InvalidOperationException($"{failures} records could not be produced");
        return written;
    }

    /// <summary>Every group but the last commits something on every partition; the last never commits.</summary>
    /// <returns>The total lag a correct snapshot reports.</returns>
    private static long CommitOffsets(HerokuKafkaAttachment attachment, IReadOnlyList<string> groups, IReadOnlyList<TopicPartition> partitions,
        IReadOnlyDictionary<TopicPartition, int> written)
    {
        long expected = 0;
        for (var g = 0; g < groups.Count; g++)
        {
            var offsets = new List<TopicPartitionOffset>();
            foreach (var partition in partitions)
            {
                var end = written[partition];
                if (g == groups.Count - 1)
                {
                    expected += end;
                    continue;
                }
                var committed = Math.Min(end, (g + partition.Partition.Value) % 3);
                offsets.Add(new TopicPartitionOffset(partition, committed));
                expected += end - committed;
            }
            if (offsets.Count == 0) continue;
            using var consumer = Consumer(attachment, groups[g]);
            consumer.Commit(offsets);
        }
        return expected;
    }

    /// <summary>What one would write first: per group, per partition, ask for the watermarks and the committed offset.</summary>
    private static long NaiveLag(HerokuKafkaAttachment attachment, IReadOnlyList<string> groups, IReadOnlyList<TopicPartition> partitions)
    {
        long total = 0;
        foreach (var group in groups)
        {
            using var consumer = Consumer(attachment, group);
            foreach (var partition in partitions)
            {
                var watermarks = consumer.QueryWatermarkOffsets(partition, CallTimeout);
                var committed = consumer.Committed([partition], CallTimeout)[0].Offset.Value;
                total += PartitionLag.Compute(group, partition.Topic, partition.Partition.Value, committed >= 0 ? committed : null,
                    watermarks.Low.Value, watermarks.High.Value).Lag;
            }
        }
        return total;
    }

    private static IConsumer<Ignore, Ignore> Consumer(HerokuKafkaAttachment attachment, string group)
    {
        var config = attachment.ConsumerConfig(group);
        config.EnableAutoCommit = false;
        return new ConsumerBuilder<Ignore, Ignore>(config).SetLogHandler((_, _) => { }).Build();
    }
}
