using System.Text;
using KafkaMigrationPortal.AppClient;
using KafkaMigrationPortal.Sandbox.Tests.Kafka;

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
