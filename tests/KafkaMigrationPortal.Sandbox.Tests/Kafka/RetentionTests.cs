using Confluent.Kafka;
using KafkaMigrationPortal.Sandbox.Kafka;
using KafkaMigrationPortal.TestSupport.Time;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace KafkaMigrationPortal.Sandbox.Tests.Kafka;

public sealed class RetentionTests(SandboxKafkaClustersFixture fixture) : IClassFixture<SandboxKafkaClustersFixture>
{
    private static readonly DateTimeOffset Now = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Records_older_than_retention_are_deleted_and_younger_ones_kept()
    {
        var cluster = fixture.NewCluster(brokers: 1);
        cluster.CreateTopic("events", partitions: 2, replicationFactor: 1);
        // Producer-set timestamps stand in for the passing of time.
        await Produce(cluster, "events", partition: 0, count: 5, Now.AddHours(-2));
        await Produce(cluster, "events", partition: 0, count: 3, Now.AddMinutes(-1));
        await Produce(cluster, "events", partition: 1, count: 4, Now.AddHours(-3));

        cluster.SetRetention("events", TimeSpan.FromHours(1));
        var deleted = cluster.EnforceRetention(Now);

        Assert.Equal(9, deleted);
        Assert.Equal((5, 8), Offsets(cluster, "events", 0));
        Assert.Equal((4, 4), Offsets(cluster, "events", 1));
        Assert.Equal(0, cluster.EnforceRetention(Now));
    }

    [Fact]
    public async Task Retention_deletes_whole_segments_so_an_expired_record_stays_while_its_segment_holds_a_young_one()
    {
        var options = KafkaTestKit.FastOptions();
        options.SegmentRoll = TimeSpan.FromHours(1);
        using var clusters = new SandboxKafkaClusters(options);
        var cluster = clusters.Create(Guid.NewGuid(), 1);
        cluster.CreateTopic("events", partitions: 1, replicationFactor: 1);
        // Segments, an hour each from their first record: [-150 min, -100 min] [-70 min, -30 min] [-5 min] (active).
        foreach (var minutesAgo in new[] { 150, 100, 70, 30, 5 })
            await Produce(cluster, "events", partition: 0, count: 1, Now.AddMinutes(-minutesAgo));
        cluster.SetRetention("events", TimeSpan.FromHours(1));

        Assert.Equal(2, cluster.EnforceRetention(Now));
        // The record from 70 minutes ago outlives the 1 h retention: its segment's newest record is 30 minutes old.
        Assert.Equal((2, 5), Offsets(cluster, "events", 0));
        Assert.Equal(0, cluster.EnforceRetention(Now.AddMinutes(29)));
        Assert.Equal(2, cluster.EnforceRetention(Now.AddMinutes(31)));
        Assert.Equal((4, 5), Offsets(cluster, "events", 0));
        // The active segment goes too once all of it is expired.
        Assert.Equal(1, cluster.EnforceRetention(Now.AddMinutes(56)));
        Assert.Equal((5, 5), Offsets(cluster, "events", 0));
    }

    [Fact]
    public async Task Topics_without_retention_are_left_alone()
    {
        var cluster = fixture.NewCluster(brokers: 1);
        cluster.CreateTopic("kept", partitions: 1, replicationFactor: 1);
        await Produce(cluster, "kept", 0, 3, Now.AddDays(-30));
        cluster.CreateTopic("other", partitions: 1, replicationFactor: 1);
        cluster.SetRetention("other", TimeSpan.FromSeconds(1));

        Assert.Equal(0, cluster.EnforceRetention(Now));
        Assert.Equal((0, 3), Offsets(cluster, "kept", 0));
    }

    [Fact]
    public async Task The_hosted_sweeper_enforces_a_retention_of_seconds_on_the_sandbox_clock()
    {
        // Far ahead of the machine's clock: a sweeper reading that clock would find these records young and keep them.
        var written = new DateTimeOffset(2100, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var time = new RecordingFakeTime(written);
        var sweepInterval = TimeSpan.FromMilliseconds(200);
        var services = new ServiceCollection().AddLogging().AddSingleton<TimeProvider>(time).AddSandboxKafka(o =>
        {
            o.RetentionSweepInterval = sweepInterval;
            o.GroupInitialRebalanceDelay = TimeSpan.Zero;
        });
        await using var provider = services.BuildServiceProvider();
        var clusters = provider.GetRequiredService<ISandboxKafkaClusters>();
        var hosted = provider.GetServices<IHostedService>().ToList();
        Assert.Contains(hosted, h => h is RetentionSweeper);
        foreach (var service in hosted) await service.StartAsync(CancellationToken.None);

        var cluster = clusters.Create(Guid.NewGuid(), 1);
        cluster.CreateTopic("short", partitions: 1, replicationFactor: 1);
        await Produce(cluster, "short", 0, 4, written);
        cluster.SetRetention("short", TimeSpan.FromSeconds(1));
        await time.WaitsStartedAsync(w => w == sweepInterval);

        time.Advance(TimeSpan.FromSeconds(2));

        var offsets = await KafkaTestKit.Poll(() => Offsets(cluster, "short", 0), o => o.Low == 4, TimeSpan.FromSeconds(10),
            "the earliest offset of a 1 s retention topic moves past records written 2 s before on the sandbox clock");
        Assert.Equal((4, 4), offsets);

        foreach (var service in hosted) await service.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Delete_records_moves_the_log_start()
    {
        var cluster = fixture.NewCluster(brokers: 1);
        cluster.CreateTopic("trim", partitions: 1, replicationFactor: 1);
        await Produce(cluster, "trim", 0, 6, Now);

        cluster.Mock.DeleteRecordsBefore("trim", 0, 4);

        Assert.Equal((4, 6), Offsets(cluster, "trim", 0));
        var beyondEnd = Assert.Throws<MockKafkaClusterException>(() => cluster.Mock.DeleteRecordsBefore("trim", 0, 100));
        Assert.NotEqual(0, beyondEnd.ErrorCode);
    }

    private static (long Low, long High) Offsets(ISandboxKafkaCluster cluster, string topic, int partition)
    {
        var watermarks = KafkaTestKit.Watermarks(cluster, topic, partition);
        return (watermarks.Low.Value, watermarks.High.Value);
    }

    private static async Task Produce(ISandboxKafkaCluster cluster, string topic, int partition, int count, DateTimeOffset timestamp)
    {
        using var producer = new ProducerBuilder<Null, byte[]>(KafkaTestKit.Attachment(cluster).ProducerConfig())
            .SetLogHandler((_, _) => { }).Build();
        for (var i = 0; i < count; i++)
            await producer.ProduceAsync(new TopicPartition(topic, partition),
                new Message<Null, byte[]> { Value = [(byte)i], Timestamp = new Timestamp(timestamp.UtcDateTime) });
    }
}
