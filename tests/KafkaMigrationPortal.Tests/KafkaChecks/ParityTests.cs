using KafkaMigrationPortal.Engine.KafkaChecks;
using static KafkaMigrationPortal.Tests.KafkaChecks.KafkaChecksKit;

namespace KafkaMigrationPortal.Tests.KafkaChecks;

public sealed class ParityTests(KafkaChecksFixture fixture) : IClassFixture<KafkaChecksFixture>
{
    // Producer-set timestamps stand in for time passing; millisecond precision, as Kafka stores them.
    private static readonly DateTimeOffset DoubleWriteStart = new(2026, 3, 2, 9, 0, 0, 123, TimeSpan.Zero);

    [Fact]
    public async Task Oldest_retained_record_per_partition_is_read_with_its_timestamp()
    {
        var cluster = fixture.NewCluster(brokers: 3);
        cluster.CreateTopic("orders", partitions: 3, replicationFactor: 3);
        var kafka = Attach(cluster, "OLD_KAFKA");
        await ProduceAsync(kafka, "orders", 0, 2, DoubleWriteStart.AddMinutes(-30));
        await ProduceAsync(kafka, "orders", 0, 2, DoubleWriteStart.AddMinutes(5));
        await ProduceAsync(kafka, "orders", 1, 3, DoubleWriteStart.AddMinutes(1));
        cluster.Mock.DeleteRecordsBefore("orders", 1, 1);

        var oldest = (await Inspector().OldestRetainedAsync(kafka, ["orders"])).Require();

        Assert.Equal(
            [(0, 0L, 4L, (DateTimeOffset?)DoubleWriteStart.AddMinutes(-30)), (1, 1L, 3L, DoubleWriteStart.AddMinutes(1)), (2, 0L, 0L, null)],
            oldest.Partitions.Select(p => (p.Partition, p.EarliestOffset, p.LatestOffset, p.OldestTimestamp)));
    }

    [Fact]
    public async Task Parity_fails_while_pre_double_write_records_are_retained_and_holds_once_retention_removed_them()
    {
        var cluster = fixture.NewCluster(brokers: 1);
        cluster.CreateTopic("orders", partitions: 2, replicationFactor: 1);
        cluster.CreateTopic("audit", partitions: 2, replicationFactor: 1);
        var oldKafka = Attach(cluster, "OLD_KAFKA");
        await ProduceAsync(oldKafka, "orders", 0, 3, DoubleWriteStart.AddMinutes(-10));
        await ProduceAsync(oldKafka, "orders", 0, 2, DoubleWriteStart.AddSeconds(1));
        await ProduceAsync(oldKafka, "orders", 1, 2, DoubleWriteStart.AddMinutes(2));
        await ProduceAsync(oldKafka, "audit", 0, 1, DoubleWriteStart.AddDays(-3)); // will age out entirely
        var inspector = Inspector();

        var before = (await inspector.CheckParityAsync(oldKafka, ["orders", "audit"], DoubleWriteStart)).Require();
        Assert.False(before.Holds);
        Assert.Equal([("orders", 0), ("audit", 0)], before.OlderThanStart.Select(p => (p.Topic, p.Partition)));
        Assert.Contains("orders[0]", before.Summary);

        cluster.Mock.DeleteRecordsBefore("orders", 0, 3);
        cluster.Mock.DeleteRecordsBefore("audit", 0, 1);
        var after = (await inspector.CheckParityAsync(oldKafka, ["orders", "audit"], DoubleWriteStart)).Require();

        Assert.True(after.Holds, after.Summary);
        Assert.Empty(after.OlderThanStart);
        Assert.Equal([("audit", 0, true), ("audit", 1, false)],
            after.EmptyPartitions.Select(p => (p.Topic, p.Partition, p.WasEmptiedByRetention)));
    }

    [Fact]
    public void A_record_stamped_exactly_at_the_start_does_not_count_as_newer()
    {
        var snapshot = new OldestRetainedSnapshot("OLD_KAFKA", DoubleWriteStart.AddDays(8),
            [new PartitionOldestRecord("t", 0, 0, 1, DoubleWriteStart), new PartitionOldestRecord("t", 1, 0, 1, DoubleWriteStart.AddMilliseconds(1))]);

        var verdict = ParityVerdict.Decide(snapshot, DoubleWriteStart);

        Assert.False(verdict.Holds);
        Assert.Equal([0], verdict.OlderThanStart.Select(p => p.Partition));
    }
}
