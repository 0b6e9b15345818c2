using System.Net;
using System.Text.Json.Nodes;
using KafkaMigrationPortal.Sandbox.Tests.Support;

namespace KafkaMigrationPortal.Sandbox.Tests.KafkaData;

public sealed class KafkaDataApiTests : IAsyncLifetime
{
    private SandboxHost _host = null!;
    private HttpClient _api = null!;

    public async Task InitializeAsync()
    {
        _host = await SandboxHost.StartAsync();
        _api = _host.Client();
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private async Task<Guid> CreateAddon(string plan, string attachment)
    {
        using var response = await _api.SendJson(HttpMethod.Post, "apps/mackerel/addons", new { plan, attachment = new { name = attachment } });
        return Guid.Parse((await response.Json())!["id"]!.GetValue<string>());
    }

    private static object Topic(string name, int partitions = 4, long retention = 86_400_000) =>
        new { topic = new { name, partition_count = partitions, replication_factor = 3, retention_time_ms = retention, compaction = false } };

    [Fact]
    public async Task Multi_tenant_topics_get_the_prefix_on_the_brokers_and_not_in_the_api()
    {
        var id = await CreateAddon("heroku-kafka:basic-0", "OTHER");
        var cluster = await _api.GetJson($"data/kafka/v0/clusters/{id}");
        var prefix = cluster["topic_prefix"]!.GetValue<string>();
        Assert.Matches("^[a-z]+-[0-9]{5}\\.$", prefix);
        Assert.True(cluster["shared_cluster"]!.GetValue<bool>());
        Assert.Equal(prefix, (await _api.GetJson("apps/mackerel/config-vars"))["OTHER_PREFIX"]!.GetValue<string>());

        using var created = await _api.SendJson(HttpMethod.Post, $"data/kafka/v0/clusters/{id}/topics", Topic("orders", 6));

        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        var brokers = _host.Clusters!.Get(id);
        Assert.Equal(6, brokers.Topics[prefix + "orders"].Partitions);
        Assert.Equal(TimeSpan.FromDays(1), brokers.Retention[prefix + "orders"]);
        var listed = (await _api.GetJson($"data/kafka/v0/clusters/{id}/topics"))["topics"]!.AsArray()
            .Single(t => !t!["name"]!.GetValue<string>().StartsWith("__", StringComparison.Ordinal))!;
        Assert.Equal("orders", listed["name"]!.GetValue<string>());
        Assert.Equal(prefix, listed["prefix"]!.GetValue<string>());

        using var again = await _api.SendJson(HttpMethod.Post, $"data/kafka/v0/clusters/{id}/topics", Topic("orders"));
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
    }

    [Fact]
    public async Task Partition_count_cannot_change_but_retention_can()
    {
        // The sandbox-only plan, whose minimum retention is seconds, so that the broker's retention can be seen to follow.
        var id = await CreateAddon("heroku-kafka:basic-0-sandbox", "OTHER");
        using (await _api.SendJson(HttpMethod.Post, $"data/kafka/v0/clusters/{id}/topics", Topic("orders", 4)))
        {
        }

        using var repartition = await _api.SendJson(HttpMethod.Put, $"data/kafka/v0/clusters/{id}/topics/orders", Topic("orders", 8));
        Assert.Equal((HttpStatusCode)422, repartition.StatusCode);
        Assert.Equal("invalid_params", (await repartition.Json())!["id"]!.GetValue<string>());

        using var retention = await _api.SendJson(HttpMethod.Put, $"data/kafka/v0/clusters/{id}/topics/orders",
            new { topic = new { name = "orders", retention_time_ms = 5_000, replication_factor = 3, compaction = false } });
        Assert.Equal(HttpStatusCode.OK, retention.StatusCode);
        var prefix = (await _api.GetJson($"data/kafka/v0/clusters/{id}"))["topic_prefix"]!.GetValue<string>();
        Assert.Equal(TimeSpan.FromSeconds(5), _host.Clusters!.Get(id).Retention[prefix + "orders"]);
        // Heroku has no per-topic GET: topic info comes from the list, as in the CLI plugin.
        var topic = (await _api.GetJson($"data/kafka/v0/clusters/{id}/topics"))["topics"]!.AsArray()
            .Single(t => t!["name"]!.GetValue<string>() == "orders")!;
        Assert.Equal(4, topic["partitions"]!.GetValue<int>());

        using var tooShort = await _api.SendJson(HttpMethod.Put, $"data/kafka/v0/clusters/{id}/topics/orders",
            new { topic = new { name = "orders", retention_time_ms = 10 } });
        Assert.Equal((HttpStatusCode)422, tooShort.StatusCode);
    }

    [Fact]
    public async Task Dedicated_clusters_have_no_prefix_and_need_no_consumer_groups()
    {
        var id = await CreateAddon("heroku-kafka:standard-0", "NEW_KAFKA");
        var cluster = await _api.GetJson($"data/kafka/v0/clusters/{id}");
        Assert.Equal("", cluster["topic_prefix"]!.GetValue<string>());
        Assert.False(cluster["shared_cluster"]!.GetValue<bool>());
        Assert.False((await _api.GetJson("apps/mackerel/config-vars")).AsObject().ContainsKey("NEW_KAFKA_PREFIX"));

        using (await _api.SendJson(HttpMethod.Post, $"data/kafka/v0/clusters/{id}/topics", Topic("orders")))
        {
        }

        Assert.True(_host.Clusters!.Get(id).Topics.ContainsKey("orders"));
        using var group = await _api.SendJson(HttpMethod.Post, $"data/kafka/v0/clusters/{id}/consumer_groups",
            new { consumer_group = new { name = "mackerel-consumers" } });
        Assert.Equal(HttpStatusCode.BadRequest, group.StatusCode);
        Assert.Contains("not required", (await group.Json())!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Consumer_groups_are_created_listed_and_deleted_on_multi_tenant_plans()
    {
        var id = (await _api.GetJson("apps/mackerel/addons"))[0]!["id"]!.GetValue<string>();
        var groups = async () => (await _api.GetJson($"data/kafka/v0/clusters/{id}/consumer_groups"))["consumer_groups"]!
            .AsArray().Select(g => g!["name"]!.GetValue<string>()).ToList();
        Assert.Equal(["audit-archiver", "mackerel-consumers"], await groups());

        using (var created = await _api.SendJson(HttpMethod.Post, $"data/kafka/v0/clusters/{id}/consumer_groups",
                   new { consumer_group = new { name = "reporting" } }))
        {
            Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        }

        Assert.Contains("reporting", await groups());
        using (var deleted = await _api.SendJson(HttpMethod.Delete, $"data/kafka/v0/clusters/{id}/consumer_groups",
                   new { consumer_group = new { name = "reporting" } }))
        {
            Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        }

        Assert.DoesNotContain("reporting", await groups());
    }

    [Fact]
    public async Task Unknown_clusters_are_not_found_and_strangers_are_forbidden()
    {
        using var unknown = await _api.GetAsync($"data/kafka/v0/clusters/{Guid.NewGuid()}");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        var id = (await _api.GetJson("apps/mackerel/addons"))[0]!["id"]!.GetValue<string>();
        using var carol = await _host.Client("sandbox-token-carol").GetAsync($"data/kafka/v0/clusters/{id}/topics");
        Assert.Equal(HttpStatusCode.Forbidden, carol.StatusCode);
    }
}
