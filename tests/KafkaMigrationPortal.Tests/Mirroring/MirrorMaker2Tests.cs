using System.Text;
using Confluent.Kafka;
using KafkaMigrationPortal.Engine.KafkaChecks;
using KafkaMigrationPortal.Engine.Mirroring;
using KafkaMigrationPortal.TestSupport;
using KafkaMigrationPortal.Tests.KafkaChecks;
using static KafkaMigrationPortal.Tests.Mirroring.MirrorKit;

namespace KafkaMigrationPortal.Tests.Mirroring;

/// <summary>
/// The portal following a copy MirrorMaker 2 makes (<see cref="MirrorMaker2StandIn"/> doing what it does on the wire)
/// and carrying positions through it. The source has gaps in its offsets (records aged out below its low watermark,
/// committed and aborted transactions), so no offset arithmetic is exact; the counts and record checks must be.
/// </summary>
public sealed class MirrorMaker2Tests(KafkaChecksFixture fixture) : IClassFixture<KafkaChecksFixture>
{
    private static readonly MirrorPartition Orders0 = new("orders", 0);
    private static readonly MirrorPartition Orders1 = new("orders", 1);

    [Fact]
    public void Offset_syncs_are_read_and_written_in_MirrorMaker_2s_format()
    {
        // Kafka's protocol types: STRING is an INT16 length and UTF-8 bytes; INT32 and INT64 are big-endian.
        byte[] key = [0, 6, .. "orders"u8, 0, 0, 0, 3];
        byte[] value = [0, 0, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 0, 0, 0, 9];

        Assert.True(MirrorMaker2Sync.TryRead(key, value, out var sync));
        Assert.Equal(new MirrorMaker2Sync(new MirrorPartition("orders", 3), 258, 9), sync);
        var (writtenKey, writtenValue) = sync!.Write();
        Assert.Equal(key, writtenKey);
        Assert.Equal(value, writtenValue);
        Assert.False(MirrorMaker2Sync.TryRead(key[..^1], value, out _));
    }

    private async Task<(MirrorClusters Clusters, long[] Ends)> SourceWithGapsAsync()
    {
        var clusters = TwoClusters(fixture, partitions: 2);
        clusters.New.CreateTopic(MirrorMaker2Config.OffsetSyncsTopic, 1, replicationFactor: 1);
        clusters.New.CreateTopic(MirrorMaker2Config.HeartbeatsTopic, 1, replicationFactor: 1);
        var source = clusters.Source;
        await WriteAsync(source, "orders", 0, 0, 12);
        clusters.Old.Mock.DeleteRecordsBefore("orders", 0, 8);
        await WriteTransactionAsync(source, 0, 100, 4, commit: true);
        await WriteAsync(source, "orders", 0, 12, 250);
        await WriteTransactionAsync(source, 0, 200, 3, commit: false);
        await WriteAsync(source, "orders", 0, 262, 6);
        await WriteTransactionAsync(source, 0, 300, 2, commit: true);
        await WriteAsync(source, "orders", 1, 0, 30);
        return (clusters, [EndOffset(source, "orders", 0), EndOffset(source, "orders", 1)]);
    }

    private static async Task WriteTransactionAsync(KafkaAttachmentVars vars, int partition, int from, int count, bool commit)
    {
        var attachment = Connection(vars);
        var config = attachment.ProducerConfig();
        config.TransactionalId = $"tx-{Guid.NewGuid():N}";
        using var producer = new ProducerBuilder<Null, byte[]>(config).SetLogHandler((_, _) => { }).Build();
        producer.InitTransactions(TimeSpan.FromSeconds(30));
        producer.BeginTransaction();
        for (var n = from; n < from + count; n++)
            await producer.ProduceAsync(new TopicPartition(attachment.Topic("orders"), partition), new Message<Null, byte[]> { Value = Encoding.UTF8.GetBytes($"tx/{n}") });
        if (commit) producer.CommitTransaction(TimeSpan.FromSeconds(30));
        else producer.AbortTransaction(TimeSpan.FromSeconds(30));
    }

    private static async Task<RecordingObserver> WatchUntilAsync(MirrorClusters clusters, Func<IReadOnlyDictionary<MirrorPartition, MirrorProgress>, bool> done,
        string what, Func<RecordingObserver, bool>? alsoUntil = null)
    {
        var observer = new RecordingObserver();
        using var stop = new CancellationTokenSource();
        var watch = new MirrorMaker2Watch(clusters.Source, clusters.Target, [Orders0, Orders1], KafkaChecksKit.Inspector(), observer,
            new MirrorMaker2WatchOptions { PollInterval = TimeSpan.FromMilliseconds(200) }).RunAsync(stop.Token);
        await Deadline.PollAsync(() => Task.FromResult($"progress: {string.Join(", ", observer.Latest.Values)}; problems: {string.Join(" | ", observer.Problems)}"),
            _ => done(observer.Latest) && (alsoUntil?.Invoke(observer) ?? true), TimeSpan.FromSeconds(60), what);
        await stop.CancelAsync();
        await watch.WaitAsync(TimeSpan.FromSeconds(30));
        return observer;
    }

    [Fact]
    public async Task The_watch_reports_MirrorMaker_2s_copy_exactly_up_to_the_source_end_and_records_copied_twice_as_a_problem()
    {
        var (clusters, ends) = await SourceWithGapsAsync();
        await using var mirrorMaker = new MirrorMaker2StandIn(clusters.Source, clusters.Target, [Orders0, Orders1]);

        // Before it starts, nothing is copied: the progress stays at the source's start.
        var idle = await WatchUntilAsync(clusters, l => l.Count == 2, "the watch reports both partitions");
        Assert.Equal(8, idle.Latest[Orders0].NextSourceOffset);
        Assert.Equal(0, idle.Latest[Orders1].NextSourceOffset);

        mirrorMaker.Start();
        var source = ReadAll(clusters.Source, "orders", 0);
        await Deadline.PollAsync(() => Task.FromResult(mirrorMaker.Copied(Orders0).Count == source.Count && mirrorMaker.Copied(Orders1).Count == 30),
            TimeSpan.FromSeconds(60), "the stand-in copies everything");
        // The source ends on a transaction marker: only the records after the last sync, counted, tell that nothing is left.
        Assert.True(ends[0] > source[^1].Offset + 1);
        var caughtUp = await WatchUntilAsync(clusters, l => l.TryGetValue(Orders0, out var p) && p.NextSourceOffset == ends[0] && p.Idle
            && l.TryGetValue(Orders1, out var q) && q.NextSourceOffset == ends[1] && q.Idle, "the watch sees the copy at the source's end");
        Assert.Empty(caughtUp.Problems);

        // A restart without exactly-once copies the last five records of each partition again.
        await mirrorMaker.RestartAsync(replay: 5);
        await Deadline.PollAsync(() => Task.FromResult(mirrorMaker.Copied(Orders0).Count == source.Count + 5), TimeSpan.FromSeconds(60), "the stand-in copies five again");
        await WatchUntilAsync(clusters, _ => true, "the watch reports the repeat on both partitions",
            o => o.Problems.Any(p => p.Contains("of orders[0] twice", StringComparison.Ordinal))
                 && o.Problems.Any(p => p.StartsWith("MirrorMaker 2 copied at least 5 record(s) of orders[1] twice", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Every_committed_offset_is_carried_to_the_new_cluster_exactly_and_a_repeat_after_it_refuses_rather_than_replays()
    {
        var (clusters, ends) = await SourceWithGapsAsync();
        await using var mirrorMaker = new MirrorMaker2StandIn(clusters.Source, clusters.Target, [Orders0, Orders1]);
        mirrorMaker.Start();
        var source = ReadAll(clusters.Source, "orders", 0);
        await Deadline.PollAsync(() => Task.FromResult(mirrorMaker.Copied(Orders0).Count == source.Count && mirrorMaker.Copied(Orders1).Count == 30),
            TimeSpan.FromSeconds(60), "the stand-in copies everything");
        await mirrorMaker.StopAsync();
        var copied = ReadAll(clusters.Target, "orders", 0);
        Assert.Equal(source.Select(r => (Convert.ToHexString(r.Value!), r.TimestampMs)), copied.Select(r => (Convert.ToHexString(r.Value!), r.TimestampMs)));

        // The oracle: a group that would next read source offset C has read every source record below C, and no more.
        var offsets = Enumerable.Range(0, (int)ends[0] + 2).Select(c => (long)c).ToList();
        var requests = offsets.Select(c => new MirrorTranslationRequest(Orders0, c)).Append(new MirrorTranslationRequest(Orders1, 17)).ToList();
        var translator = new MirrorMaker2OffsetTranslator(TimeSpan.FromSeconds(30));
        var answers = await translator.TranslateAsync(clusters.Source, clusters.Target, requests);
        Assert.Equal(offsets.Select(c => (long)source.Count(r => r.Offset < c)), answers.Take(offsets.Count).Select(a => a.TargetOffset));
        Assert.Equal(17, answers[^1].TargetOffset);

        // Copied twice: the last five records again. A group before them would be handed them twice, so it is refused;
        // a group past them is carried exactly.
        await mirrorMaker.RestartAsync(replay: 5);
        await Deadline.PollAsync(() => Task.FromResult(mirrorMaker.Copied(Orders0).Count == source.Count + 5), TimeSpan.FromSeconds(60), "copied five again");
        await mirrorMaker.StopAsync();
        var before = source[^8].Offset;
        var refused = await Assert.ThrowsAsync<MirrorTranslationRefusedException>(() =>
            translator.TranslateAsync(clusters.Source, clusters.Target, [new MirrorTranslationRequest(Orders0, before)]));
        Assert.Contains("orders[0]", refused.Message);
        var atEnd = Assert.Single(await translator.TranslateAsync(clusters.Source, clusters.Target, [new MirrorTranslationRequest(Orders0, ends[0])]));
        Assert.Equal(source.Count + 5, atEnd.TargetOffset);
    }
}
