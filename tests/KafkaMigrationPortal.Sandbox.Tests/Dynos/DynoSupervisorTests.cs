using System.Text;
using KafkaMigrationPortal.AppClient;
using KafkaMigrationPortal.Sandbox.Dynos;
using KafkaMigrationPortal.Sandbox.Kafka;
using KafkaMigrationPortal.Sandbox.Tests.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace KafkaMigrationPortal.Sandbox.Tests.Dynos;

/// <summary>Simulated dynos against real mock clusters, through the TLS front, with the ledger keeping books.</summary>
public sealed class DynoSupervisorTests
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Double_write_makes_both_clusters_watermarks_grow()
    {
        await using var harness = new DynoHarness();

        await harness.Run(producers: 1, consumers: 0, harness.Vars(producerAddons: "KAFKA,OTHER"), release: 1);

        await KafkaTestKit.Poll(() => (Kafka: harness.Written(harness.Kafka), Other: harness.Written(harness.Other)),
            w => w.Kafka >= 10 && w.Other >= 10, Within, "both clusters receive writes");
        var perCluster = harness.Report().Topics.SelectMany(t => t.ProducedPerCluster.Keys).Distinct().Order().ToList();
        Assert.Equal(new[] { harness.Kafka.AddonId.ToString(), harness.Other.AddonId.ToString() }.Order(), perCluster);
    }

    [Fact]
    public async Task Scaling_consumers_to_zero_and_back_drains_the_missing_set()
    {
        await using var harness = new DynoHarness();
        var vars = harness.Vars();

        await harness.Run(producers: 1, consumers: 1, vars, release: 1);
        await KafkaTestKit.Poll(harness.Report, r => DynoHarness.Sum(r, t => t.Consumed) >= 20, Within, "consumers keep up");

        await harness.Run(producers: 1, consumers: 0, vars, release: 1);
        await KafkaTestKit.Poll(harness.Report, r => DynoHarness.Sum(r, t => t.MissingCount) >= 30, Within,
            "with consumers at 0, produced messages pile up unconsumed");

        await harness.Run(producers: 1, consumers: 1, vars, release: 1);
        await KafkaTestKit.Poll(harness.Report, r => DynoHarness.Sum(r, t => t.Consumed) >= 60, Within, "consumers are back");
        await harness.Run(producers: 0, consumers: 1, vars, release: 1);

        var drained = await KafkaTestKit.Poll(harness.Report, r => r.NothingMissing, Within, "the missing set drains to empty");
        Assert.True(DynoHarness.Sum(drained, t => t.Produced) >= 60);
        Assert.Equal(DynoHarness.Sum(drained, t => t.Produced), DynoHarness.Sum(drained, t => t.Consumed));
        // Consumers stopped gracefully and committed, so nothing was read twice.
        Assert.Equal(0, DynoHarness.Sum(drained, t => t.DuplicateDeliveries));
    }

    [Fact]
    public async Task Messages_removed_before_anyone_read_them_stay_missing()
    {
        await using var harness = new DynoHarness();
        var vars = harness.Vars();

        await harness.Run(producers: 1, consumers: 0, vars, release: 1);
        await KafkaTestKit.Poll(harness.Report, r => DynoHarness.Sum(r, t => t.Produced) >= 15, Within, "messages are produced");
        await harness.Run(producers: 0, consumers: 0, vars, release: 1);
        var lost = harness.Report().Topics.SelectMany(t => t.MissingIds).ToHashSet();
        Assert.True(lost.Count >= 15);

        foreach (var topic in DynoHarness.Topics)
        foreach (var partition in Enumerable.Range(0, DynoHarness.Partitions))
        {
            var end = KafkaTestKit.Watermarks(harness.Kafka, DynoHarness.Prefix + topic, partition).High.Value;
            if (end > 0) harness.Kafka.Mock.DeleteRecordsBefore(DynoHarness.Prefix + topic, partition, end);
        }

        await harness.Run(producers: 1, consumers: 1, vars, release: 1);
        await KafkaTestKit.Poll(harness.Report, r => DynoHarness.Sum(r, t => t.Consumed) >= 20, Within, "later messages are consumed");
        await harness.Run(producers: 0, consumers: 1, vars, release: 1);

        var report = await KafkaTestKit.Poll(harness.Report, r => DynoHarness.Sum(r, t => t.MissingCount) == lost.Count, Within,
            "everything but the deleted messages is consumed");
        Assert.Equal(lost.Order(), report.Topics.SelectMany(t => t.MissingIds).Order());
        Assert.False(report.NothingMissing);
    }

    [Fact]
    public async Task A_release_restarts_the_dynos_with_the_new_config()
    {
        var releasedAt = new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);
        var time = new FakeTimeProvider(releasedAt);
        await using var harness = new DynoHarness(time: time);

        await harness.Run(producers: 1, consumers: 1, harness.Vars(producerAddons: "KAFKA"), release: 1);
        var first = await KafkaTestKit.Poll(() => harness.Supervisor.Dynos(DynoHarness.App),
            d => d.Count == 2 && d.All(x => x.State == "up"), Within, "release 1 dynos are up");
        Assert.Equal(["consumer.1", "producer.1"], first.Select(d => d.Name));
        Assert.All(first, d => Assert.Equal((1, releasedAt), (d.ReleaseVersion, d.StartedAt)));
        await KafkaTestKit.Poll(() => harness.Written(harness.Kafka), n => n >= 5, Within, "release 1 writes to KAFKA");
        Assert.Equal(0, harness.Written(harness.Other));

        time.Advance(TimeSpan.FromMinutes(3));
        await harness.Run(producers: 1, consumers: 1, harness.Vars(producerAddons: "KAFKA,OTHER"), release: 2);

        var second = harness.Supervisor.Dynos(DynoHarness.App);
        Assert.Equal(["consumer.1", "producer.1"], second.Select(d => d.Name));
        Assert.All(second, d => Assert.Equal((2, releasedAt.AddMinutes(3)), (d.ReleaseVersion, d.StartedAt)));
        await KafkaTestKit.Poll(() => harness.Written(harness.Other), n => n >= 5, Within, "release 2 also writes to OTHER");
    }

    [Fact]
    public async Task Scaling_without_a_release_starts_and_stops_only_the_difference()
    {
        await using var harness = new DynoHarness();
        var vars = harness.Vars();

        await harness.Run(producers: 3, consumers: 0, vars, release: 1);
        var three = harness.Supervisor.Dynos(DynoHarness.App);
        Assert.Equal(["producer.1", "producer.2", "producer.3"], three.Select(d => d.Name));

        await harness.Run(producers: 1, consumers: 0, vars, release: 1);
        var one = Assert.Single(harness.Supervisor.Dynos(DynoHarness.App));
        Assert.Equal(three[0], one with { State = three[0].State, Problem = three[0].Problem });

        await harness.Supervisor.StopAllAsync(DynoHarness.App);
        Assert.Empty(harness.Supervisor.Dynos(DynoHarness.App));
    }

    [Fact]
    public async Task Missing_config_vars_leave_dynos_idle_without_leaking_values_until_a_release_fixes_them()
    {
        await using var harness = new DynoHarness();
        var broken = harness.Vars();
        broken.Remove("KAFKA_URL");
        broken.Remove(SandboxAppVars.ConsumerGroup);

        await harness.Run(producers: 1, consumers: 1, broken, release: 1);
        var idle = await KafkaTestKit.Poll(() => harness.Supervisor.Dynos(DynoHarness.App),
            d => d.Count == 2 && d.All(x => x.State == "idle"), Within, "misconfigured dynos idle");
        Assert.Contains("KAFKA_URL", idle.Single(d => d.ProcessType == "producer").Problem);
        Assert.Contains(SandboxAppVars.ConsumerGroup, idle.Single(d => d.ProcessType == "consumer").Problem);
        Assert.All(idle, d => Assert.DoesNotContain("BEGIN", d.Problem));

        await harness.Run(producers: 1, consumers: 1, harness.Vars(), release: 2);
        await KafkaTestKit.Poll(harness.Report, r => DynoHarness.Sum(r, t => t.Consumed) >= 5, Within, "fixed dynos run");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Consumers_switched_to_a_cluster_without_their_offsets_replay_it_and_only_a_durable_filter_skips_the_replay(bool durable)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));
        await using var harness = new DynoHarness(time: time, durableDuplicateFilter: durable);
        var doubleWrite = harness.Vars(producerAddons: "KAFKA,OTHER");
        await harness.Run(producers: 1, consumers: 1, doubleWrite, release: 1);
        await KafkaTestKit.Poll(harness.Report, r => DynoHarness.Sum(r, t => t.Consumed) >= 30, Within, "consumers read the old cluster");
        await harness.Run(producers: 0, consumers: 1, doubleWrite, release: 1);
        var other = harness.Other.AddonId.ToString();
        var beforeSwitch = await KafkaTestKit.Poll(harness.Report,
            r => r.NothingMissing && r.Topics.All(t => t.ProducedPerCluster.GetValueOrDefault(other) == t.Produced), Within,
            "everything double-written is consumed from KAFKA");
        var produced = DynoHarness.Sum(beforeSwitch, t => t.Produced);
        Assert.Equal(0, DynoHarness.Sum(beforeSwitch, t => t.DuplicateDeliveries));

        time.Advance(TimeSpan.FromMinutes(1));
        var switchedAt = time.GetUtcNow();
        // No offsets of the group on OTHER: the restarted consumers start at its earliest record, a full replay.
        await harness.Run(producers: 0, consumers: 1, harness.Vars(producerAddons: "KAFKA,OTHER", consumerAddon: "OTHER"), release: 2);
        var sinceSwitch = await KafkaTestKit.Poll(() => harness.Ledger.Report(DynoHarness.App, int.MaxValue, switchedAt),
            r => DynoHarness.Group(r, "workers").Deliveries >= produced, Within, "the group reads OTHER from its start");

        var replay = DynoHarness.Group(sinceSwitch, "workers");
        Assert.Equal((produced, produced, produced, produced), (replay.Deliveries, replay.Consumed, replay.Duplicates, replay.DuplicateDeliveries));
        // A restarted dyno with an in-memory filter knows nothing and handles every replayed message again.
        var handledAgain = durable ? 0 : produced;
        Assert.Equal((handledAgain, handledAgain), (replay.HandledAgain, replay.RepeatedHandlings));
        Assert.Equal(produced, DynoHarness.Sum(sinceSwitch, t => t.Consumed));
        Assert.True(sinceSwitch.NothingMissing);
        var overall = DynoHarness.Group(harness.Report(), "workers");
        Assert.Equal((2 * produced, produced, produced), (overall.Deliveries, overall.Consumed, overall.Duplicates));
    }

    [Fact]
    public async Task A_second_consumer_group_reading_the_same_messages_is_counted_apart_and_adds_no_duplicates()
    {
        await using var harness = new DynoHarness();
        var workers = harness.Vars(consumerGroup: "workers");
        await harness.Run(producers: 1, consumers: 1, workers, release: 1);
        await KafkaTestKit.Poll(harness.Report, r => DynoHarness.Sum(r, t => t.Consumed) >= 20, Within, "workers consume");
        await harness.Run(producers: 0, consumers: 1, workers, release: 1);
        var produced = DynoHarness.Sum(await KafkaTestKit.Poll(harness.Report, r => r.NothingMissing, Within, "workers consume everything"),
            t => t.Produced);

        await harness.Run(producers: 0, consumers: 1, harness.Vars(consumerGroup: "auditors"), release: 2);
        var report = await KafkaTestKit.Poll(harness.Report, r => DynoHarness.Group(r, "auditors").Consumed >= produced, Within,
            "auditors read everything from the start");

        Assert.Equal(new LedgerGroupReport("workers", produced, produced, 0, 0, 0, 0), DynoHarness.Group(report, "workers"));
        Assert.Equal(new LedgerGroupReport("auditors", produced, produced, 0, 0, 0, 0), DynoHarness.Group(report, "auditors"));
        Assert.Equal((produced, 0, 0), (DynoHarness.Sum(report, t => t.Consumed), DynoHarness.Sum(report, t => t.Duplicates),
            DynoHarness.Sum(report, t => t.DuplicateDeliveries)));
    }

    [Fact]
    public async Task Producer_dynos_key_messages_by_customer_over_every_partition_with_the_id_in_the_header()
    {
        await using var harness = new DynoHarness();
        var vars = harness.Vars();
        await harness.Run(producers: 1, consumers: 0, vars, release: 1);
        await KafkaTestKit.Poll(harness.Report, r => DynoHarness.Sum(r, t => t.Produced) >= 60, Within, "messages are produced");
        await harness.Run(producers: 0, consumers: 0, vars, release: 1);
        var produced = harness.Report().Topics.Single(t => t.Topic == "orders").Produced;

        // Every order is read back: a first batch can come from fewer partitions than the topic has.
        using var reader = DedupingConsumer.FromConfigVars(vars, "inspector", ["orders"]);
        var messages = new List<ConsumedMessage>();
        await KafkaTestKit.Poll(() =>
        {
            if (reader.Consume(TimeSpan.FromMilliseconds(200)) is { } message) messages.Add(message);
            return messages.Count;
        }, n => n >= produced, Within, "the orders topic is read back");

        Assert.All(messages, m => Assert.StartsWith("mackerel-", m.MessageId));
        Assert.All(messages, m => Assert.Matches("^customer-[0-9]+$", Encoding.UTF8.GetString(m.Key!)));
        Assert.Equal(messages.Count, messages.Select(m => m.MessageId).Distinct().Count());
        Assert.True(messages.Select(m => m.Key!).Select(Encoding.UTF8.GetString).Distinct().Count() > 10);
        Assert.Equal(DynoHarness.Partitions, messages.Select(m => m.Partition).Distinct().Count());
    }

    [Fact]
    public async Task Both_extensions_register_singletons_and_hosted_services()
    {
        var services = new ServiceCollection().AddLogging().AddSandboxKafka().AddSandboxDynos(o => o.ProducerMessagesPerSecond = 5);
        await using var provider = services.BuildServiceProvider();

        Assert.Same(provider.GetRequiredService<ISandboxKafkaClusters>(), provider.GetRequiredService<SandboxKafkaClusters>());
        Assert.Same(provider.GetRequiredService<IDynoSupervisor>(), provider.GetRequiredService<DynoSupervisor>());
        Assert.Same(provider.GetRequiredService<Ledger>(), provider.GetRequiredService<Ledger>());
        Assert.Equal(2, provider.GetServices<IHostedService>().Count());
    }
}
