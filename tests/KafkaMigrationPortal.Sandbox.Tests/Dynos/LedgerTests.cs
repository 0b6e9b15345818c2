using System.Text.Json;
using KafkaMigrationPortal.Sandbox.Dynos;

namespace KafkaMigrationPortal.Sandbox.Tests.Dynos;

public sealed class LedgerTests
{
    [Fact]
    public void Counts_produced_consumed_duplicates_and_missing_per_topic()
    {
        var ledger = new Ledger();
        foreach (var n in Enumerable.Range(1, 12)) ledger.RecordProduced("mackerel", "orders", "old", $"mackerel-{n}");
        foreach (var n in Enumerable.Range(5, 8)) ledger.RecordProduced("mackerel", "orders", "new", $"mackerel-{n}");
        foreach (var n in Enumerable.Range(1, 9)) ledger.RecordConsumed("mackerel", "orders", $"mackerel-{n}");
        ledger.RecordConsumed("mackerel", "orders", "mackerel-3");
        ledger.RecordConsumed("mackerel", "orders", "mackerel-3");
        ledger.RecordConsumed("mackerel", "orders", "mackerel-4");
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
        Assert.False(report.NothingMissing);
        Assert.Equal(["mackerel", "other-app"], ledger.ReportAll().Select(r => r.App));
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
    public void An_app_with_everything_consumed_has_nothing_missing_and_the_report_serialises()
    {
        var ledger = new Ledger();
        ledger.RecordProduced("a", "t", "c", "a-1");
        ledger.RecordConsumed("a", "t", "a-1");

        var report = ledger.Report("a");
        Assert.True(report.NothingMissing);

        var json = JsonSerializer.Serialize(report, JsonSerializerOptions.Web);
        Assert.Contains("\"missingIds\":[]", json);
        Assert.Contains("\"producedPerCluster\":{\"c\":1}", json);

        ledger.Clear("a");
        Assert.Empty(ledger.Report("a").Topics);
    }
}
