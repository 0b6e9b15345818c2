using KafkaMigrationPortal.Features.KafkaChecks;
using static KafkaMigrationPortal.Tests.KafkaChecks.KafkaChecksKit;

namespace KafkaMigrationPortal.Tests.KafkaChecks;

public sealed class WriteActivityTests(KafkaChecksFixture fixture) : IClassFixture<KafkaChecksFixture>
{
    [Fact]
    public async Task Watermarks_give_earliest_and_latest_of_every_partition()
    {
        var cluster = fixture.NewCluster(brokers: 3);
        cluster.CreateTopic("a", partitions: 3, replicationFactor: 2);
        cluster.CreateTopic("b", partitions: 1, replicationFactor: 1);
        var kafka = Attach(cluster);
        await ProduceAsync(kafka, "a", 0, 6);
        await ProduceAsync(kafka, "a", 2, 2);
        await ProduceAsync(kafka, "b", 0, 4);
        cluster.Mock.DeleteRecordsBefore("a", 0, 5);
        cluster.Mock.DeleteRecordsBefore("b", 0, 4);

        var snapshot = (await Inspector().GetWatermarksAsync(kafka, ["a", "b"])).Require();

        Assert.Equal(
            [("a", 0, 5L, 6L), ("a", 1, 0L, 0L), ("a", 2, 0L, 2L), ("b", 0, 4L, 4L)],
            snapshot.Partitions.Select(p => (p.Topic, p.Partition, p.EarliestOffset, p.LatestOffset)));
        Assert.True(snapshot.Find("b", 0)!.IsEmpty);
        Assert.Equal(3, snapshot.TotalRetained);
    }

    [Fact]
    public async Task Both_clusters_receiving_writes_during_the_window_is_reported_per_cluster_and_partition()
    {
        var (oldCluster, newCluster) = (fixture.NewCluster(brokers: 1), fixture.NewCluster(brokers: 1));
        oldCluster.CreateTopic("orders", partitions: 2, replicationFactor: 1);
        newCluster.CreateTopic("orders", partitions: 2, replicationFactor: 1);
        var (oldKafka, newKafka) = (Attach(oldCluster, "OLD_KAFKA"), Attach(newCluster, "KAFKA"));
        await ProduceAsync(oldKafka, "orders", 0, 5); // before the window: must not count
        var clock = new WindowTimeProvider(async () =>
        {
            await ProduceAsync(oldKafka, "orders", 1, 2);
            await ProduceAsync(newKafka, "orders", 0, 3);
        });

        var report = (await Inspector(clock).SampleWriteActivityAsync([oldKafka, newKafka], ["orders"], TimeSpan.FromMinutes(1))).Require();

        Assert.Equal(1, clock.TimersCreated);
        Assert.True(report.AllReceivingWrites);
        var old = report.For("OLD_KAFKA");
        Assert.Equal([("orders", 1, 2L)], old.PartitionsWritten.Select(p => (p.Topic, p.Partition, p.Written)));
        Assert.Equal(2, old.RecordsWritten);
        var @new = report.For("KAFKA");
        Assert.Equal([("orders", 0, 3L)], @new.PartitionsWritten.Select(p => (p.Topic, p.Partition, p.Written)));
    }

    [Fact]
    public async Task A_cluster_that_stopped_receiving_writes_is_named()
    {
        var (oldCluster, newCluster) = (fixture.NewCluster(brokers: 1), fixture.NewCluster(brokers: 1));
        foreach (var cluster in new[] { oldCluster, newCluster })
        {
            cluster.CreateTopic("orders", partitions: 1, replicationFactor: 1);
            cluster.CreateTopic("audit", partitions: 1, replicationFactor: 1);
        }
        var (oldKafka, newKafka) = (Attach(oldCluster, "OLD_KAFKA"), Attach(newCluster, "KAFKA"));
        var clock = new WindowTimeProvider(async () =>
        {
            await ProduceAsync(newKafka, "orders", 0, 1);
            await ProduceAsync(newKafka, "audit", 0, 1);
        });

        var report = (await Inspector(clock).SampleWriteActivityAsync([oldKafka, newKafka], [], TimeSpan.FromSeconds(30))).Require();

        Assert.False(report.AllReceivingWrites);
        Assert.Equal(["OLD_KAFKA"], report.AttachmentsWithoutWrites);
        Assert.Equal(["audit", "orders"], report.For("KAFKA").TopicsWritten);
        Assert.Empty(report.For("OLD_KAFKA").TopicsWritten);
    }

    [Fact]
    public async Task Snapshots_taken_in_separate_jobs_compare_to_the_same_answer()
    {
        var cluster = fixture.NewCluster(brokers: 1);
        cluster.CreateTopic("orders", partitions: 2, replicationFactor: 1);
        var kafka = Attach(cluster);
        await ProduceAsync(kafka, "orders", 0, 1);
        var inspector = Inspector();
        var before = (await inspector.GetWatermarksAsync(kafka, ["orders"])).Require();
        await ProduceAsync(kafka, "orders", 1, 4);
        var after = (await inspector.GetWatermarksAsync(kafka, ["orders"])).Require();

        var activity = WriteActivity.Compare(before, after);

        Assert.Equal([(0, 0L), (1, 4L)], activity.Partitions.Select(p => (p.Partition, p.Written)));
        Assert.Throws<ArgumentException>(() => WriteActivity.Compare(after, before));
    }

    [Fact]
    public async Task Stray_writes_to_the_old_cluster_are_caught_and_a_quiet_cluster_passes()
    {
        var cluster = fixture.NewCluster(brokers: 1);
        cluster.CreateTopic("orders", partitions: 3, replicationFactor: 1);
        var oldKafka = Attach(cluster, "OLD_KAFKA");
        await ProduceAsync(oldKafka, "orders", 0, 10); // history from before the switch

        var quiet = (await Inspector(new WindowTimeProvider(() => Task.CompletedTask))
            .WatchStrayWritesAsync(oldKafka, ["orders"], TimeSpan.FromMinutes(5))).Require();
        Assert.True(quiet.IsQuiet);

        var stray = (await Inspector(new WindowTimeProvider(() => ProduceAsync(oldKafka, "orders", 2, 1)))
            .WatchStrayWritesAsync(oldKafka, ["orders"], TimeSpan.FromMinutes(5))).Require();
        Assert.False(stray.IsQuiet);
        Assert.Equal([("orders", 2, 1L)], stray.StrayWrites.Select(p => (p.Topic, p.Partition, p.Written)));
    }
}
