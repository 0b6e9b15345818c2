using System.Text;
using KafkaMigrationPortal.AppClient;
using KafkaMigrationPortal.Sandbox.Tests.Kafka;
using KafkaMigrationPortal.TestSupport.Postgres;
using Microsoft.Extensions.Time.Testing;

namespace KafkaMigrationPortal.Sandbox.Tests.AppClient;

/// <summary>The app-side library against real mock clusters through the TLS front.</summary>
public sealed class AppClientIntegrationTests(SandboxKafkaClustersFixture fixture) : IClassFixture<SandboxKafkaClustersFixture>
{
    [Fact]
    public async Task A_restarted_consumer_resumes_after_what_was_processed()
    {
        var cluster = fixture.NewCluster(brokers: 1);
        cluster.CreateTopic("jobs", 2, 1);
        var vars = KafkaTestKit.AttachmentVars("KAFKA", cluster);
        using var producer = MultiAddonProducer.FromConfigVars(vars);
        await ProduceIds(producer, "jobs", 1, 10);

        using (var first = DedupingConsumer.FromConfigVars(vars, "g", ["jobs"], configure: ShortSession))
            Assert.Equal(10, ReadNew(first, 10).Count);

        await ProduceIds(producer, "jobs", 11, 14);
        // A fresh id store: only committed offsets can keep the first ten from coming back.
        using var second = DedupingConsumer.FromConfigVars(vars, "g", ["jobs"], configure: ShortSession);
        Assert.Equal(["j-11", "j-12", "j-13", "j-14"], ReadNew(second, 4).Order());
    }

    [Fact]
    public async Task Double_written_messages_read_again_from_the_other_addon_are_flagged_as_duplicates()
    {
        var oldCluster = fixture.NewCluster(brokers: 1);
        var newCluster = fixture.NewCluster(brokers: 1);
        oldCluster.CreateTopic("old.events", 1, 1);
        newCluster.CreateTopic("events", 1, 1);
        var vars = KafkaTestKit.AttachmentVars("OLD_KAFKA", oldCluster, "old.");
        foreach (var (name, value) in KafkaTestKit.AttachmentVars("KAFKA", newCluster)) vars[name] = value;
        vars["PRODUCER_ADDON_NAMES"] = "OLD_KAFKA,KAFKA";

        using (var producer = MultiAddonProducer.FromConfigVars(vars))
        {
            Assert.Equal(["OLD_KAFKA", "KAFKA"], producer.Attachments.Select(a => a.Name));
            var reports = await producer.ProduceAsync("events", "e-1", [1]);
            Assert.Equal(["KAFKA", "OLD_KAFKA"], reports.Where(r => r.Delivered).Select(r => r.AddonName).Order());
            await ProduceIds(producer, "events", 2, 5);
        }
        Assert.Equal(5, KafkaTestKit.MessagesWritten(oldCluster, "old.events", 1));
        Assert.Equal(5, KafkaTestKit.MessagesWritten(newCluster, "events", 1));

        var processed = new InMemoryProcessedMessageIds();
        vars["CONSUMER_ADDON_NAME"] = "OLD_KAFKA";
        using (var onOld = DedupingConsumer.FromConfigVars(vars, "g", ["events"], processed))
            Assert.Equal(5, ReadNew(onOld, 5).Count);

        vars["CONSUMER_ADDON_NAME"] = "KAFKA";
        using var onNew = DedupingConsumer.FromConfigVars(vars, "g", ["events"], processed);
        var replayed = ReadAll(onNew, 5);
        Assert.All(replayed, m => Assert.True(m.IsDuplicate));
        Assert.Equal(["e-1", "e-2", "e-3", "e-4", "e-5"], replayed.Select(m => m.MessageId!).Order());
    }

    [Fact]
    public async Task Both_copies_of_a_double_written_message_carry_the_apps_key_the_id_header_and_one_timestamp_in_the_same_partition()
    {
        var oldCluster = fixture.NewCluster(brokers: 1);
        var newCluster = fixture.NewCluster(brokers: 1);
        oldCluster.CreateTopic("old.orders", 4, 1);
        newCluster.CreateTopic("orders", 4, 1);
        var vars = KafkaTestKit.AttachmentVars("OLD_KAFKA", oldCluster, "old.");
        foreach (var (name, value) in KafkaTestKit.AttachmentVars("KAFKA", newCluster)) vars[name] = value;
        vars["PRODUCER_ADDON_NAMES"] = "OLD_KAFKA,KAFKA";
        var start = new DateTimeOffset(2026, 3, 2, 9, 0, 0, 123, TimeSpan.Zero);
        var clock = new FakeTimeProvider(start);
        var keyOf = new Dictionary<string, string>();

        using (var producer = MultiAddonProducer.FromConfigVars(vars, time: clock))
        {
            for (var n = 1; n <= 16; n++)
            {
                var id = $"order-event-{n}";
                keyOf[id] = $"customer-{n % 5}";
                var reports = await producer.ProduceAsync("orders", id, Encoding.UTF8.GetBytes($"{n}"), keyOf[id]);
                Assert.All(reports, r => Assert.True(r.Delivered, r.Error));
                Assert.All(reports, r => Assert.Equal(clock.GetUtcNow(), r.Timestamp));
                // Each add-on's client would stamp its own send time; a clock that moves between messages tells them apart.
                clock.Advance(TimeSpan.FromMilliseconds(1500));
            }
        }

        vars["CONSUMER_ADDON_NAME"] = "OLD_KAFKA";
        using var onOld = DedupingConsumer.FromConfigVars(vars, "audit", ["orders"]);
        var oldCopies = ReadAll(onOld, 16).ToDictionary(m => m.MessageId!);
        vars["CONSUMER_ADDON_NAME"] = "KAFKA";
        using var onNew = DedupingConsumer.FromConfigVars(vars, "audit", ["orders"]);
        var newCopies = ReadAll(onNew, 16).ToDictionary(m => m.MessageId!);

        Assert.Equal(keyOf.Keys.Order(), oldCopies.Keys.Order());
        Assert.Equal(keyOf.Keys.Order(), newCopies.Keys.Order());
        foreach (var (id, key) in keyOf)
        {
            var n = int.Parse(id["order-event-".Length..]);
            var (old, copy) = (oldCopies[id], newCopies[id]);
            Assert.Equal(key, Encoding.UTF8.GetString(old.Key!));
            Assert.Equal(key, Encoding.UTF8.GetString(copy.Key!));
            Assert.Equal(start.AddMilliseconds(1500 * (n - 1)), old.Timestamp);
            Assert.Equal(old.Timestamp, copy.Timestamp);
            Assert.Equal(old.Partition, copy.Partition);
        }
        // The key, not the id, decides the partition: one customer's messages share one, and the customers spread out.
        Assert.All(oldCopies.Values.GroupBy(m => Encoding.UTF8.GetString(m.Key!)), g => Assert.Single(g.Select(m => m.Partition).Distinct()));
        Assert.True(oldCopies.Values.Select(m => m.Partition).Distinct().Count() > 1);
    }

    [Fact]
    public async Task A_message_without_a_key_still_carries_its_id_in_the_header()
    {
        var cluster = fixture.NewCluster(brokers: 1);
        cluster.CreateTopic("pings", 1, 1);
        var vars = KafkaTestKit.AttachmentVars("KAFKA", cluster);
        using var producer = MultiAddonProducer.FromConfigVars(vars);

        var delivered = new TaskCompletionSource<AddonDeliveryReport>(TaskCreationOptions.RunContinuationsAsynchronously);
        producer.Produce("pings", "ping-1", [7], report => delivered.TrySetResult(report));
        Assert.True((await delivered.Task.WaitAsync(TimeSpan.FromSeconds(20))).Delivered);

        using var consumer = DedupingConsumer.FromConfigVars(vars, "g", ["pings"]);
        var message = Assert.Single(ReadAll(consumer, 1));
        Assert.Equal("ping-1", message.MessageId);
        Assert.Null(message.Key);
    }

    [Fact]
    public async Task A_consumer_switched_to_the_new_addon_in_a_new_process_recognises_replays_through_the_postgres_filter()
    {
        await using var database = await TestPostgres.CreateDatabaseAsync();
        var oldCluster = fixture.NewCluster(brokers: 1);
        var newCluster = fixture.NewCluster(brokers: 1);
        oldCluster.CreateTopic("events", 2, 1);
        newCluster.CreateTopic("events", 2, 1);
        var vars = KafkaTestKit.AttachmentVars("OLD_KAFKA", oldCluster);
        foreach (var (name, value) in KafkaTestKit.AttachmentVars("KAFKA", newCluster)) vars[name] = value;
        vars["PRODUCER_ADDON_NAMES"] = "OLD_KAFKA,KAFKA";
        using (var producer = MultiAddonProducer.FromConfigVars(vars)) await ProduceIds(producer, "events", 1, 6);

        vars["CONSUMER_ADDON_NAME"] = "OLD_KAFKA";
        using (var beforeRelease = PostgresProcessedMessageIds.FromConnectionString(database.ConnectionString, "g", TimeSpan.FromDays(7)))
        using (var onOld = DedupingConsumer.FromConfigVars(vars, "g", ["events"], beforeRelease))
            Assert.Equal(6, ReadNew(onOld, 6).Count);

        // The release that switches consumers starts new processes: nothing is remembered in memory.
        vars["CONSUMER_ADDON_NAME"] = "KAFKA";
        using var afterRelease = PostgresProcessedMessageIds.FromConnectionString(database.ConnectionString, "g", TimeSpan.FromDays(7));
        using var onNew = DedupingConsumer.FromConfigVars(vars, "g", ["events"], afterRelease);
        var replayed = ReadAll(onNew, 6);
        Assert.All(replayed, m => Assert.True(m.IsDuplicate, m.MessageId));
    }

    /// <summary>The mock rebalances a group only when a departed member's session expires, even after a clean leave.</summary>
    private static void ShortSession(Confluent.Kafka.ConsumerConfig config)
    {
        config.SessionTimeoutMs = 2000;
        config.HeartbeatIntervalMs = 300;
    }

    private static async Task ProduceIds(MultiAddonProducer producer, string topic, int from, int to)
    {
        for (var n = from; n <= to; n++)
        {
            var reports = await producer.ProduceAsync(topic, $"{topic[0]}-{n}", Encoding.UTF8.GetBytes($"{n}"));
            Assert.All(reports, r => Assert.True(r.Delivered, r.Error));
        }
    }

    private static List<string> ReadNew(DedupingConsumer consumer, int expected)
    {
        var ids = new List<string>();
        foreach (var message in ReadAll(consumer, expected))
        {
            Assert.False(message.IsDuplicate);
            consumer.MarkProcessed(message);
            ids.Add(message.MessageId!);
        }
        // Anything beyond the expected messages would be a redelivery.
        Assert.Null(consumer.Consume(TimeSpan.FromMilliseconds(300)));
        return ids;
    }

    private static List<ConsumedMessage> ReadAll(DedupingConsumer consumer, int expected)
    {
        var messages = new List<ConsumedMessage>();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (messages.Count < expected && DateTime.UtcNow < deadline)
            if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { } message) messages.Add(message);
        Assert.Equal(expected, messages.Count);
        return messages;
    }
}
