using System.Text;
using Confluent.Kafka;
using KafkaMigrationPortal.Engine.KafkaChecks;
using KafkaMigrationPortal.Engine.Mirroring;
using KafkaMigrationPortal.Tests.KafkaChecks;
using static KafkaMigrationPortal.Tests.Mirroring.MirrorKit;

namespace KafkaMigrationPortal.Tests.Mirroring;

/// <summary>
/// Translation against a copy whose offsets differ from the source's by no constant: the source's oldest records are
/// deleted below its low watermark (as retention does), and transactions leave markers (and aborted records, which a
/// read_committed copier does not copy) as gaps in its offsets. The mock cannot compact a topic, which makes gaps the
/// same way; transaction markers stand in for it here.
/// </summary>
public sealed class MirrorOffsetTranslatorTests(KafkaChecksFixture fixture) : IClassFixture<KafkaChecksFixture>
{
    private static async Task WriteTransactionAsync(KafkaAttachmentVars vars, string topic, int partition, int from, int count, bool commit)
    {
        var attachment = Connection(vars);
        var config = attachment.ProducerConfig();
        config.TransactionalId = $"tx-{Guid.NewGuid():N}";
        using var producer = new ProducerBuilder<Null, byte[]>(config).SetLogHandler((_, _) => { }).Build();
        producer.InitTransactions(TimeSpan.FromSeconds(30));
        producer.BeginTransaction();
        for (var n = from; n < from + count; n++)
            await producer.ProduceAsync(new TopicPartition(attachment.Topic(topic), partition),
                new Message<Null, byte[]> { Value = Encoding.UTF8.GetBytes($"tx/{n}") });
        if (commit) producer.CommitTransaction(TimeSpan.FromSeconds(30));
        else producer.AbortTransaction(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Every_committed_offset_translates_to_the_first_copied_record_at_or_after_it_with_or_without_sync_points()
    {
        var (old, source, _, target) = TwoClusters(fixture, partitions: 1);
        await WriteAsync(source, "orders", 0, 0, 12);
        old.Mock.DeleteRecordsBefore("orders", 0, 8); // aged out: the source now starts at offset 8
        await WriteTransactionAsync(source, "orders", 0, 100, 4, commit: true);
        await WriteAsync(source, "orders", 0, 12, 5);
        await WriteTransactionAsync(source, "orders", 0, 200, 3, commit: false);
        await WriteAsync(source, "orders", 0, 17, 6);
        await WriteTransactionAsync(source, "orders", 0, 300, 2, commit: true);
        var sourceRecords = ReadAll(source, "orders", 0);
        var sourceEnd = EndOffset(source, "orders", 0);
        Assert.Equal(8, sourceRecords[0].Offset);
        Assert.True(sourceEnd > sourceRecords[^1].Offset + 1, "the source ends with a transaction marker");

        var partition = new MirrorPartition("orders", 0);
        var observer = new RecordingObserver();
        await RunUntilAsync(new MirrorCopier(source, target, [partition], observer, new MirrorCopierOptions { SyncEvery = 3 }),
            () => observer.WaitUntilAsync(l => l.TryGetValue(partition, out var x) && x.Idle && x.NextSourceOffset == sourceEnd, "copied"));
        var copied = ReadAll(target, "orders", 0);
        AssertCopied(sourceRecords, copied, "orders[0]");

        // The oracle: a group that would next read source offset C has read every copied record below C.
        long Expected(long c) => copied.Count(r => r.SourceOffset < c);
        var offsets = Enumerable.Range(0, (int)sourceEnd + 3).Select(c => (long)c).ToList();
        var requests = offsets.Select(c => new MirrorTranslationRequest(partition, c)).ToList();
        var syncs = observer.Syncs.ToList();
        Assert.True(syncs.Count >= 5, $"sync points: {string.Join(", ", syncs)}");
        Assert.All(syncs, s => Assert.Equal(s.SourceOffset, copied[(int)s.TargetOffset].SourceOffset));
        Assert.Contains(syncs, s => s.SourceOffset - s.TargetOffset != syncs[0].SourceOffset - syncs[0].TargetOffset);

        var translator = new MirrorOffsetTranslator(TimeSpan.FromSeconds(30));
        foreach (var known in new[] { syncs, [], syncs.Where((_, i) => i % 2 == 1).ToList() })
        {
            var answers = await translator.TranslateAsync(target, requests, known);
            Assert.Equal(offsets.Select(Expected), answers.Select(a => a.TargetOffset));
            if (known.Count > 0)
                Assert.Contains(answers, a => a.ReadFrom > 0); // the read began at a sync point, not the start
            else
                Assert.All(answers, a => Assert.True(a.ReadFrom == 0 || a.TargetOffset == a.ReadFrom));
        }
    }
}
