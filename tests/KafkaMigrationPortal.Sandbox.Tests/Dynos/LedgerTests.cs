using System.Text.Json;
using KafkaMigrationPortal.Sandbox.Dynos;

namespace KafkaMigrationPortal.Sandbox.Tests.Dynos;

public sealed class LedgerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Counts_produced_consumed_duplicates_and_missing_per_topic()
    {
        var ledger = new Ledger();
        foreach (var n in Enumerable.Range(1, 12)) ledger.RecordProduced("mackerel", "orders", "old", $"mackerel-{n}");
        foreach (var n in Enumerable.Range(5, 8)) ledger.RecordProduced("mackerel", "orders", "new", $"mackerel-{n}");
        foreach (var n in Enumerable.Range(1, 9)) Consumed(ledger, "mackerel", "orders", "workers", $"mackerel-{n}");
        Consumed(ledger, "mackerel", "orders", "workers", "mackerel-3");
        Consumed(ledger, "mackerel", "orders", "workers", "mackerel-3");
        Consumed(ledger, "mackerel", "orders", "workers", "mackerel-4");
        ledger.RecordProduced("mackerel", "payments", "old", "mackerel-100");
        ledger.RecordProduced("other-app", "orders", "old", "other-app-1");

        var report = ledger.Report("mackerel");

        Assert.Equal(["orders", "payments"], report.Topics.Select(t => t.Topic));
        var orders = report.Topics[0];
        Assert.Equal(12, orders.Produced);
        Assert.Equal(12, orders.ProducedPerCluster["old"]);
        Assert.Equal(8, orders.ProducedPerCluster["new"]);
        Assert.Equal(9, orders.Consumed);
        Assert.Equal(2, orders.Duplicates);
        Assert.Equal(3, orders.DuplicateDeliveries);
        Assert.Equal(3, orders.MissingCount);
        Assert.Equal(["mackerel-10", "mackerel-11", "mackerel-12"], orders.MissingIds);
        Assert.Equal(new LedgerGroupReport("workers", 12, 9, 2, 3, 2, 3), Assert.Single(orders.Groups));
        Assert.Empty(report.Topics[1].Groups);
        Assert.False(report.NothingMissing);
        Assert.Equal(["mackerel", "other-app"], ledger.ReportAll().Select(r => r.App));
    }

    [Fact]
    public void Two_groups_reading_each_message_once_are_no_duplicates_and_a_message_counts_as_consumed_when_any_group_read_it()
    {
        var ledger = new Ledger();
        foreach (var n in Enumerable.Range(1, 6)) ledger.RecordProduced("a", "t", "c", $"a-{n}");
        foreach (var n in Enumerable.Range(1, 4)) Consumed(ledger, "a", "t", "workers", $"a-{n}");
        foreach (var n in Enumerable.Range(3, 3)) Consumed(ledger, "a", "t", "auditors", $"a-{n}");
        Consumed(ledger, "a", "t", "auditors", "a-5");

        var topic = ledger.Report("a").Topics.Single();

        Assert.Equal(5, topic.Consumed);
        Assert.Equal(["a-6"], topic.MissingIds);
        Assert.Equal(1, topic.Duplicates);
        Assert.Equal(1, topic.DuplicateDeliveries);
        Assert.Equal(
            [new LedgerGroupReport("auditors", 4, 3, 1, 1, 1, 1), new LedgerGroupReport("workers", 4, 4, 0, 0, 0, 0)],
            topic.Groups);
    }

    [Fact]
    public void A_redelivery_the_filter_skipped_is_a_duplicate_delivery_but_not_a_repeated_handling()
    {
        var ledger = new Ledger();
        Consumed(ledger, "a", "t", "workers", "a-1");
        Consumed(ledger, "a", "t", "workers", "a-1", handled: false);
        Consumed(ledger, "a", "t", "workers", "a-2");
        Consumed(ledger, "a", "t", "workers", "a-2");
        Consumed(ledger, "a", "t", "workers", "a-2", handled: false);
        // Delivered first to a filter that already knew it (processed before the books began): never handled twice.
        Consumed(ledger, "a", "t", "workers", "a-3", handled: false);
        Consumed(ledger, "a", "t", "workers", "a-3");

        var group = ledger.Report("a").Topics.Single().Groups.Single();

        Assert.Equal(new LedgerGroupReport("workers", Deliveries: 7, Consumed: 3, Duplicates: 3, DuplicateDeliveries: 4,
            HandledAgain: 1, RepeatedHandlings: 1), group);
    }

    [Fact]
    public void Deliveries_since_an_instant_count_only_later_deliveries_but_know_what_came_before()
    {
        var ledger = new Ledger();
        foreach (var n in Enumerable.Range(1, 7)) ledger.RecordProduced("a", "t", "c", $"a-{n}");
        foreach (var n in Enumerable.Range(1, 5)) Consumed(ledger, "a", "t", "workers", $"a-{n}", at: T0.AddSeconds(n));
        var switchedAt = T0.AddMinutes(1);
        // After the switch, a-4 and a-5 come again from the other cluster, followed by what is new.
        foreach (var n in Enumerable.Range(4, 4)) Consumed(ledger, "a", "t", "workers", $"a-{n}", at: switchedAt.AddSeconds(n));
        Consumed(ledger, "a", "t", "workers", "a-7", handled: false, at: switchedAt.AddSeconds(9));

        var sinceSwitch = ledger.Report("a", deliveredSince: switchedAt);
        var everything = ledger.Report("a");

        Assert.Equal(switchedAt, sinceSwitch.DeliveredSince);
        Assert.Equal(new LedgerGroupReport("workers", 5, 4, 3, 3, 2, 2), sinceSwitch.Topics.Single().Groups.Single());
        Assert.Equal(new LedgerGroupReport("workers", 10, 7, 3, 3, 2, 2), everything.Topics.Single().Groups.Single());
        Assert.Equal(new LedgerGroupReport("workers", 0, 0, 0, 0, 0, 0),
            ledger.Report("a", deliveredSince: switchedAt.AddHours(1)).Topics.Single().Groups.Single());
        // The topic totals do not depend on the window.
        Assert.Equal((7, 0, 3), (sinceSwitch.Topics[0].Consumed, sinceSwitch.Topics[0].MissingCount, sinceSwitch.Topics[0].Duplicates));
        Assert.Equal(0, ledger.Report("a", deliveredSince: switchedAt.AddHours(1)).Topics[0].Duplicates);
    }

    [Fact]
    public void The_summary_names_each_groups_duplicates()
    {
        var ledger = new Ledger();
        ledger.RecordProduced("a", "t", "c", "a-1");
        Consumed(ledger, "a", "t", "workers", "a-1");
        Consumed(ledger, "a", "t", "workers", "a-1");
        Consumed(ledger, "a", "t", "auditors", "a-1");

        var text = ledger.Report("a").ToString();

        Assert.Contains("auditors consumed 1, duplicates 0 in 0 extra deliveries, handled again 0 in 0 extra handlings", text);
        Assert.Contains("workers consumed 1, duplicates 1 in 1 extra deliveries, handled again 1 in 1 extra handlings", text);
    }

    [Fact]
    public void Missing_ids_are_capped_but_counted()
    {
        var ledger = new Ledger();
        foreach (var n in Enumerable.Range(1, 50)) ledger.RecordProduced("a", "t", "c", $"a-{n}");

        var topic = ledger.Report("a", maxMissingIds: 5).Topics.Single();

        Assert.Equal(50, topic.MissingCount);
        Assert.Equal(["a-1", "a-2", "a-3", "a-4", "a-5"], topic.MissingIds);
    }

    [Fact]
    public void An_app_with_everything_consumed_has_nothing_missing_and_the_report_serialises_both_ways()
    {
        var ledger = new Ledger();
        ledger.RecordProduced("a", "t", "c", "a-1");
        Consumed(ledger, "a", "t", "workers", "a-1");
        Consumed(ledger, "a", "t", "workers", "a-1", handled: false);

        var report = ledger.Report("a");
        Assert.True(report.NothingMissing);

        var json = JsonSerializer.Serialize(report, JsonSerializerOptions.Web);
        Assert.Contains("\"missingIds\":[]", json);
        Assert.Contains("\"producedPerCluster\":{\"c\":1}", json);
        // Out-of-process tests read the books back from the control endpoint.
        var read = JsonSerializer.Deserialize<LedgerReport>(json, JsonSerializerOptions.Web)!;
        Assert.Equal(report.Topics[0].Groups, read.Topics[0].Groups);
        Assert.Equal(new LedgerGroupReport("workers", 2, 1, 1, 1, 0, 0), read.Topics[0].Groups[0]);

        ledger.Clear("a");
        Assert.Empty(ledger.Report("a").Topics);
    }

    private static void Consumed(Ledger ledger, string app, string topic, string group, string id, bool handled = true, DateTimeOffset? at = null) =>
        ledger.RecordConsumed(app, topic, group, id, handled, at ?? T0);
}
