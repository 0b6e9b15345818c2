using KafkaMigrationPortal.Engine.KafkaChecks;
using KafkaMigrationPortal.Engine.Mirroring;
using KafkaMigrationPortal.TestSupport;
using KafkaMigrationPortal.Tests.KafkaChecks;
using static KafkaMigrationPortal.Tests.Mirroring.MirrorKit;

namespace KafkaMigrationPortal.Tests.Mirroring;

/// <summary>The copier on two real librdkafka mock clusters behind their TLS fronts.</summary>
public sealed class MirrorCopierTests(KafkaChecksFixture fixture) : IClassFixture<KafkaChecksFixture>
{
    [Fact]
    public async Task Every_record_of_every_partition_is_copied_in_order_to_the_same_partition_with_key_value_headers_and_timestamp()
    {
        var (_, source, _, target) = TwoClusters(fixture, partitions: 3, sourcePrefix: "wolf-12345.", sourceAttachment: "KAFKA", targetAttachment: "HEROKU_KAFKA_AQUA");
        var counts = new[] { 25, 0, 7 };
        for (var p = 0; p < 3; p++) await WriteAsync(source, "orders", p, 0, counts[p]);

        var observer = new RecordingObserver();
        MirrorPartition[] partitions = [new("orders", 0), new("orders", 1), new("orders", 2)];
        await RunUntilAsync(new MirrorCopier(source, target, partitions, observer, new MirrorCopierOptions { SyncEvery = 10 }),
            () => observer.WaitUntilAsync(l => partitions.All(p => l.TryGetValue(p, out var x) && x.Idle && x.NextSourceOffset == counts[p.Partition]),
                "every partition copied"));

        for (var p = 0; p < 3; p++)
        {
            AssertCopied(ReadAll(source, "orders", p), ReadAll(target, "orders", p), $"orders[{p}]");
            Assert.Equal(counts[p], observer.Latest[partitions[p]].RecordsCopied);
            Assert.Equal(counts[p], observer.Latest[partitions[p]].SourceHighWatermark);
        }
        Assert.True(observer.Latest[partitions[0]].BytesCopied > 25 * 20);
        // Every 10 records and at the last one when idle; here source offset = target offset.
        Assert.Equal([(9L, 9L), (19, 19), (24, 24)], observer.Syncs.Where(s => s.Partition.Partition == 0).Select(s => (s.SourceOffset, s.TargetOffset)));
        Assert.Equal([(6L, 6L)], observer.Syncs.Where(s => s.Partition.Partition == 2).Select(s => (s.SourceOffset, s.TargetOffset)));
        Assert.DoesNotContain(observer.Syncs, s => s.Partition.Partition == 1);
        Assert.Empty(observer.Problems);
    }

    [Fact]
    public async Task A_copier_stopped_mid_copy_and_another_started_later_leave_each_target_partition_equal_to_its_source()
    {
        var (_, source, _, target) = TwoClusters(fixture, partitions: 2, targetPrefix: "tenant-b.");
        await WriteAsync(source, "orders", 0, 0, 300);
        await WriteAsync(source, "orders", 1, 0, 300);
        MirrorPartition[] partitions = [new("orders", 0), new("orders", 1)];

        // Throttled to about 200 records a second so that the stop comes in the middle of the copy.
        var first = new RecordingObserver();
        await RunUntilAsync(new MirrorCopier(source, target, partitions, first, new MirrorCopierOptions
            {
                Quota = new ProduceQuota(20 * 1024, TimeProvider.System, burstBytes: 4 * 1024),
            }),
            () => first.WaitUntilAsync(l => l.Values.Any(x => x.NextSourceOffset >= 30), "the first copier under way"));
        var copiedByFirst = partitions.Sum(p => EndOffset(target, "orders", p.Partition));
        Assert.InRange(copiedByFirst, 30, 599); // stopped in the middle: the premise of the test

        await WriteAsync(source, "orders", 1, 300, 50); // while no copier runs
        var second = new RecordingObserver();
        await RunUntilAsync(new MirrorCopier(source, target, partitions, second), async () =>
        {
            await WriteAsync(source, "orders", 0, 300, 40); // while it runs
            await WriteAsync(source, "orders", 1, 350, 10);
            await second.WaitUntilAsync(l => l.TryGetValue(partitions[0], out var a) && a is { Idle: true, NextSourceOffset: 340 }
                && l.TryGetValue(partitions[1], out var b) && b is { Idle: true, NextSourceOffset: 360 }, "the second copier caught up");
        });

        foreach (var p in partitions)
            AssertCopied(ReadAll(source, "orders", p.Partition), ReadAll(target, "orders", p.Partition), p.ToString());
        Assert.Equal(700 - copiedByFirst, second.Latest.Values.Sum(x => x.RecordsCopied));
        Assert.Empty(first.Problems);
        Assert.Empty(second.Problems);
    }

    [Fact]
    public async Task A_target_partition_written_by_something_else_is_not_appended_to_and_the_problem_names_no_broker()
    {
        var (_, source, _, target) = TwoClusters(fixture, partitions: 1);
        await WriteAsync(source, "orders", 0, 0, 5);
        await WriteAsync(target, "orders", 0, 0, 2); // an app double-writing, say: no kmp-source-offset header

        var observer = new RecordingObserver();
        await RunUntilAsync(new MirrorCopier(source, target, [new("orders", 0)], observer, new MirrorCopierOptions { RestartDelay = TimeSpan.FromMilliseconds(50) }),
            () => Deadline.PollAsync(() => Task.FromResult(observer.Problems.Count >= 2), TimeSpan.FromSeconds(60), "the problem reported, twice"));

        Assert.Equal(2, EndOffset(target, "orders", 0));
        var problem = observer.Problems.First();
        Assert.Contains(MirrorCopier.SourceOffsetHeader, problem);
        Assert.Contains("orders[0]", problem);
        Assert.DoesNotContain("127.0.0.1", string.Join("\n", observer.Problems));
    }

    [Fact]
    public async Task Records_that_left_the_source_before_a_restarted_copier_reached_them_are_reported_and_the_rest_copied()
    {
        var (old, source, _, target) = TwoClusters(fixture, partitions: 1);
        var partition = new MirrorPartition("orders", 0);
        await WriteAsync(source, "orders", 0, 0, 10);
        await CopyUntilAsync(source, target, partition, 10, new RecordingObserver());

        await WriteAsync(source, "orders", 0, 10, 10);
        old.Mock.DeleteRecordsBefore("orders", 0, 15);
        var observer = new RecordingObserver();
        await CopyUntilAsync(source, target, partition, 20, observer);

        Assert.Equal([.. Enumerable.Range(0, 10).Select(n => (long?)n), .. Enumerable.Range(15, 5).Select(n => (long?)n)],
            ReadAll(target, "orders", 0).Select(r => r.SourceOffset));
        Assert.Contains("5 offset(s) of orders[0] from 10 on left the source", Assert.Single(observer.Problems));
    }

    private static Task CopyUntilAsync(KafkaAttachmentVars source, KafkaAttachmentVars target, MirrorPartition partition,
        long next, RecordingObserver observer) =>
        RunUntilAsync(new MirrorCopier(source, target, [partition], observer),
            () => observer.WaitUntilAsync(l => l.TryGetValue(partition, out var x) && x is { Idle: true } && x.NextSourceOffset == next, $"copied up to {next}"));
}
