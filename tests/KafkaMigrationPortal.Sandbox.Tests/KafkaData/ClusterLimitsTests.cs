using System.Net;
using System.Text.Json.Nodes;
using KafkaMigrationPortal.Sandbox.Tests.Support;

namespace KafkaMigrationPortal.Sandbox.Tests.KafkaData;

/// <summary>Cluster info's limits as Heroku reports them (heroku-apis.md §4, §5) and the create-topic checks that follow.</summary>
public sealed class ClusterLimitsTests : IAsyncLifetime
{
    private const long KiB = 1024;
    private const long GiB = 1024L * 1024 * 1024;
    private const long Hour = 3_600_000;
    private SandboxHost _host = null!;
    private HttpClient _api = null!;

    public async Task InitializeAsync()
    {
        _host = await SandboxHost.StartAsync(o => o.PlansWithoutMixedCleanupPolicy = ["heroku-kafka:standard-1"]);
        _api = _host.Client();
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private async Task<Guid> CreateAddon(string plan, string attachment = "OTHER")
    {
        using var response = await _api.SendJson(HttpMethod.Post, "apps/mackerel/addons", new { plan, attachment = new { name = attachment } });
        return Guid.Parse((await response.Json())!["id"]!.GetValue<string>());
    }

    private Task<HttpResponseMessage> CreateTopic(Guid cluster, string name, int partitions = 4, int replication = 3, long? retention = 86_400_000, bool compaction = false) =>
        _api.SendJson(HttpMethod.Post, $"data/kafka/v0/clusters/{cluster}/topics",
            new { topic = new { name, partition_count = partitions, replication_factor = replication, retention_time_ms = retention, compaction } });

    [Theory]
    [InlineData("heroku-kafka:basic-0", 4L, 64L, 256L, 240)]
    [InlineData("heroku-kafka:basic-1", 32L, 512L, 2048L, 480)]
    [InlineData("heroku-kafka:basic-2", 64L, 4096L, 16384L, 960)]
    public async Task Basic_plans_report_their_capacity_quotas_and_partitions(string plan, long gigabytes, long produceKiB, long consumeKiB, int partitions)
    {
        var info = await _api.GetJson($"data/kafka/v0/clusters/{await CreateAddon(plan)}");
        var limits = info["limits"]!;

        Assert.Equal(gigabytes * GiB, limits["data_size"]!["limit_bytes"]!.GetValue<long>());
        Assert.Equal(produceKiB * KiB, limits["produce_quota_bytes_per_second"]!.GetValue<long>());
        Assert.Equal(consumeKiB * KiB, limits["consume_quota_bytes_per_second"]!.GetValue<long>());
        Assert.Equal(partitions, limits["max_number_of_total_partitions"]!.GetValue<int>());
        Assert.True(info["shared_cluster"]!.GetValue<bool>());
    }

    [Theory]
    [InlineData("heroku-kafka:standard-0", 3, 14, 12000)]
    [InlineData("heroku-kafka:extended-0", 8, 42, 32000)]
    public async Task Dedicated_plans_report_replication_retention_and_partition_bounds(string plan, int maxReplication, int maxRetentionDays, int totalPartitions)
    {
        var info = await _api.GetJson($"data/kafka/v0/clusters/{await CreateAddon(plan)}");
        var limits = info["limits"]!;

        Assert.Equal((3, maxReplication), (limits["minimum_replication"]!.GetValue<int>(), limits["maximum_replication"]!.GetValue<int>()));
        Assert.Equal(maxRetentionDays * 24 * Hour, limits["maximum_retention_ms"]!.GetValue<long>());
        Assert.Equal(6 * Hour, limits["minimum_retention_ms"]!.GetValue<long>());
        Assert.Equal((256, totalPartitions), (limits["max_number_of_partitions_per_topic"]!.GetValue<int>(), limits["max_number_of_total_partitions"]!.GetValue<int>()));
        Assert.Null(limits["produce_quota_bytes_per_second"]);
        Assert.True(info["capabilities"]!["supports_mixed_cleanup_policy"]!.GetValue<bool>());
    }

    [Theory]
    [InlineData("heroku-kafka:basic-0", 24 * 3_600_000L)]
    [InlineData("heroku-kafka:standard-0", 6 * 3_600_000L)]
    [InlineData("heroku-kafka:basic-0-sandbox", 1_000L)] // SandboxOptions.MinimumRetention
    [InlineData("heroku-kafka:standard-0-sandbox", 1_000L)]
    public async Task Real_plans_keep_Herokus_minimum_retention_and_only_sandbox_plans_accept_seconds(string plan, long minimum)
    {
        var cluster = await CreateAddon(plan);
        var info = await _api.GetJson($"data/kafka/v0/clusters/{cluster}");
        Assert.Equal(minimum, info["limits"]!["minimum_retention_ms"]!.GetValue<long>());

        using var tooShort = await CreateTopic(cluster, "too-short", retention: minimum - 1);
        Assert.Equal((HttpStatusCode)422, tooShort.StatusCode);
        Assert.Contains($"between {minimum} and", (await tooShort.Json())!["message"]!.GetValue<string>());
        using var shortest = await CreateTopic(cluster, "shortest", retention: minimum);
        Assert.Equal(HttpStatusCode.OK, shortest.StatusCode);
    }

    [Fact]
    public async Task Version_is_a_list_of_strings()
    {
        var info = await _api.GetJson($"data/kafka/v0/clusters/{await CreateAddon("heroku-kafka:standard-0")}");

        var version = Assert.IsType<JsonArray>(info["version"]);
        Assert.All(version, v => Assert.Matches("^[0-9]+\\.[0-9]+\\.[0-9]+$", v!.GetValue<string>()));
    }

    [Fact]
    public async Task Standard_plans_refuse_a_replication_factor_above_three_and_extended_ones_accept_eight()
    {
        var standard = await CreateAddon("heroku-kafka:standard-0");
        using var refused = await CreateTopic(standard, "orders", replication: 4);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Contains("between 3 and 3", (await refused.Json())!["message"]!.GetValue<string>());

        var extended = await CreateAddon("heroku-kafka:extended-0", "EXTENDED");
        using var accepted = await CreateTopic(extended, "orders", replication: 8);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
    }

    [Fact]
    public async Task A_cluster_without_mixed_cleanup_refuses_compaction_with_time_retention_but_not_without()
    {
        var cluster = await CreateAddon("heroku-kafka:standard-1");
        Assert.False((await _api.GetJson($"data/kafka/v0/clusters/{cluster}"))["capabilities"]!["supports_mixed_cleanup_policy"]!.GetValue<bool>());

        using var mixed = await CreateTopic(cluster, "state", retention: 24 * Hour, compaction: true);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, mixed.StatusCode);
        Assert.Contains("supports_mixed_cleanup_policy", (await mixed.Json())!["message"]!.GetValue<string>());

        using var compactedOnly = await CreateTopic(cluster, "state", retention: null, compaction: true);
        Assert.Equal(HttpStatusCode.OK, compactedOnly.StatusCode);
    }

    [Fact]
    public async Task A_basic_cluster_refuses_partitions_beyond_its_total()
    {
        var cluster = await CreateAddon("heroku-kafka:basic-0");
        for (var i = 0; i < 30; i++)
        {
            using var created = await CreateTopic(cluster, $"t{i}", partitions: 8);
            Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        }

        using var beyond = await CreateTopic(cluster, "one-more", partitions: 1);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, beyond.StatusCode);
        Assert.Contains("max_number_of_total_partitions", (await beyond.Json())!["message"]!.GetValue<string>());
    }
}
