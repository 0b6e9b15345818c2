using Confluent.Kafka;
using KafkaMigrationPortal.Features.Migrations;
using KafkaMigrationPortal.Engine.Execution;
using KafkaMigrationPortal.Engine.Planning;
using KafkaMigrationPortal.Heroku.Platform;
using KafkaMigrationPortal.Heroku;
using KafkaMigrationPortal.Sandbox.Kafka;
using KafkaMigrationPortal.TestSupport;
using KafkaMigrationPortal.TestSupport.Postgres;
using KafkaMigrationPortal.Tests.Execution.Proofs;
using KafkaMigrationPortal.Tests.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace KafkaMigrationPortal.Tests.Execution;

/// <summary>
/// Whole migrations of the sandbox's demo app, executed by the portal's Hangfire server on PostgreSQL while the demo
/// producers and consumers keep running; the test grants the approvals and then audits the ledger.
/// </summary>
[Collection(PortalHostCollection.Name)]
public sealed class WholeRunTests : IAsyncLifetime
{
    private TestDatabase database = null!;
    private EngineHost host = null!;

    public async Task InitializeAsync()
    {
        database = await TestPostgres.CreateDatabaseAsync();
        host = EngineHost.OnPostgres(database.DatabaseUrl, extra: new Dictionary<string, string?> { ["Sandbox:DemoTopicRetention"] = "00:00:30" });
        _ = host.Services;
    }

    public async Task DisposeAsync()
    {
        await host.DisposeAsync();
        await database.DisposeAsync();
    }

    [Fact]
    public async Task A_maintenance_window_run_to_dedicated_then_a_double_write_run_back_to_multi_tenant_lose_no_message()
    {
        var basic = (await host.SourceAsync()).Id;
        // The app is in its steady state before a migration starts: its consumer group has joined and read from every
        // topic. Started earlier (a slow join on a loaded machine), the group has committed nothing, the engine counts it
        // as not in use, and the messages written before it joined stay unread on the destroyed add-on.
        await Deadline.PollAsync(() => Task.FromResult(host.Ledger.Report("mackerel")),
            r => r.Topics.Count > 0 && r.Topics.All(t => t.Consumed > 0), TimeSpan.FromMinutes(2), "the demo consumer reads every topic");

        // basic-0 (multi-tenant) → standard-0 (dedicated), maintenance window. Both legs use the sandbox-only twins of
        // the plans: the second leg's retention wait and its approver's wait last the topics' retention, which on real
        // plans is hours. The browser test migrates to the real plans.
        var toDedicated = await host.PlanAsync("mackerel", MigrationStrategy.MaintenanceWindow, "heroku-kafka:standard-0-sandbox");
        var first = await RunToCompletionApprovingAsync(await host.Runs.StartAsync(toDedicated, EngineHost.Starter));
        var standard = first.Run.TargetAddonId!.Value;
        await AssertAppRunsOnAsync(standard, "heroku-kafka:standard-0-sandbox", destroyed: basic);
        Assert.Single(host.MutationsOf("POST", "/apps/mackerel/addons"));
        Assert.Equal(toDedicated.Steps.Where(s => s.RequiresApproval).Select(s => s.Index), first.Approvals.Select(a => a.StepSequence));
        Assert.All(first.Approvals, a => Assert.Equal(EngineHost.Approver, a.Approver));
        // Nobody decided inside the window: the steps it covers checked live themselves before acting.
        Assert.Contains(first.Events, e => e.Summary.StartsWith("Checked before acting", StringComparison.Ordinal) && e.Summary.Contains("KAFKA points at the new add-on: passed", StringComparison.Ordinal));
        Assert.False((await host.Platform.GetAppAsync("mackerel")).Maintenance);
        // The new cluster held only messages written after the switch: its consumers start at its beginning, nothing twice.
        var afterFirst = RepeatedHandlingsPerGroup();
        Assert.All(afterFirst, g => Assert.Equal(0, g.Value));

        // standard-0 (dedicated) → basic-0 (multi-tenant), double-write, traffic never stopped.
        var toMultiTenant = await host.PlanAsync("mackerel", MigrationStrategy.DoubleWrite, "heroku-kafka:basic-0-sandbox",
            consumerGroups: toDedicated.ConsumerGroups);
        long? producedAtSwitchApproval = null, producedOnceCaughtUp = null;
        var second = await RunScenarios.RunToCompletionApprovingAsync(host.Runs, await host.Runs.StartAsync(toMultiTenant, EngineHost.Starter), TimeSpan.FromMinutes(5),
            onEachLook: run =>
            {
                if (producedOnceCaughtUp is null
                    && run.Steps.Single(s => PlanSerialization.DeserializeAction(s.ActionJson) is WaitForConsumerCatchUp { Addon: AddonRole.Target }).Status == RunStepStatus.Done)
                    producedOnceCaughtUp = Produced();
                return Task.CompletedTask;
            },
            beforeApproving: async run =>
            {
                if (PlanSerialization.DeserializeAction(run.CurrentStep!.ActionJson) is not SetConfigVars { CarriesPositionsOf.Count: > 0 }) return;
                // The approver takes their time: long enough for the new add-on to age out, by retention, every record it
                // held when the gate opened. Positions found when the gate opened would by now be a whole retention
                // window behind; carried after the approval, they are not.
                await UntilRetentionHasReplacedEverythingOnAsync(run.Run.TargetAddonId!.Value);
                producedAtSwitchApproval = Produced();
            });
        await AssertAppRunsOnAsync(second.Run.TargetAddonId!.Value, "heroku-kafka:basic-0-sandbox", destroyed: standard);
        Assert.Equal(2, host.MutationsOf("POST", "/apps/mackerel/addons").Count);
        Assert.NotNull(second.Run.DoubleWriteStartedAt);
        var vars = await host.Platform.GetConfigVarsAsync("mackerel");
        Assert.False(vars.ContainsKey(PinVars.ProducerAddonNames));
        Assert.False(vars.ContainsKey(PinVars.ConsumerAddonName));
        var retentionDone = second.Steps.Single(s => PlanSerialization.DeserializeAction(s.ActionJson) is WaitForRetention);
        Assert.True(retentionDone.FinishedAt >= second.Run.DoubleWriteStartedAt + TimeSpan.FromSeconds(30));

        // Stop producing, let the consumers drain, and audit: every message ever produced was consumed.
        await host.Platform.UpdateFormationAsync("mackerel", new HerokuFormationBatchUpdate([new HerokuFormationUpdate("producer", 0)]));
        var ledger = await Deadline.PollAsync(() => Task.FromResult(host.Ledger.Report("mackerel")), r => r.NothingMissing, TimeSpan.FromSeconds(60),
            "every produced message is consumed");
        Assert.All(ledger.Topics, t => Assert.True(t.Produced > 100, $"{t.Topic}: only {t.Produced} messages flowed"));
        Assert.All(ledger.Topics, t => Assert.Equal(0, t.MissingCount));

        // Positions carried: a group handles again at most what was written between the switch's approval and the
        // consumers catching up on the new add-on (the release rolling out), not the new add-on's whole retention,
        // although the approval came a whole retention window after the gate opened.
        var written = producedOnceCaughtUp!.Value - producedAtSwitchApproval!.Value;
        foreach (var (group, repeated) in RepeatedHandlingsPerGroup())
            Assert.True(repeated - afterFirst.GetValueOrDefault(group) <= written,
                $"{group} handled {repeated - afterFirst.GetValueOrDefault(group)} messages again; {written} were written while the switch rolled out. {ledger}");
        var positions = Assert.Single(second.Events, e => e.Summary.StartsWith("Consumer positions carried", StringComparison.Ordinal));
        Assert.Contains("exact", positions.Summary);
    }

    private long Produced() => host.Ledger.Report("mackerel").Topics.Sum(t => (long)t.Produced);

    private async Task UntilRetentionHasReplacedEverythingOnAsync(Guid addonId)
    {
        var cluster = (SandboxKafkaCluster)host.SandboxServices.GetRequiredService<ISandboxKafkaClusters>().Find(addonId)!;
        var heldAtFirst = Watermarks(cluster);
        Assert.NotEmpty(heldAtFirst);
        await Deadline.PollAsync(() => Task.FromResult(Watermarks(cluster)),
            now => heldAtFirst.All(p => now[p.Key].Low >= p.Value.High.Value), TimeSpan.FromMinutes(2),
            "the new add-on's retention removes every record it held when the consumer switch's gate opened");
    }

    /// <summary>Every partition of the app's topics on the cluster, with its earliest and next offsets.</summary>
    private static Dictionary<TopicPartition, WatermarkOffsets> Watermarks(SandboxKafkaCluster cluster)
    {
        var config = new ConsumerConfig { GroupId = "whole-run-test-watermarks" };
        cluster.ApplyClientSettings(config);
        using var admin = new AdminClientBuilder(config).Build();
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(config).Build();
        return admin.GetMetadata(TimeSpan.FromSeconds(10)).Topics
            .Where(t => !t.Topic.StartsWith("__", StringComparison.Ordinal) && t.Partitions.Count > 0)
            .SelectMany(t => t.Partitions.Select(p => new TopicPartition(t.Topic, p.PartitionId)))
            .ToDictionary(p => p, p => consumer.QueryWatermarkOffsets(p, TimeSpan.FromSeconds(10)));
    }

    private Dictionary<string, int> RepeatedHandlingsPerGroup() => host.Ledger.Report("mackerel").Topics
        .SelectMany(t => t.Groups).GroupBy(g => g.ConsumerGroup).ToDictionary(g => g.Key, g => g.Sum(x => x.RepeatedHandlings));

    private Task<RunDetails> RunToCompletionApprovingAsync(Guid runId, TimeSpan? within = null) =>
        RunScenarios.RunToCompletionApprovingAsync(host.Runs, runId, within);

    private Task AssertAppRunsOnAsync(Guid addonId, string plan, Guid destroyed) =>
        RunScenarios.AssertAppRunsOnAsync(host.Platform, "mackerel", addonId, plan, destroyed);
}
