using KafkaMigrationPortal.AppClient;
using KafkaMigrationPortal.Engine.Execution;
using KafkaMigrationPortal.Engine.Planning;
using KafkaMigrationPortal.Features.Connections;
using KafkaMigrationPortal.Heroku;
using KafkaMigrationPortal.Heroku.Kafka;
using KafkaMigrationPortal.Tests.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace KafkaMigrationPortal.Tests.Execution;

/// <summary>
/// The create steps against the strict sandbox: Heroku creates topics and consumer groups asynchronously (a topic is listed
/// with 0 partitions, a group not at all, until ready) and never auto-creates topics, so a create step is done only once
/// everything is listed as requested, waits (rescheduled, with its reason in the timeline) until then, and nothing after
/// it — double-writing included — starts before.
/// </summary>
[Collection(PortalHostCollection.Name)]
public sealed class KafkaDataReadinessTests : IAsyncLifetime
{
    private static readonly TopicSpec Refunds = new("refunds", 3, 3, 60_000, false);

    private readonly List<(EngineHost Host, string File)> hosts = [];

    private EngineHost Start(IDictionary<string, string?>? settings = null)
    {
        var file = Path.Combine(Path.GetTempPath(), $"kmp-ready-{Guid.NewGuid():N}.db");
        var host = EngineHost.OnSqlite(file, extra: settings);
        _ = host.Services;
        hosts.Add((host, file));
        return host;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var (host, file) in hosts)
        {
            await host.DisposeAsync();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            File.Delete(file);
        }
    }

    private static IHerokuKafkaApi Kafka(EngineHost host) =>
        host.Services.GetRequiredService<IHerokuClientFactory>().Kafka(host.Services.GetRequiredService<HerokuConnection>().Credential);

    private static MigrationPlan Plan(AddonSnapshot source) => EngineHost.HandPlan(source,
        EngineHost.Step(new CreateTopics(AddonRole.Source, [Refunds, new TopicSpec("__consumer_offsets", 50, 3, null, true)], SendReplicationFactor: false)),
        EngineHost.Step(new CreateConsumerGroups(AddonRole.Source, ["refund-workers"])),
        EngineHost.Step(new SetConfigVars(new Dictionary<string, string?> { [KafkaAddonSelection.ProducerAddonNamesVar] = "KAFKA" }, RecordsDoubleWriteStart: true)));

    [Fact]
    public async Task A_topic_still_being_created_keeps_the_step_waiting_on_every_look_and_nothing_after_it_starts()
    {
        var host = Start(new Dictionary<string, string?> { ["Sandbox:TopicReadyDelay"] = "01:00:00" });
        var source = await host.SourceAsync();
        var runId = await host.Runs.StartAsync(Plan(source), EngineHost.Starter);

        var waiting = await host.DriveAsync(runId, r => r.Steps[0].Attempts >= 3, "the create step looks at the pending topic three times");

        Assert.Equal(RunStepStatus.Waiting, waiting.Steps[0].Status);
        Assert.Equal(MigrationRunStatus.Waiting, waiting.Run.Status);
        Assert.Contains("Waiting for topics to be ready", waiting.Steps[0].WaitReason, StringComparison.Ordinal);
        Assert.Contains("refunds", waiting.Steps[0].WaitReason, StringComparison.Ordinal);
        Assert.Contains(waiting.Events, e => e.Kind == RunEventKinds.StepWaiting && e.Summary.Contains("Waiting for topics to be ready", StringComparison.Ordinal));
        Assert.DoesNotContain(waiting.Events, e => e.Kind == RunEventKinds.StepDone);
        Assert.All(waiting.Steps.Skip(1), s => Assert.Equal(RunStepStatus.Pending, s.Status));
        Assert.Null(waiting.Run.DoubleWriteStartedAt);
        // Created once, however often the step looked; Kafka's internal topic never.
        Assert.Single(host.MutationsOf("POST", $"/data/kafka/v0/clusters/{source.Id}/topics"));
        Assert.Empty(host.MutationsOf("PATCH", "/apps/mackerel/config-vars"));
        var listed = (await Kafka(host).ListTopicsAsync(source.Id.ToString())).Topics.Single(t => t.Name == Refunds.Name);
        Assert.Equal(0, listed.Partitions);
    }

    [Fact]
    public async Task The_create_steps_finish_once_heroku_lists_the_topics_and_groups_and_the_topic_then_takes_writes()
    {
        var host = Start();
        var source = await host.SourceAsync();
        var runId = await host.Runs.StartAsync(Plan(source), EngineHost.Starter);

        var done = await host.DriveAsync(runId, r => r.Run.Status is MigrationRunStatus.Succeeded or MigrationRunStatus.Paused, "the run finishes");

        Assert.Equal(MigrationRunStatus.Succeeded, done.Run.Status);
        foreach (var (step, waitedFor) in new[] { (0, "Waiting for topics to be ready"), (1, "Waiting for consumer groups to be ready") })
        {
            var events = done.Events.Where(e => e.StepSequence == done.Steps[step].Sequence).ToList();
            var waited = events.FindIndex(e => e.Kind == RunEventKinds.StepWaiting && e.Summary.Contains(waitedFor, StringComparison.Ordinal));
            Assert.True(waited >= 0, $"step {step} never waited: {string.Join(" | ", events.Select(e => e.Summary))}");
            Assert.True(events.FindIndex(e => e.Kind == RunEventKinds.StepDone) > waited);
        }

        var kafka = Kafka(host);
        Assert.Equal(Refunds.Partitions, (await kafka.ListTopicsAsync(source.Id.ToString())).Topics.Single(t => t.Name == Refunds.Name).Partitions);
        Assert.Contains("refund-workers", (await kafka.ListConsumerGroupsAsync(source.Id.ToString())).ConsumerGroups.Select(g => g.Name));
        Assert.Single(host.MutationsOf("POST", $"/data/kafka/v0/clusters/{source.Id}/topics"));
        Assert.Single(host.MutationsOf("POST", $"/data/kafka/v0/clusters/{source.Id}/consumer_groups"));

        // Done means usable: the brokers take writes to the topic at once.
        var vars = await host.Platform.GetConfigVarsAsync("mackerel");
        using var producer = MultiAddonProducer.FromConfigVars(vars, config => config.MessageTimeoutMs = 10_000);
        var report = (await producer.ProduceAsync(Refunds.Name, "refund-1", [1])).Single();
        Assert.True(report.Delivered, report.Error);
    }

    [Fact]
    public async Task A_topic_listed_with_another_partition_count_fails_the_step_instead_of_waiting_forever()
    {
        var host = Start();
        var source = await host.SourceAsync();
        // The demo's orders topic has 4 partitions; partition counts never change on Heroku.
        var plan = EngineHost.HandPlan(source, EngineHost.Step(new CreateTopics(AddonRole.Source, [new TopicSpec("orders", 8, 3, 60_000, false)])));
        var runId = await host.Runs.StartAsync(plan, EngineHost.Starter);

        var paused = await host.DriveAsync(runId, r => r.Run.Status is MigrationRunStatus.Paused or MigrationRunStatus.Succeeded, "the step gives up");

        Assert.Equal(MigrationRunStatus.Paused, paused.Run.Status);
        Assert.Equal(RunStepStatus.Failed, paused.Steps[0].Status);
        Assert.Contains("Topic 'orders' already exists on the old add-on with 4 partitions; the old add-on's has 8", paused.Steps[0].Error, StringComparison.Ordinal);
        Assert.Empty(host.MutationsOf("POST", $"/data/kafka/v0/clusters/{source.Id}/topics"));
    }
}
