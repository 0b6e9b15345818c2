using System.Net;
using System.Text.Json.Nodes;
using KafkaMigrationPortal.Sandbox.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace KafkaMigrationPortal.Sandbox.Tests.KafkaData;

/// <summary>
/// Heroku creates topics and consumer groups asynchronously: a topic is listed with <c>partitions: 0</c>, and absent from
/// the brokers, until it is ready; a group is listed only once ready. Timing runs on the sandbox's clock.
/// </summary>
public sealed class AsynchronousCreationTests
{
    private static readonly TimeSpan TopicDelay = TimeSpan.FromSeconds(4);
    private static readonly TimeSpan GroupDelay = TimeSpan.FromSeconds(2);

    private static async Task<(SandboxHost Host, HttpClient Api, FakeTimeProvider Time)> StartAsync(Action<SandboxOptions>? configure = null)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));
        var host = await SandboxHost.StartAsync(o =>
        {
            o.TopicReadyDelay = TopicDelay;
            o.ConsumerGroupReadyDelay = GroupDelay;
            configure?.Invoke(o);
        }, time: time);
        return (host, host.Client(), time);
    }

    private static async Task<string> DemoClusterId(HttpClient api) => (await api.GetJson("apps/mackerel/addons"))[0]!["id"]!.GetValue<string>();

    private static async Task<JsonArray> Topics(HttpClient api, string cluster) =>
        (await api.GetJson($"data/kafka/v0/clusters/{cluster}/topics"))["topics"]!.AsArray();

    private static async Task<List<string>> Groups(HttpClient api, string cluster) =>
        [.. (await api.GetJson($"data/kafka/v0/clusters/{cluster}/consumer_groups"))["consumer_groups"]!.AsArray().Select(g => g!["name"]!.GetValue<string>())];

    [Fact]
    public async Task A_new_topic_is_listed_with_zero_partitions_and_absent_from_the_brokers_until_its_delay_has_passed()
    {
        var (host, api, time) = await StartAsync();
        await using var running = host;
        var cluster = await DemoClusterId(api);
        var prefix = (await api.GetJson($"data/kafka/v0/clusters/{cluster}"))["topic_prefix"]!.GetValue<string>();

        using (var created = await api.SendJson(HttpMethod.Post, $"data/kafka/v0/clusters/{cluster}/topics",
                   new { topic = new { name = "refunds", partition_count = 6, retention_time_ms = 60_000 } }))
        {
            Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        }

        int Listed(JsonArray topics) => topics.Single(t => t!["name"]!.GetValue<string>() == "refunds")!["partitions"]!.GetValue<int>();
        var brokers = host.Clusters!.Get(Guid.Parse(cluster));
        Assert.Equal(0, Listed(await Topics(api, cluster)));
        Assert.False(brokers.Topics.ContainsKey(prefix + "refunds"));

        time.Advance(TopicDelay - TimeSpan.FromMilliseconds(1));
        Assert.Equal(0, Listed(await Topics(api, cluster)));
        Assert.False(brokers.Topics.ContainsKey(prefix + "refunds"));

        // The sandbox's timer finishes the creation even if nobody lists the topics.
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(6, brokers.Topics[prefix + "refunds"].Partitions);
        Assert.Equal(6, Listed(await Topics(api, cluster)));

        using var again = await api.SendJson(HttpMethod.Post, $"data/kafka/v0/clusters/{cluster}/topics",
            new { topic = new { name = "refunds", partition_count = 6, retention_time_ms = 60_000 } });
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
    }

    [Fact]
    public async Task A_new_consumer_group_is_listed_only_after_its_delay_and_creating_it_again_changes_nothing()
    {
        var (host, api, time) = await StartAsync();
        await using var running = host;
        var cluster = await DemoClusterId(api);
        var body = new { consumer_group = new { name = "reporting" } };

        using (var created = await api.SendJson(HttpMethod.Post, $"data/kafka/v0/clusters/{cluster}/consumer_groups", body))
        {
            Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        }

        Assert.DoesNotContain("reporting", await Groups(api, cluster));
        using (var again = await api.SendJson(HttpMethod.Post, $"data/kafka/v0/clusters/{cluster}/consumer_groups", body))
        {
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        }

        time.Advance(GroupDelay);
        Assert.Equal(1, (await Groups(api, cluster)).Count(g => g == "reporting"));
    }
}
