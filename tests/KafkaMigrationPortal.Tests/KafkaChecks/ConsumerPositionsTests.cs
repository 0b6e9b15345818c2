using System.Text;
using Confluent.Kafka;
using KafkaMigrationPortal.AppClient;
using KafkaMigrationPortal.Engine.KafkaChecks;
using static KafkaMigrationPortal.Tests.KafkaChecks.KafkaChecksKit;

namespace KafkaMigrationPortal.Tests.KafkaChecks;

/// <summary>
/// Carrying a consumer group's position from the old cluster to the new one, on two real librdkafka mock clusters.
/// The mock answers every timestamp look-up with "end", so these tests exercise the binary search by reading records;
/// the look-up path is taken only where a broker's answer agrees with the records, which a real broker's does.
/// </summary>
public sealed class ConsumerPositionsTests(KafkaChecksFixture fixture) : IClassFixture<KafkaChecksFixture>
{
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    private static DateTimeOffset At(int seconds) => Start.AddSeconds(seconds);

    /// <summary>Writes messages as the app-side library does: id in the header, an explicit timestamp.</summary>
    private static async Task WriteAsync(KafkaAttachmentVars vars, string topic, int partition, params (string Id, int Second)[] messages)
    {
        var attachment = HerokuKafkaAttachment.FromConfigVars(vars.AttachmentName, vars.ConfigVars);
        using var producer = new ProducerBuilder<Null, byte[]>(attachment.ProducerConfig()).SetLogHandler((_, _) => { }).Build();
        foreach (var (id, second) in messages)
            await producer.ProduceAsync(new TopicPartition(attachment.Topic(topic), partition), new Message<Null, byte[]>
            {
                Value = Encoding.UTF8.GetBytes(id), Headers = MessageIds.Headers(id), Timestamp = new Timestamp(At(second).UtcDateTime),
            });
    }

    private static (string, int)[] Messages(params int[] numbers) => [.. numbers.Select(n => ($"m{n}", n * 10))];

    private (KafkaAttachmentVars Old, KafkaAttachmentVars New) TwoClusters(int oldPartitions, int newPartitions)
    {
        var old = fixture.NewCluster(brokers: 1);
        old.CreateTopic("orders", partitions: oldPartitions, replicationFactor: 1);
        var target = fixture.NewCluster(brokers: 1);
        target.CreateTopic("orders", partitions: newPartitions, replicationFactor: 1);
        return (Attach(old), Attach(target, "HEROKU_KAFKA_AQUA"));
    }

    private static async Task<long?> CommittedOnAsync(KafkaAttachmentVars vars, string group, int partition) =>
        (await Inspector().GetLagAsync(vars, [group], ["orders"])).Require().Find(group, "orders", partition)!.CommittedOffset;

    private static async Task<ConsumerPositionsReport> CarryAsync(KafkaAttachmentVars old, KafkaAttachmentVars target, string group = "billing") =>
        (await Inspector().CarryConsumerPositionsAsync(old, target, [group], ["orders"])).Require();

    [Fact]
    public async Task The_group_resumes_on_the_new_cluster_right_after_the_copy_of_its_last_consumed_record()
    {
        var (old, target) = TwoClusters(2, 2);
        await WriteAsync(old, "orders", 0, Messages(1, 2, 3, 4, 5, 6, 7, 8, 9, 10));
        await WriteAsync(target, "orders", 0, Messages(4, 5, 6, 7, 8, 9, 10)); // double-writing began at m4
        await WriteAsync(old, "orders", 1, Messages(11, 12, 13));
        await WriteAsync(target, "orders", 1, Messages(11, 12, 13));
        Commit(old, "billing", ("orders", 0, 7), ("orders", 1, 3)); // read m1..m7 and all of partition 1

        var report = await CarryAsync(old, target);

        Assert.All(report.Positions, p => Assert.Equal(PositionMethod.Exact, p.Method));
        Assert.Equal(4, await CommittedOnAsync(target, "billing", 0)); // next: m8, at offset 4 on the new cluster
        Assert.Equal(3, await CommittedOnAsync(target, "billing", 1));
        Assert.Contains(report.Positions, p => p is { Partition: 0, LookUp: "binary search" });
        Assert.Contains("billing on orders: [0] 4 (exact", string.Join("\n", report.Lines()));
    }

    [Fact]
    public async Task A_record_the_group_had_not_read_that_precedes_the_copy_on_the_new_cluster_is_not_skipped()
    {
        var (old, target) = TwoClusters(1, 1);
        // m7 and m8 come from two producers 2 s apart (within the skew margin), and interleave differently on the other
        // cluster: m8 lands before m7 there.
        await WriteAsync(old, "orders", 0, [("m4", 40), ("m5", 50), ("m6", 60), ("m7", 70), ("m8", 72), ("m9", 90)]);
        await WriteAsync(target, "orders", 0, [("m4", 40), ("m5", 50), ("m6", 60), ("m8", 72), ("m7", 70), ("m9", 90)]);
        Commit(old, "billing", ("orders", 0, 4)); // read m4..m7

        var report = await CarryAsync(old, target);

        Assert.Equal(3, await CommittedOnAsync(target, "billing", 0)); // from m8 on: m7 once more, m8 not skipped
        Assert.Contains("moved back", Assert.Single(report.Positions).Detail);
    }

    [Fact]
    public async Task With_other_partitioning_every_partition_starts_at_the_oldest_consumed_up_to_time_less_the_skew_margin()
    {
        var (old, target) = TwoClusters(1, 2);
        await WriteAsync(old, "orders", 0, Messages(1, 2, 3, 4, 5, 6, 7, 8, 9, 10));
        await WriteAsync(target, "orders", 0, Messages(2, 4, 6, 8, 10));
        await WriteAsync(target, "orders", 1, Messages(1, 3, 5, 7, 9));
        Commit(old, "billing", ("orders", 0, 6)); // read m1..m6: consumed up to 60 s; less 5 s of skew: 55 s

        var report = await CarryAsync(old, target);

        Assert.All(report.Positions, p => Assert.Equal(PositionMethod.Conservative, p.Method));
        Assert.Equal(2, await CommittedOnAsync(target, "billing", 0)); // m6 (60 s) again, then m8
        Assert.Equal(3, await CommittedOnAsync(target, "billing", 1)); // m7 (70 s): m5 (50 s) was read
    }

    [Fact]
    public async Task A_group_already_further_on_the_new_cluster_is_never_moved_back_and_a_second_carry_changes_nothing()
    {
        var (old, target) = TwoClusters(1, 1);
        await WriteAsync(old, "orders", 0, Messages(1, 2, 3, 4, 5));
        await WriteAsync(target, "orders", 0, Messages(1, 2, 3, 4, 5));
        Commit(old, "billing", ("orders", 0, 2));
        Commit(target, "billing", ("orders", 0, 4)); // the consumers switched already and read on

        var first = await CarryAsync(old, target);
        var again = await CarryAsync(old, target);

        Assert.Equal(PositionMethod.AlreadyAhead, Assert.Single(first.Positions).Method);
        Assert.Equal(PositionMethod.AlreadyAhead, Assert.Single(again.Positions).Method);
        Assert.Equal(4, await CommittedOnAsync(target, "billing", 0));
    }

    [Fact]
    public async Task A_group_with_no_commit_on_the_old_cluster_is_left_to_start_at_the_earliest_record()
    {
        var (old, target) = TwoClusters(1, 1);
        await WriteAsync(old, "orders", 0, Messages(1, 2, 3));
        await WriteAsync(target, "orders", 0, Messages(1, 2, 3));

        var report = await CarryAsync(old, target, "newly-deployed");

        Assert.Equal(PositionMethod.LeftAtEarliest, Assert.Single(report.Positions).Method);
        Assert.Null(await CommittedOnAsync(target, "newly-deployed", 0));
    }
}
