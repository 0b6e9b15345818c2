using System.Net;
using KafkaMigrationPortal.Features.Migrations;
using KafkaMigrationPortal.Engine.Planning;
using KafkaMigrationPortal.Engine.Storage;
using KafkaMigrationPortal.Heroku;
using KafkaMigrationPortal.Heroku.Kafka;
using KafkaMigrationPortal.Heroku.Platform;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using KafkaMigrationPortal.Engine.Execution;

namespace KafkaMigrationPortal.Tests.Planning;

public sealed class PlanningContextReaderTests : IAsyncLifetime
{
    private static readonly HerokuRef App = new("5b0b3c4e-0000-4000-8000-00000000a001", Requests.App);
    private static readonly string PostgresId = "0a2c7e8e-3ad4-4d6b-9b0e-5f3b2f0f7c11";
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);
    private static readonly IHerokuCredential Credential = new StaticTokenCredential("test-token", "test");

    private readonly SqliteConnection connection = new("Data Source=:memory:");
    private readonly FakePlatform platform = new();
    private readonly FakeKafka kafka = new();
    private DbContextOptions<SqlitePortalDbContext> options = null!;

    public async Task InitializeAsync()
    {
        await connection.OpenAsync();
        options = new DbContextOptionsBuilder<SqlitePortalDbContext>().UseSqlite(connection).Options;
        await using var db = new SqlitePortalDbContext(options);
        await db.Database.EnsureCreatedAsync();
    }

    public async Task DisposeAsync() => await connection.DisposeAsync();

    private PlanningContextReader Reader() => new(new FakeClients(platform, kafka), new Factory(options));

    private static MigrationRequest Request(string app = Requests.App) =>
        new(app, "KAFKA", "standard-0", MigrationStrategy.DoubleWrite, ["producer"], ["consumer"], TimeSpan.FromHours(1));

    [Fact]
    public async Task Reads_add_ons_formation_and_the_sources_unprefixed_topics_and_groups_without_changing_anything()
    {
        var context = await Reader().ReadAsync(Credential, ["global"], Request());

        Assert.True(context.AppExists);
        var source = Assert.Single(context.Addons, a => a.IsKafka);
        Assert.Equal(Requests.SourceId, source.Id);
        Assert.Equal(["KAFKA"], source.AttachmentNames);
        Assert.Equal(Requests.Prefix, source.TopicPrefix);
        Assert.Contains(context.Addons, a => a is { ServiceName: "heroku-postgresql", AttachmentNames: ["DATABASE"] });
        Assert.Equal(new Dictionary<string, int> { ["web"] = 2, ["producer"] = 2, ["consumer"] = 3 }, context.Formation);
        Assert.Equal([new TopicSpec("orders", 8, 3, 86_400_000, false), new TopicSpec("customers", 2, 3, 86_400_000, true)], context.SourceTopics);
        Assert.Equal(["billing"], context.SourceConsumerGroups);
        Assert.Equal(KafkaPlanLimits.ForPlan("standard-0"), context.TargetLimits);
        Assert.Empty(context.ReadProblems);
        Assert.Empty(platform.Mutations);

        var result = PlanValidator.Validate(context, Request());
        Assert.True(result.IsValid, string.Join("; ", result.Refusals));
    }

    [Fact]
    public async Task The_other_apps_the_source_is_attached_to_are_read_and_the_plan_destroys_it_with_force_naming_them()
    {
        platform.SourceAlsoAttachedTo.AddRange(["tuna", "herring", "tuna"]);

        var context = await Reader().ReadAsync(Credential, ["global"], Request());

        var source = Assert.Single(context.Addons, a => a.IsKafka);
        Assert.Equal(["herring", "tuna"], source.AlsoAttachedTo);
        var result = PlanValidator.Validate(context, Request());
        Assert.True(result.IsValid, string.Join("; ", result.Refusals));
        var plan = MigrationPlanBuilder.Build(result.Request!);
        var destroy = plan.Single<DestroyAddon>();
        Assert.Equal(["herring", "tuna"], Assert.IsType<DestroyAddon>(destroy.Action).OtherApps);
        Assert.EndsWith("--force", destroy.CliCommand, StringComparison.Ordinal);
        Assert.Contains("herring, tuna", destroy.Changes, StringComparison.Ordinal);
        Assert.Contains(plan.Warnings, w => w.Contains("also attached to herring, tuna", StringComparison.Ordinal));
        Assert.Empty(PlanInvariants.Check(plan));
        Assert.Empty(platform.Mutations);
    }

    [Fact]
    public async Task A_source_attached_to_no_other_app_is_destroyed_without_force()
    {
        var context = await Reader().ReadAsync(Credential, ["global"], Request());

        Assert.Null(Assert.Single(context.Addons, a => a.IsKafka).AlsoAttachedTo);
        var destroy = MigrationPlanBuilder.Build(PlanValidator.Validate(context, Request()).Request!).Single<DestroyAddon>();
        Assert.Empty(Assert.IsType<DestroyAddon>(destroy.Action).OtherApps);
        Assert.DoesNotContain("--force", destroy.CliCommand, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_app_reads_as_such_and_is_refused()
    {
        var context = await Reader().ReadAsync(Credential, ["global"], Request("no-such-app"));

        Assert.False(context.AppExists);
        Assert.Equal(RefusalCodes.UnknownApp, Assert.Single(PlanValidator.Validate(context, Request("no-such-app")).Refusals).Code);
    }

    [Fact]
    public async Task Unfinished_runs_of_the_app_are_active_migrations()
    {
        var running = Guid.NewGuid();
        await using (var db = new SqlitePortalDbContext(options))
        {
            db.MigrationRuns.Add(Run(running, Requests.App, MigrationRunStatus.Waiting));
            db.MigrationRuns.Add(Run(Guid.NewGuid(), Requests.App, MigrationRunStatus.Succeeded));
            db.MigrationRuns.Add(Run(Guid.NewGuid(), "other-app", MigrationRunStatus.Running));
            await db.SaveChangesAsync();
        }

        var context = await Reader().ReadAsync(Credential, ["global"], Request());

        Assert.Equal(running, Assert.Single(context.ActiveMigrations).RunId);
        Assert.Contains(PlanValidator.Validate(context, Request()).Refusals, r => r.Code == RefusalCodes.MigrationAlreadyActive);
    }

    [Fact]
    public async Task A_data_API_refusal_becomes_a_read_problem_that_names_it()
    {
        kafka.TopicsError = new HerokuApiException(HttpStatusCode.Forbidden, "forbidden", "This token may not read Kafka.", "req-1");

        var context = await Reader().ReadAsync(Credential, ["write-protected"], Request());

        var problem = Assert.Single(context.ReadProblems);
        Assert.Contains("topics of kafka-symmetrical-26061", problem, StringComparison.Ordinal);
        Assert.Contains("This token may not read Kafka.", problem, StringComparison.Ordinal);
        Assert.DoesNotContain("test-token", problem, StringComparison.Ordinal);
        Assert.Contains(PlanValidator.Validate(context, Request()).Refusals, r => r.Code == RefusalCodes.SourceUnreadable);
    }

    [Fact]
    public async Task Kafka_internal_topics_listed_by_heroku_are_left_out_of_the_context_and_the_plan()
    {
        var context = await Reader().ReadAsync(Credential, ["global"], Request());

        Assert.DoesNotContain(context.SourceTopics, t => t.Name.StartsWith("__", StringComparison.Ordinal));
        var plan = MigrationPlanBuilder.Build(PlanValidator.Validate(context, Request()).Request!);
        Assert.DoesNotContain(plan.Topics, t => t.Name.StartsWith("__", StringComparison.Ordinal));
        Assert.DoesNotContain(((CreateTopics)plan.Single<CreateTopics>().Action).Topics, t => t.Name.StartsWith("__", StringComparison.Ordinal));
        Assert.DoesNotContain("__consumer_offsets", plan.Single<CreateTopics>().CliCommand, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_data_API_refusal_of_a_token_without_global_scope_says_once_which_grant_is_needed_and_changes_nothing()
    {
        kafka.DataApiError = new HerokuApiException(HttpStatusCode.Forbidden, "forbidden", "The Kafka data API needs a 'global' token.", "req-2");

        var context = await Reader().ReadAsync(Credential, ["read", "write-protected"], Request());

        var problem = Assert.Single(context.ReadProblems);
        Assert.Contains("accepts only tokens with the 'global' scope and API keys", problem, StringComparison.Ordinal);
        Assert.Contains("this sign-in granted 'read', 'write-protected'", problem, StringComparison.Ordinal);
        Assert.Contains("Sign in again granting 'global'", problem, StringComparison.Ordinal);
        Assert.Equal(1, kafka.Reads);
        Assert.Empty(platform.Mutations);
        var refusal = Assert.Single(PlanValidator.Validate(context, Request()).Refusals, r => r.Code == RefusalCodes.SourceUnreadable);
        Assert.Contains("'global'", refusal.Message, StringComparison.Ordinal);
    }

    private static MigrationRun Run(Guid id, string app, MigrationRunStatus status) => new()
    {
        Id = id, App = app, SourceAddon = "kafka-symmetrical-26061", TargetPlan = "heroku-kafka:standard-0",
        Strategy = MigrationStrategy.DoubleWrite, Status = status, StartedBy = "someone@example.com", CreatedAt = Now,
    };

    [Fact]
    public async Task Reads_the_sources_own_limits_and_its_write_rate_and_data_size()
    {
        kafka.Cluster = new KafkaCluster(new("available"), null, Requests.Prefix, true,
            new KafkaClusterLimits(MaxTopics: 40, ProduceQuotaBytesPerSecond: 65_536, DataSize: new(4_294_967_296)),
            new KafkaClusterCapabilities(false), System.Text.Json.JsonDocument.Parse("1073741824").RootElement);
        kafka.BytesInPerSecond = (30_000, 2_000.5);

        var context = await Reader().ReadAsync(Credential, ["global"], Request() with { TargetPlan = "basic-0" });

        Assert.Equal((40, 65_536L, 4_294_967_296L, (bool?)false),
            (context.SourceLimits.MaxTopics, context.SourceLimits.ProduceQuotaBytesPerSecond, context.SourceLimits.DataSizeBytes, context.SourceLimits.SupportsMixedCleanupPolicy));
        Assert.Equal(new SourceLoad(32_000.5, 1_073_741_824), context.SourceLoad);
        Assert.Equal(KafkaPlanLimits.ForPlan("basic-0").ProduceQuotaBytesPerSecond, context.TargetLimits.ProduceQuotaBytesPerSecond);
    }

    [Fact]
    public async Task A_source_without_throughput_or_data_size_has_an_unknown_load()
    {
        var context = await Reader().ReadAsync(Credential, ["global"], Request());

        Assert.Equal(SourceLoad.Unknown, context.SourceLoad);
    }

    private sealed class Factory(DbContextOptions<SqlitePortalDbContext> options) : IDbContextFactory<PortalDbContext>
    {
        public PortalDbContext CreateDbContext() => new SqlitePortalDbContext(options);
    }

    private sealed class FakeClients(IHerokuPlatformApi platform, IHerokuKafkaApi kafka) : IHerokuClientFactory
    {
        public IHerokuPlatformApi Platform(IHerokuCredential credential) => platform;

        public IHerokuKafkaApi Kafka(IHerokuCredential credential) => kafka;
    }

    private sealed class FakePlatform : IHerokuPlatformApi
    {
        public List<string> Mutations { get; } = [];

        public Task<HerokuAccount> GetAccountAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<List<HerokuTeam>> ListTeamsAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<HerokuRateLimit> GetRateLimitAsync(CancellationToken cancellationToken = default) => Task.FromResult(new HerokuRateLimit(4500));

        public Task<HerokuApp> GetAppAsync(string app, CancellationToken cancellationToken = default) =>
            app == Requests.App
                ? Task.FromResult(new HerokuApp(App.Id, App.Name, false, null, null, Now, Now, null))
                : Task.FromException<HerokuApp>(new HerokuApiException(HttpStatusCode.NotFound, "not_found", "Couldn't find that app.", "req-0"));

        public Task<HerokuApp> UpdateAppAsync(string app, HerokuAppUpdate update, CancellationToken cancellationToken = default) => Mutate<HerokuApp>("update app");

        public Task<List<HerokuAddOn>> ListAddOnsAsync(string app, CancellationToken cancellationToken = default) => Task.FromResult(new List<HerokuAddOn>
        {
            new(Requests.SourceId.ToString(), "kafka-symmetrical-26061", "provisioned", new("p1", "heroku-kafka:basic-0"), new("s1", "heroku-kafka"), App,
                ["KAFKA_URL", "KAFKA_PREFIX"], null, Now, Now, null),
            new(PostgresId, "postgresql-shallow-123", "provisioned", new("p2", "heroku-postgresql:essential-0"), new("s2", "heroku-postgresql"), App,
                ["DATABASE_URL"], null, Now, Now, null),
        });

        public Task<HerokuAddOn> GetAddOnAsync(string addOn, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<HerokuAddOn> CreateAddOnAsync(string app, HerokuAddOnCreate request, CancellationToken cancellationToken = default) => Mutate<HerokuAddOn>("create add-on");

        public Task<HerokuAddOn> DestroyAddOnAsync(string app, string addOn, CancellationToken cancellationToken = default) => Mutate<HerokuAddOn>("destroy add-on");

        public Task<HerokuAddOn> ForceDestroyAddOnAsync(string app, string addOn, HerokuAddOnDestroy request, CancellationToken cancellationToken = default) =>
            Mutate<HerokuAddOn>("destroy add-on");

        public Task<List<HerokuAttachment>> ListAttachmentsAsync(string app, CancellationToken cancellationToken = default) => Task.FromResult(new List<HerokuAttachment>
        {
            new("a1", "KAFKA", new(Requests.SourceId.ToString(), "kafka-symmetrical-26061", App, new("p1", "heroku-kafka:basic-0")), App, null, Now, Now),
            new("a2", "DATABASE", new(PostgresId, "postgresql-shallow-123", App, new("p2", "heroku-postgresql:essential-0")), App, null, Now, Now),
        });

        /// <summary>Apps other than the migrated one that the source add-on is also attached to.</summary>
        public List<string> SourceAlsoAttachedTo { get; } = [];

        public Task<List<HerokuAttachment>> ListAttachmentsOfAddOnAsync(string addOn, CancellationToken cancellationToken = default) =>
            addOn == Requests.SourceId.ToString()
                ? Task.FromResult<List<HerokuAttachment>>(
                [
                    new("a1", "KAFKA", new(Requests.SourceId.ToString(), "kafka-symmetrical-26061", App), App, null, Now, Now),
                    .. SourceAlsoAttachedTo.Select(other => new HerokuAttachment($"a-{other}", "MACKEREL_KAFKA", new(Requests.SourceId.ToString(), "kafka-symmetrical-26061", App), new($"id-{other}", other), null, Now, Now)),
                ])
                : throw new NotSupportedException();

        public Task<HerokuAttachment> AttachAsync(HerokuAttachmentCreate request, CancellationToken cancellationToken = default) => Mutate<HerokuAttachment>("attach");

        public Task<HerokuAttachment> DetachAsync(string attachmentId, CancellationToken cancellationToken = default) => Mutate<HerokuAttachment>("detach");

        public Task<Dictionary<string, string>> GetConfigVarsAsync(string app, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<Dictionary<string, string>> UpdateConfigVarsAsync(string app, IReadOnlyDictionary<string, string?> changes, CancellationToken cancellationToken = default) =>
            Mutate<Dictionary<string, string>>("config vars");

        public Task<List<HerokuFormation>> ListFormationAsync(string app, CancellationToken cancellationToken = default) => Task.FromResult(new List<HerokuFormation>
        {
            Formation("web", 2), Formation("producer", 2), Formation("consumer", 3),
        });

        public Task<List<HerokuFormation>> UpdateFormationAsync(string app, HerokuFormationBatchUpdate update, CancellationToken cancellationToken = default) =>
            Mutate<List<HerokuFormation>>("formation");

        public Task<List<HerokuRelease>> ListRecentReleasesAsync(string app, string range = HerokuRanges.NewestReleasesFirst, bool followPages = false, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        private static HerokuFormation Formation(string type, int quantity) => new($"f-{type}", type, quantity, "standard-1x", $"bin/{type}", App, Now);

        private Task<T> Mutate<T>(string what)
        {
            Mutations.Add(what);
            return Task.FromException<T>(new InvalidOperationException($"Planning must not {what}."));
        }
    }

    private sealed class FakeKafka : IHerokuKafkaApi
    {
        public HerokuApiException? TopicsError { get; set; }

        public HerokuApiException? DataApiError { get; set; }

        public int Reads { get; private set; }

        public KafkaCluster Cluster { get; set; } = new(new("available"), null, Requests.Prefix, true, null, null);

        public (double? Orders, double? Customers) BytesInPerSecond { get; set; }

        public Task<KafkaCluster> GetClusterAsync(string clusterId, CancellationToken cancellationToken = default)
        {
            Reads++;
            return DataApiError is { } error ? Task.FromException<KafkaCluster>(error) : Task.FromResult(Cluster);
        }

        public Task<KafkaWaitStatus> GetWaitStatusAsync(string clusterId, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<KafkaTopicList> ListTopicsAsync(string clusterId, CancellationToken cancellationToken = default)
        {
            Reads++;
            return (TopicsError ?? DataApiError) is { } error
                ? Task.FromException<KafkaTopicList>(error)
                : Task.FromResult(new KafkaTopicList(Requests.Prefix, null,
                [
                    // Heroku lists Kafka's own offsets topic, with name and throughput only.
                    new("__consumer_offsets", null, 0, 0, null, false, 3.5, 512, 1024),
                    new(Requests.Prefix + "orders", Requests.Prefix, 8, 3, 86_400_000, false, null, BytesInPerSecond.Orders, null),
                    new("customers", Requests.Prefix, 2, 3, 86_400_000, true, null, BytesInPerSecond.Customers, null),
                ]));
        }

        public Task CreateTopicAsync(string clusterId, KafkaTopicCreate topic, CancellationToken cancellationToken = default) => throw new InvalidOperationException("Planning must not create topics.");

        public Task UpdateTopicAsync(string clusterId, KafkaTopicUpdate topic, CancellationToken cancellationToken = default) => throw new InvalidOperationException("Planning must not change topics.");

        public Task DeleteTopicAsync(string clusterId, string topicName, CancellationToken cancellationToken = default) => throw new InvalidOperationException("Planning must not delete topics.");

        public Task<KafkaConsumerGroupList> ListConsumerGroupsAsync(string clusterId, CancellationToken cancellationToken = default)
        {
            Reads++;
            return DataApiError is { } error
                ? Task.FromException<KafkaConsumerGroupList>(error)
                : Task.FromResult(new KafkaConsumerGroupList([new("billing")]));
        }

        public Task<ConsumerGroupCreation> CreateConsumerGroupAsync(string clusterId, string groupName, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException("Planning must not create groups.");

        public Task DeleteConsumerGroupAsync(string clusterId, string groupName, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException("Planning must not delete groups.");
    }
}
