using System.Net;
using System.Text.Json.Nodes;
using KafkaMigrationPortal.Sandbox.Tests.Support;

namespace KafkaMigrationPortal.Sandbox.Tests.Control;

/// <summary><c>POST /_sandbox/demo-apps</c>: another app seeded like <c>mackerel</c>, so a test can migrate an app of its own.</summary>
public sealed class DemoAppTests
{
    private static string KafkaAddonId(JsonNode attachments) =>
        attachments.AsArray().Single(a => a!["name"]!.GetValue<string>() == "KAFKA")!["addon"]!["id"]!.GetValue<string>();

    [Fact]
    public async Task A_demo_app_is_seeded_like_mackerel_under_its_own_name_with_its_own_kafka()
    {
        await using var host = await SandboxHost.StartAsync();
        var control = host.Client(token: null);
        var alice = host.Client();

        using var created = await control.SendJson(HttpMethod.Post, "_sandbox/demo-apps", new { name = "pike" });

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("pike", (await created.Json())!["name"]!.GetValue<string>());
        Assert.Equal("alice@example.com", (await alice.GetJson("apps/pike"))["owner"]!["email"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await host.Client("sandbox-token-bob").GetAsync("apps/pike")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await host.Client("sandbox-token-carol").GetAsync("apps/pike")).StatusCode);
        Assert.Equal(["consumer", "producer", "web"],
            (await alice.GetJson("apps/pike/formation")).AsArray().Select(f => f!["type"]!.GetValue<string>()).Order());

        var vars = await alice.GetJson("apps/pike/config-vars");
        Assert.Equal("orders,payments,audit-events", vars["SANDBOX_TOPICS"]!.GetValue<string>());
        Assert.Equal("pike-consumers", vars["SANDBOX_CONSUMER_GROUP"]!.GetValue<string>());
        Assert.Equal("mackerel-consumers", (await alice.GetJson("apps/mackerel/config-vars"))["SANDBOX_CONSUMER_GROUP"]!.GetValue<string>());

        var kafka = KafkaAddonId(await alice.GetJson("apps/pike/addon-attachments"));
        Assert.NotEqual(KafkaAddonId(await alice.GetJson("apps/mackerel/addon-attachments")), kafka);
        Assert.Equal("heroku-kafka:basic-0-sandbox", (await alice.GetJson($"addons/{kafka}"))["plan"]!["name"]!.GetValue<string>());
        var topics = (await alice.GetJson($"data/kafka/v0/clusters/{kafka}/topics"))["topics"]!.AsArray();
        Assert.Equal(["audit-events", "orders", "payments"],
            topics.Select(t => t!["name"]!.GetValue<string>()).Where(n => !n.StartsWith("__", StringComparison.Ordinal)).Order());
        var groups = (await alice.GetJson($"data/kafka/v0/clusters/{kafka}/consumer_groups"))["consumer_groups"]!.AsArray();
        Assert.Equal(["audit-archiver", "pike-consumers"], groups.Select(g => g!["name"]!.GetValue<string>()).Order());

        var dynos = host.Dynos!.Last("pike")!;
        Assert.Equal(["consumer", "producer", "web"], dynos.Select(d => d.ProcessType).Order());
        Assert.All(dynos, d => Assert.Equal("pike-consumers", d.ConfigVars["SANDBOX_CONSUMER_GROUP"]));
    }

    [Fact]
    public async Task The_demo_apps_add_on_can_be_seeded_on_a_dedicated_plan_without_a_prefix()
    {
        await using var host = await SandboxHost.StartAsync(o => o.DemoAddonPlan = "heroku-kafka:standard-0");
        var alice = host.Client();

        var kafka = KafkaAddonId(await alice.GetJson("apps/mackerel/addon-attachments"));
        Assert.Equal("heroku-kafka:standard-0", (await alice.GetJson($"addons/{kafka}"))["plan"]!["name"]!.GetValue<string>());
        var vars = (await alice.GetJson("apps/mackerel/config-vars")).AsObject();
        Assert.Contains("KAFKA_URL", vars.Select(v => v.Key));
        Assert.DoesNotContain("KAFKA_PREFIX", vars.Select(v => v.Key));
        var topics = await alice.GetJson($"data/kafka/v0/clusters/{kafka}/topics");
        Assert.Equal("", topics["prefix"]?.GetValue<string>() ?? "");
        Assert.Equal(["audit-events", "orders", "payments"],
            topics["topics"]!.AsArray().Select(t => t!["name"]!.GetValue<string>()).Where(n => !n.StartsWith("__", StringComparison.Ordinal)).Order());
    }

    [Theory]
    [InlineData("mackerel", HttpStatusCode.Conflict)]
    [InlineData("Pike", HttpStatusCode.UnprocessableEntity)]
    [InlineData("pi", HttpStatusCode.UnprocessableEntity)]
    [InlineData("pike-", HttpStatusCode.UnprocessableEntity)]
    [InlineData("", HttpStatusCode.UnprocessableEntity)]
    public async Task A_taken_or_invalid_name_is_refused_and_changes_nothing(string name, HttpStatusCode expected)
    {
        await using var host = await SandboxHost.StartAsync();
        var alice = host.Client();
        var mackerelKafka = KafkaAddonId(await alice.GetJson("apps/mackerel/addon-attachments"));

        using var refused = await host.Client(token: null).SendJson(HttpMethod.Post, "_sandbox/demo-apps", new { name });

        Assert.Equal(expected, refused.StatusCode);
        Assert.Equal(mackerelKafka, KafkaAddonId(await alice.GetJson("apps/mackerel/addon-attachments")));
        if (expected != HttpStatusCode.Conflict && name.Length > 0)
        {
            Assert.Equal(HttpStatusCode.NotFound, (await alice.GetAsync($"apps/{name}")).StatusCode);
        }
    }
}
