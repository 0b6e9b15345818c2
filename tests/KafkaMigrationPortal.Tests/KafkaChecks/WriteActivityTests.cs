using KafkaMigrationPortal.Engine.KafkaChecks;
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
    public async Task Only_writes_after_the_first_snapshot_count_and_a_quiet_cluster_shows_none()
    {
        var cluster = fixture.NewCluster(brokers: 1);
        cluster.CreateTopic("orders", partitions: 2, replicationFactor: 1);
        cluster.CreateTopic("audit", partitions: 1, replicationFactor: 1);
        var kafka = Attach(cluster, "OLD_KAFKA");
        await ProduceAsync(kafka, "orders", 0, 10); // history from before the switch
        var inspector = Inspector();
        var first = (await inspector.GetWatermarksAsync(kafka, [])).Require();
        var quiet = (await inspector.GetWatermarksAsync(kafka, [])).Require();
        await ProduceAsync(kafka, "orders", 1, 2);
        await ProduceAsync(kafka, "audit", 0, 1);
        var written = (await inspector.GetWatermarksAsync(kafka, [])).Require();

        var none = WriteActivity.Compare(first, quiet);
        var stray = WriteActivity.Compare(quiet, written);

        Assert.False(none.ReceivedWrites);
        Assert.Equal(0, none.RecordsWritten);
        Assert.True(stray.ReceivedWrites);
        Assert.Equal(["audit", "orders"], stray.TopicsWritten);
        Assert.Equal(3, stray.RecordsWritten);
        Assert.Equal([("audit", 0, 1L), ("orders", 0, 0L), ("orders", 1, 2L)], stray.Partitions.Select(p => (p.Topic, p.Partition, p.Written)));
    }

    [Fact]
    public void A_partition_that_appeared_or_whose_log_was_re_created_counts_all_its_records_as_written()
    {
        var at = DateTimeOffset.Parse("2026-11-27T10:00:00Z");
        var before = new WatermarkSnapshot("KAFKA", at, [new PartitionWatermarks("orders", 0, 0, 50)]);
        var after = new WatermarkSnapshot("KAFKA", at.AddSeconds(15),
            [new PartitionWatermarks("orders", 0, 0, 7), new PartitionWatermarks("orders", 1, 0, 3)]);

        var activity = WriteActivity.Compare(before, after);

        Assert.Equal([(0, (long?)50, 7L), (1, null, 3L)], activity.Partitions.Select(p => (p.Partition, p.LatestBefore, p.Written)));
        Assert.Equal(10, activity.RecordsWritten);
        Assert.Equal((at, at.AddSeconds(15)), (activity.From, activity.To));
        Assert.Throws<ArgumentException>(() => WriteActivity.Compare(before, after with { Attachment = "NEW_KAFKA" }));
    }
}
