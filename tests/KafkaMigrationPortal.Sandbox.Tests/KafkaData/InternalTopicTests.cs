using System.Text.Json.Nodes;
using KafkaMigrationPortal.Sandbox.Tests.Support;

namespace KafkaMigrationPortal.Sandbox.Tests.KafkaData;

/// <summary>Heroku's topic list includes Kafka's internal <c>__consumer_offsets</c>; so does the sandbox's.</summary>
public sealed class InternalTopicTests
{
    private static async Task<(SandboxHost Host, HttpClient Api)> StartAsync(Action<SandboxOptions>? configure = null)
    {
        var host = await SandboxHost.StartAsync(configure);
        return (host, host.Client());
    }

    private static async Task<string> DemoClusterId(HttpClient api) => (await api.GetJson("apps/mackerel/addons"))[0]!["id"]!.GetValue<string>();

    private static async Task<JsonArray> Topics(HttpClient api, string cluster) =>
        (await api.GetJson($"data/kafka/v0/clusters/{cluster}/topics"))["topics"]!.AsArray();

    [Fact]
    public async Task The_topic_list_includes_consumer_offsets_with_name_and_throughput_only()
    {
        var (host, api) = await StartAsync();
        await using var running = host;

        var internalTopic = (await Topics(api, await DemoClusterId(api))).Single(t => t!["name"]!.GetValue<string>() == "__consumer_offsets")!.AsObject();

        Assert.Equal(["bytes_in_per_second", "bytes_out_per_second", "messages_in_per_second", "name"], internalTopic.Select(p => p.Key).Order());
    }
}
