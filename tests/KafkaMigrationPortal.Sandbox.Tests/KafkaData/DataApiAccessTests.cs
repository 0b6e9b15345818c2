using System.Net;
using System.Text.Json.Nodes;
using KafkaMigrationPortal.Sandbox.OAuth;
using KafkaMigrationPortal.Sandbox.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace KafkaMigrationPortal.Sandbox.Tests.KafkaData;

/// <summary>The data API takes only <c>global</c> tokens and API keys, and serves only the calls Heroku has.</summary>
public sealed class DataApiAccessTests
{
    private static async Task<(SandboxHost Host, HttpClient Api)> StartAsync(Action<SandboxOptions>? configure = null)
    {
        var host = await SandboxHost.StartAsync(configure);
        return (host, host.Client());
    }

    private static async Task<string> DemoClusterId(HttpClient api) => (await api.GetJson("apps/mackerel/addons"))[0]!["id"]!.GetValue<string>();

    private static async Task<JsonArray> Topics(HttpClient api, string cluster) =>
        (await api.GetJson($"data/kafka/v0/clusters/{cluster}/topics"))["topics"]!.AsArray();

    private static async Task<List<string>> Groups(HttpClient api, string cluster) =>
        [.. (await api.GetJson($"data/kafka/v0/clusters/{cluster}/consumer_groups"))["consumer_groups"]!.AsArray().Select(g => g!["name"]!.GetValue<string>())];

    [Theory]
    [InlineData("write-protected")]
    [InlineData("read write")]
    [InlineData("read-protected write-protected identity")]
    public async Task The_data_api_refuses_narrower_oauth_scopes_with_herokus_error_shape(string scope)
    {
        var (host, api) = await StartAsync();
        await using var running = host;
        var cluster = await DemoClusterId(api);
        var identity = host.Services.GetRequiredService<SandboxIdentity>();
        var alice = SandboxUsers.All.Single(u => u.Email == "alice@example.com");
        var code = identity.IssueCode(SandboxUsers.PortalOAuthClientId, alice, SandboxIdentity.ParseScopes(scope), null);
        var grant = identity.Exchange("authorization_code", code, null, SandboxUsers.PortalOAuthClientSecret);
        var scoped = host.Client(grant.AccessToken);

        foreach (var path in new[] { "", "/topics", "/consumer_groups", "/wait_status" })
        {
            using var refused = await scoped.GetAsync($"data/kafka/v0/clusters/{cluster}{path}");
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            var error = (await refused.Json())!.AsObject();
            Assert.Equal("forbidden", error["id"]!.GetValue<string>());
            Assert.Contains("'global'", error["message"]!.GetValue<string>());
            Assert.NotNull(error["url"]);
        }

        using var create = await scoped.SendJson(HttpMethod.Post, $"data/kafka/v0/clusters/{cluster}/topics", new { topic = new { name = "sneaky" } });
        Assert.Equal(HttpStatusCode.Forbidden, create.StatusCode);
        Assert.DoesNotContain(await Topics(api, cluster), t => t!["name"]!.GetValue<string>() == "sneaky");
        // The same token still works where its scope allows it.
        Assert.Equal(HttpStatusCode.OK, (await scoped.GetAsync("apps/mackerel")).StatusCode);
        // API keys (global) keep working.
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync($"data/kafka/v0/clusters/{cluster}/topics")).StatusCode);
    }

    [Fact]
    public async Task Calls_heroku_does_not_have_are_not_served()
    {
        var (host, api) = await StartAsync();
        await using var running = host;
        var cluster = await DemoClusterId(api);

        using var topicInfo = await api.GetAsync($"data/kafka/v0/clusters/{cluster}/topics/orders");
        using var deleteGroupByPath = await api.DeleteAsync($"data/kafka/v0/clusters/{cluster}/consumer_groups/audit-archiver");

        Assert.False(topicInfo.IsSuccessStatusCode, $"GET …/topics/{{name}} answered {(int)topicInfo.StatusCode}");
        Assert.False(deleteGroupByPath.IsSuccessStatusCode, $"DELETE …/consumer_groups/{{name}} answered {(int)deleteGroupByPath.StatusCode}");
        Assert.Contains("audit-archiver", await Groups(api, cluster));
    }
}
