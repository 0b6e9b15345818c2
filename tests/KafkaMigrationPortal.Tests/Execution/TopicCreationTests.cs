using KafkaMigrationPortal.Engine.Execution;
using KafkaMigrationPortal.Engine.Planning;
using KafkaMigrationPortal.Tests.Hosting;

namespace KafkaMigrationPortal.Tests.Execution;

/// <summary>
/// Creating topics as the CLI does, against what the cluster itself reports (the sandbox's demo add-on, basic-0, with
/// topics orders, payments and audit-events of 4 partitions and 1 minute retention): a cluster that cannot take the
/// topics, or a topic already there with fewer partitions or a shorter retention, pauses the run before anything is
/// created, with the reason.
/// </summary>
[Collection(PortalHostCollection.Name)]
public sealed class TopicCreationTests
{
    private const long Minute = 60_000;

    private static (EngineHost Host, string Database) Start(IDictionary<string, string?>? extra = null)
    {
        var database = Path.Combine(Path.GetTempPath(), $"kmp-topics-{Guid.NewGuid():N}.db");
        var host = EngineHost.OnSqlite(database, extra: extra);
        _ = host.Services; // start
        return (host, database);
    }

    private static async Task StopAsync(EngineHost host, string database)
    {
        await host.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        File.Delete(database);
    }

    private static async Task<(RunDetails Run, IReadOnlyList<Sandbox.Control.SandboxMutation> Posts)> CreateOnSourceAsync(EngineHost host, params TopicSpec[] topics)
    {
        var source = await host.SourceAsync();
        var plan = EngineHost.HandPlan(source, EngineHost.Step(new CreateTopics(AddonRole.Source, topics, SendReplicationFactor: false)));
        var runId = await host.Runs.StartAsync(plan, EngineHost.Starter);
        var run = await host.DriveAsync(runId, r => r.Run.Status is MigrationRunStatus.Paused or MigrationRunStatus.Succeeded, "the topics step ends");
        return (run, host.MutationsOf("POST", $"/data/kafka/v0/clusters/{source.Id}/topics"));
    }

    [Fact]
    public async Task A_topic_already_there_with_fewer_partitions_pauses_the_run_with_the_reason_and_creates_nothing()
    {
        var (host, database) = Start();
        try
        {
            var (run, posts) = await CreateOnSourceAsync(host, new TopicSpec("orders", 8, 3, Minute, false), new TopicSpec("refunds", 2, 3, Minute, false));

            Assert.Equal(MigrationRunStatus.Paused, run.Run.Status);
            Assert.Contains("Topic 'orders' already exists", run.Run.LastError);
            Assert.Contains("with 4 partitions", run.Run.LastError);
            Assert.Empty(posts);
        }
        finally
        {
            await StopAsync(host, database);
        }
    }

    [Fact]
    public async Task A_topic_already_there_with_a_shorter_retention_pauses_the_run_and_one_that_matches_is_kept()
    {
        var (host, database) = Start();
        try
        {
            var (run, posts) = await CreateOnSourceAsync(host, new TopicSpec("orders", 4, 3, 10 * Minute, false), new TopicSpec("payments", 4, 3, Minute, false));

            Assert.Equal(MigrationRunStatus.Paused, run.Run.Status);
            Assert.Contains("'orders' already exists", run.Run.LastError);
            Assert.Contains("keeping messages for 1 min", run.Run.LastError);
            Assert.DoesNotContain("'payments'", run.Run.LastError);
            Assert.Empty(posts);
        }
        finally
        {
            await StopAsync(host, database);
        }
    }

    [Fact]
    public async Task On_a_multi_tenant_cluster_a_topic_without_retention_is_sent_the_clusters_default_and_no_replication_factor()
    {
        var (host, database) = Start();
        try
        {
            var (run, posts) = await CreateOnSourceAsync(host, new TopicSpec("refunds", 2, 3, null, false));

            Assert.Equal(MigrationRunStatus.Succeeded, run.Run.Status);
            var body = Assert.Single(posts).Body!["topic"]!;
            Assert.Equal((long)TimeSpan.FromHours(24).TotalMilliseconds, body["retention_time_ms"]!.GetValue<long>());
            Assert.Null(body["replication_factor"]);
            Assert.Equal((2, false), (body["partition_count"]!.GetValue<int>(), body["compaction"]!.GetValue<bool>()));
        }
        finally
        {
            await StopAsync(host, database);
        }
    }

    [Fact]
    public async Task A_compacted_topic_on_a_cluster_without_mixed_cleanup_pauses_the_run_naming_the_capability()
    {
        var (host, database) = Start(new Dictionary<string, string?> { ["Sandbox:PlansWithoutMixedCleanupPolicy:0"] = "heroku-kafka:basic-0-sandbox" });
        try
        {
            var (run, posts) = await CreateOnSourceAsync(host, new TopicSpec("refunds", 2, 3, Minute, false), new TopicSpec("customer-state", 2, 3, null, true));

            Assert.Equal(MigrationRunStatus.Paused, run.Run.Status);
            Assert.Contains("'customer-state' is compacted", run.Run.LastError);
            Assert.Contains("supports_mixed_cleanup_policy is false", run.Run.LastError);
            Assert.Empty(posts);
        }
        finally
        {
            await StopAsync(host, database);
        }
    }

    [Fact]
    public async Task Limits_are_read_from_the_cluster_a_basic_plan_table_says_nothing_about_partitions_per_topic()
    {
        Assert.Null(KafkaPlanLimits.ForPlan("basic-0").MaxPartitionsPerTopic);
        var (host, database) = Start();
        try
        {
            var (run, posts) = await CreateOnSourceAsync(host, new TopicSpec("wide", 300, 3, Minute, false));

            Assert.Equal(MigrationRunStatus.Paused, run.Run.Status);
            Assert.Contains("No topic was created", run.Run.LastError);
            Assert.Contains("'wide' has 300 partitions", run.Run.LastError);
            Assert.Contains("at most 256 per topic", run.Run.LastError);
            Assert.Empty(posts);
        }
        finally
        {
            await StopAsync(host, database);
        }
    }
}
