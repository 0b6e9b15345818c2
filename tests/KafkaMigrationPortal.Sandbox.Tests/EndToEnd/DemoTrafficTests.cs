using System.Text.Json.Nodes;
using KafkaMigrationPortal.Sandbox.Kafka;
using KafkaMigrationPortal.Sandbox.Tests.Kafka;
using KafkaMigrationPortal.Sandbox.Tests.Support;
using KafkaMigrationPortal.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace KafkaMigrationPortal.Sandbox.Tests.EndToEnd;

/// <summary>The seeded demo with real mock clusters and real dynos, driven only through the HTTP API.</summary>
public sealed class DemoTrafficTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private SandboxHost _host = null!;
    private HttpClient _api = null!;
    private HttpClient _control = null!;

    public async Task InitializeAsync()
    {
        _host = await SandboxHost.StartAsync(realKafka: true);
        _api = _host.Client();
        _control = _host.Client(token: null);
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private async Task<JsonArray> LedgerTopics() => (await _control.GetJson("_sandbox/ledger/mackerel"))["topics"]!.AsArray();

    private async Task Send(HttpMethod method, string path, object body)
    {
        using var response = await _api.SendJson(method, path, body);
        Assert.True(response.IsSuccessStatusCode, $"{method} {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    [Fact]
    public async Task Producing_to_two_addons_fills_both_clusters_and_a_consumer_pause_drains_to_nothing_missing()
    {
        await Deadline.PollAsync(async () => (await LedgerTopics()).Count == 3 && (await LedgerTopics()).All(t => t!["consumed"]!.GetValue<int>() > 0),
            Patience, "the demo's dynos produce and consume on all three topics");

        using var created = await _api.SendJson(HttpMethod.Post, "apps/mackerel/addons",
            new { plan = "heroku-kafka:basic-0", attachment = new { name = "OTHER" } });
        var otherId = (await created.Json())!["id"]!.GetValue<string>();
        foreach (var topic in new[] { "orders", "payments", "audit-events" })
        {
            await Send(HttpMethod.Post, $"data/kafka/v0/clusters/{otherId}/topics",
                new { topic = new { name = topic, partition_count = 4, replication_factor = 3, retention_time_ms = 86_400_000 } });
        }

        var kafkaId = (await _api.GetJson("apps/mackerel/addon-attachments")).AsArray()
            .Single(a => a!["name"]!.GetValue<string>() == "KAFKA")!["addon"]!["id"]!.GetValue<string>();
        var otherCluster = _host.Services.GetRequiredService<ISandboxKafkaClusters>().Find(Guid.Parse(otherId))!;
        var otherPrefix = (await _api.GetJson("apps/mackerel/config-vars"))["OTHER_PREFIX"]!.GetValue<string>();
        Assert.Equal(0, KafkaTestKit.MessagesWritten(otherCluster, otherPrefix + "orders", 4));
        int Produced(JsonArray topics, string cluster) =>
            topics.Single(t => t!["topic"]!.GetValue<string>() == "orders")!["produced_per_cluster"]![cluster]?.GetValue<int>() ?? 0;
        var kafkaBefore = Produced(await LedgerTopics(), kafkaId);

        await Send(HttpMethod.Patch, "apps/mackerel/config-vars", new Dictionary<string, string> { ["PRODUCER_ADDON_NAMES"] = "KAFKA,OTHER" });

        await Deadline.PollAsync(async () =>
        {
            var topics = await LedgerTopics();
            return Produced(topics, otherId) > 10 && Produced(topics, kafkaId) > kafkaBefore + 10;
        }, Patience, "both add-ons acknowledge the producers' writes");
        Assert.True(KafkaTestKit.MessagesWritten(otherCluster, otherPrefix + "orders", 4) > 0, "OTHER's brokers hold the writes");

        await Send(HttpMethod.Patch, "apps/mackerel/formation", new { updates = new[] { new { type = "consumer", quantity = 0 } } });
        await Deadline.PollAsync(async () => (await LedgerTopics()).Sum(t => t!["missing_count"]!.GetValue<int>()) > 20,
            Patience, "messages pile up while no consumer runs");
        await Send(HttpMethod.Patch, "apps/mackerel/formation", new { updates = new[] { new { type = "consumer", quantity = 1 } } });
        await Send(HttpMethod.Patch, "apps/mackerel/formation", new { updates = new[] { new { type = "producer", quantity = 0 } } });

        var drained = await Deadline.PollAsync(LedgerTopics,
            topics => topics.All(t => t!["missing_count"]!.GetValue<int>() == 0), Patience, "the consumer catches up, nothing missing");
        Assert.All(drained, t => Assert.Empty(t!["missing_ids"]!.AsArray()));
    }
}
