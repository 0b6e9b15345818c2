using Confluent.Kafka;
using KafkaMigrationPortal.Sandbox.Kafka;
using KafkaMigrationPortal.TestSupport.Time;
using Microsoft.Extensions.Time.Testing;

namespace KafkaMigrationPortal.Sandbox.Tests.Kafka;

public sealed class ProduceQuotaTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 2, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Bytes_beyond_a_seconds_worth_of_the_quota_wait_until_the_quota_has_room_for_them()
    {
        var time = new FakeTimeProvider(Start);
        var throttle = new ProduceThrottle(time) { BytesPerSecond = 1000 };

        Assert.Equal(TimeSpan.Zero, throttle.Reserve(1000));
        Assert.Equal(TimeSpan.Zero, throttle.Reserve(1000));
        Assert.Equal(TimeSpan.FromSeconds(1), throttle.Reserve(1000));
        Assert.Equal(TimeSpan.FromSeconds(1.5), throttle.Reserve(500));
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(TimeSpan.Zero, throttle.Reserve(2000));
        Assert.Equal(TimeSpan.FromSeconds(0.5), throttle.Reserve(500));

        throttle.BytesPerSecond = null;
        Assert.Equal(TimeSpan.Zero, throttle.Reserve(1_000_000));
    }

    [Fact]
    public async Task A_produce_beyond_the_clusters_quota_is_held_at_the_TLS_front_until_the_quota_allows_it()
    {
        var time = new RecordingFakeTime(Start);
        using var clusters = new SandboxKafkaClusters(Microsoft.Extensions.Options.Options.Create(KafkaTestKit.FastOptions()), time: time);
        var cluster = clusters.Create(Guid.NewGuid(), 1);
        cluster.CreateTopic("quota", partitions: 1, replicationFactor: 1);
        cluster.ProduceQuotaBytesPerSecond = 1000;
        using var producer = new ProducerBuilder<Null, byte[]>(KafkaTestKit.Attachment(cluster).ProducerConfig())
            .SetLogHandler((_, _) => { }).Build();

        // Three seconds' worth at once: one second's worth of credit, the rest waits.
        var produce = producer.ProduceAsync(new TopicPartition("quota", 0), new Message<Null, byte[]> { Value = new byte[3000] });
        var held = await time.WaitsStartedAsync(w => w > TimeSpan.FromSeconds(1) && w < TimeSpan.FromSeconds(2), orUntil: produce);
        Assert.False(produce.IsCompleted, "the produce went through at once");
        Assert.Single(held);

        time.Advance(held[0]);
        var written = await produce.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(PersistenceStatus.Persisted, written.Status);
    }
}
