using Confluent.Kafka;
using KafkaMigrationPortal.Engine.Execution;
using KafkaMigrationPortal.Engine.KafkaChecks;
using KafkaMigrationPortal.Engine.Mirroring;
using KafkaMigrationPortal.Engine.Planning;
using KafkaMigrationPortal.Heroku.Platform;
using KafkaMigrationPortal.Sandbox.Kafka;
using KafkaMigrationPortal.TestSupport;
using KafkaMigrationPortal.TestSupport.Postgres;
using KafkaMigrationPortal.Tests.Execution.Proofs;
using KafkaMigrationPortal.Tests.Hosting;
using KafkaMigrationPortal.Tests.Mirroring;
using Microsoft.Extensions.DependencyInjection;

namespace KafkaMigrationPortal.Tests.Execution;

/// <summary>
/// Whole mirror migrations of the sandbox's demo app, basic (multi-tenant) to dedicated and dedicated to basic, executed
/// by the portal's Hangfire server and mirror worker on PostgreSQL while the demo producers and consumers run; then the
/// ledger and both clusters are audited.
/// </summary>
[Collection(PortalHostCollection.Name)]
public sealed class MirrorWholeRunTests : IAsyncLifetime
{
    private TestDatabase database = null!;
    private EngineHost? host;

    public async Task InitializeAsync() => database = await TestPostgres.CreateDatabaseAsync();

    public async Task DisposeAsync()
    {
        if (host is not null) await host.DisposeAsync();
        await database.DisposeAsync();
    }

    /// <param name="demoAddonPlan">The plan the demo app's add-on is seeded on; null: the sandbox's default, basic-0-sandbox.</param>
    private EngineHost StartHost(string? demoAddonPlan = null)
    {
        // Retention longer than the run: every record the old cluster ever held is still there to compare with its copy.
        var settings = new Dictionary<string, string?> { ["Sandbox:DemoTopicRetention"] = "01:00:00" };
        if (demoAddonPlan is not null) settings["Sandbox:DemoAddonPlan"] = demoAddonPlan;
        host = EngineHost.OnPostgres(database.DatabaseUrl, extra: settings);
        _ = host.Services;
        return host;
    }

    [Fact]
    public Task A_mirror_run_from_basic_to_dedicated_with_traffic_flowing_loses_nothing_repeats_nothing_and_keeps_every_partitions_order() =>
        WholeRunWithTrafficAsync("heroku-kafka:basic-0-sandbox", "heroku-kafka:standard-0");

    /// <summary>The other way round: the new add-on prefixes every topic and group, and holds the copy to its produce
    /// quota (basic-0: 64 KB/s, twenty times the demo's traffic).</summary>
    [Fact]
    public Task A_mirror_run_from_dedicated_to_basic_with_traffic_flowing_loses_nothing_repeats_nothing_and_keeps_every_partitions_order() =>
        WholeRunWithTrafficAsync("heroku-kafka:standard-0", "heroku-kafka:basic-0");

    /// <param name="sourcePlan">The plan the demo app's add-on is seeded on.</param>
    private async Task WholeRunWithTrafficAsync(string sourcePlan, string targetPlan)
    {
        var host = StartHost(sourcePlan);
        var source = (await host.SourceAsync()).Id;
        await Deadline.PollAsync(() => Task.FromResult(host.Ledger.Report("mackerel")),
            r => r.Topics.Count > 0 && r.Topics.All(t => t.Consumed > 0), TimeSpan.FromMinutes(2), "the demo consumer reads every topic");

        var plan = await host.PlanAsync("mackerel", MigrationStrategy.Mirror, targetPlan);
        Assert.Equal(sourcePlan, plan.Source.Plan);
        Assert.Equal(KafkaPlans.IsMultiTenant(sourcePlan), plan.Source.IsMultiTenant);
        Dictionary<string, List<ClusterRecord>>? oldCluster = null;
        long? producedAtCutover = null;
        var run = await RunScenarios.RunToCompletionApprovingAsync(host.Runs, await host.Runs.StartAsync(plan, EngineHost.Starter), TimeSpan.FromMinutes(5),
            beforeApproving: async details =>
            {
                var action = PlanSerialization.DeserializeAction(details.CurrentStep!.ActionJson);
                if (action is ScaleProcesses) producedAtCutover = Produced();
                // Read before the destroy takes it away: everything the old cluster holds, once nothing writes to it.
                if (action is DestroyAddon) oldCluster = await ClusterRecords.ReadAllAsync(host.Platform, "mackerel", source);
            });
        var target = run.Run.TargetAddonId!.Value;
        await RunScenarios.AssertAppRunsOnAsync(host.Platform, "mackerel", target, targetPlan, destroyed: source);
        Assert.Equal(KafkaPlans.IsMultiTenant(targetPlan), (await host.Platform.GetConfigVarsAsync("mackerel")).ContainsKey("KAFKA_PREFIX"));
        Assert.Equal(plan.Steps.Where(s => s.RequiresApproval).Select(s => s.Index), run.Approvals.Select(a => a.StepSequence));
        var cutoverChecks = PlanSerialization.DeserializeValue<List<LiveCheck>>(run.Approvals.First().ChecksJson)!;
        Assert.Contains(cutoverChecks, c => c.Name.StartsWith("The mirror has caught up", StringComparison.Ordinal) && c.Result == LiveCheckResult.Passed);
        Assert.NotNull(run.Run.MirrorStoppedAt);
        Assert.Contains(run.Events, e => e.Summary.StartsWith("Checked before acting", StringComparison.Ordinal) && e.Summary.Contains("Producers and consumers are at 0: passed", StringComparison.Ordinal));
        var carried = Assert.Single(run.Events, e => e.Summary.StartsWith("Consumer positions carried", StringComparison.Ordinal));
        Assert.Contains(" → ", carried.Summary);

        // Traffic went on after the cutover, on the new add-on; then stop producing and let the consumers finish.
        await Deadline.PollAsync(() => Task.FromResult(Produced()), n => n > producedAtCutover + 20, TimeSpan.FromSeconds(60), "producing on the new add-on");
        await host.Platform.UpdateFormationAsync("mackerel", new HerokuFormationBatchUpdate([new HerokuFormationUpdate("producer", 0)]));
        var ledger = await Deadline.PollAsync(() => Task.FromResult(host.Ledger.Report("mackerel")), r => r.NothingMissing, TimeSpan.FromSeconds(60),
            "every produced message is consumed");
        Assert.All(ledger.Topics, t => Assert.True(t.Produced > 50, $"{t.Topic}: only {t.Produced} messages flowed"));
        Assert.All(ledger.Topics, t => Assert.Equal(0, t.MissingCount));
        // Consumers resumed exactly where they stopped: no group was handed a message twice, across the cutover either.
        Assert.All(ledger.Topics.SelectMany(t => t.Groups), g => Assert.True(g.DuplicateDeliveries == 0, ledger.ToString()));

        Assert.NotNull(oldCluster);
        ClusterRecords.AssertEveryOldPartitionCopiedInOrder(oldCluster, await ClusterRecords.ReadAllAsync(host.Platform, "mackerel", target));
        Assert.True(oldCluster.Values.Sum(r => r.Count) > 50);
    }

    /// <summary>
    /// The same cutover with MirrorMaker 2 copying (its stand-in: no Kafka distribution runs here), started when the
    /// run asks and stopped when it asks, the way a team runs it beside the portal: the portal follows the copy, drains
    /// it and carries every group's position exactly.
    /// </summary>
    [Fact]
    public async Task A_mirror_run_copied_by_MirrorMaker_2_between_dedicated_plans_loses_nothing_repeats_nothing_and_keeps_every_partitions_order()
    {
        const string sourcePlan = "heroku-kafka:standard-0", targetPlan = "heroku-kafka:standard-1";
        var host = StartHost(sourcePlan);
        var source = (await host.SourceAsync()).Id;
        await Deadline.PollAsync(() => Task.FromResult(host.Ledger.Report("mackerel")),
            r => r.Topics.Count > 0 && r.Topics.All(t => t.Consumed > 0), TimeSpan.FromMinutes(2), "the demo consumer reads every topic");

        var plan = await host.PlanAsync("mackerel", MigrationStrategy.Mirror, targetPlan, mirrorEngine: MirrorEngine.MirrorMaker2);
        Assert.Equal(MirrorEngine.MirrorMaker2, plan.MirrorEngine);
        MirrorMaker2StandIn? mirrorMaker = null;
        var asked = new List<string>();
        Dictionary<string, List<ClusterRecord>>? oldCluster = null;
        long? producedAtCutover = null;
        try
        {
            var run = await RunScenarios.RunToCompletionApprovingAsync(host.Runs, await host.Runs.StartAsync(plan, EngineHost.Starter), TimeSpan.FromMinutes(5),
                onEachLook: async details =>
                {
                    if (details.CurrentStep is not { Status: RunStepStatus.Waiting } step) return;
                    var action = PlanSerialization.DeserializeAction(step.ActionJson);
                    if (action is StartMirror && mirrorMaker is null)
                    {
                        asked.Add(step.WaitReason ?? "");
                        var vars = await host.Platform.GetConfigVarsAsync("mackerel");
                        mirrorMaker = new MirrorMaker2StandIn(new KafkaAttachmentVars(AttachmentNames.Primary, vars),
                            new KafkaAttachmentVars(AttachmentNames.New, vars), MirrorWorker.Partitions(plan));
                        mirrorMaker.Start();
                    }
                    // As a person would: stop it when the run says so, not before.
                    if (action is StopMirror && mirrorMaker is { IsRunning: true } && step.WaitReason?.StartsWith("Stop MirrorMaker 2 now", StringComparison.Ordinal) == true)
                    {
                        asked.Add(step.WaitReason ?? "");
                        await mirrorMaker.StopAsync();
                    }
                },
                beforeApproving: async details =>
                {
                    var action = PlanSerialization.DeserializeAction(details.CurrentStep!.ActionJson);
                    if (action is ScaleProcesses) producedAtCutover = Produced();
                    if (action is DestroyAddon) oldCluster = await ClusterRecords.ReadAllAsync(host.Platform, "mackerel", source);
                });
            Assert.Contains(asked, a => a.Contains("start it with the run's configuration", StringComparison.Ordinal));
            Assert.Contains(asked, a => a.StartsWith("Stop MirrorMaker 2 now", StringComparison.Ordinal));
            var target = run.Run.TargetAddonId!.Value;
            await RunScenarios.AssertAppRunsOnAsync(host.Platform, "mackerel", target, targetPlan, destroyed: source);
            var cutoverChecks = PlanSerialization.DeserializeValue<List<LiveCheck>>(run.Approvals.First().ChecksJson)!;
            Assert.Contains(cutoverChecks, c => c.Name.StartsWith("The mirror has caught up", StringComparison.Ordinal) && c.Result == LiveCheckResult.Passed);
            Assert.Contains(run.Events, e => e.Summary.StartsWith("Done: “Stop MirrorMaker 2”. MirrorMaker 2 has stopped", StringComparison.Ordinal));
            Assert.Contains(" → ", Assert.Single(run.Events, e => e.Summary.StartsWith("Consumer positions carried", StringComparison.Ordinal)).Summary);
            Assert.DoesNotContain(run.Events.Select(e => e.Summary), s => s.Contains("twice", StringComparison.Ordinal));

            await Deadline.PollAsync(() => Task.FromResult(Produced()), n => n > producedAtCutover + 20, TimeSpan.FromSeconds(60), "producing on the new add-on");
            await host.Platform.UpdateFormationAsync("mackerel", new HerokuFormationBatchUpdate([new HerokuFormationUpdate("producer", 0)]));
            var ledger = await Deadline.PollAsync(() => Task.FromResult(host.Ledger.Report("mackerel")), r => r.NothingMissing, TimeSpan.FromSeconds(60),
                "every produced message is consumed");
            Assert.All(ledger.Topics, t => Assert.True(t.Produced > 50, $"{t.Topic}: only {t.Produced} messages flowed"));
            Assert.All(ledger.Topics, t => Assert.Equal(0, t.MissingCount));
            Assert.All(ledger.Topics.SelectMany(t => t.Groups), g => Assert.True(g.DuplicateDeliveries == 0, ledger.ToString()));

            Assert.NotNull(oldCluster);
            ClusterRecords.AssertEveryOldPartitionCopiedInOrderByContent(oldCluster, await ClusterRecords.ReadAllAsync(host.Platform, "mackerel", target));
            Assert.True(oldCluster.Values.Sum(r => r.Count) > 50);
        }
        finally
        {
            if (mirrorMaker is not null) await mirrorMaker.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_mirror_run_rolled_back_at_the_cutover_gate_stops_the_mirror_and_leaves_the_app_on_the_old_add_on()
    {
        var host = StartHost();
        var basic = (await host.SourceAsync()).Id;
        var plan = await host.PlanAsync("mackerel", MigrationStrategy.Mirror, "heroku-kafka:standard-0");
        var runId = await host.Runs.StartAsync(plan, EngineHost.Starter);
        var atGate = await host.WaitForAsync(runId, r => r.CurrentStep is { Status: RunStepStatus.AwaitingApproval }, "the cutover gate opens");
        Assert.IsType<ScaleProcesses>(PlanSerialization.DeserializeAction(atGate.CurrentStep!.ActionJson));
        var leases = host.Services.GetRequiredService<MirrorLeases>();
        var copying = await Deadline.PollAsync(() => leases.PartitionsAsync(runId), rows => rows.Count > 0 && rows.All(r => r.Owner is not null && r.CopiedOffset > 0),
            TimeSpan.FromSeconds(30), "the worker copies every partition");
        Assert.Equal(plan.Topics.Sum(t => t.Partitions), copying.Count);

        // The cutover's approval reads the mirror's lag live: with the copier stopped and 1,500 records written since, it is refused.
        await host.Services.GetRequiredService<MirrorWorker>().StopAsync(CancellationToken.None);
        Produce(basic, plan.Source.TopicPrefix + "orders", partition: 0, count: 1500);
        var refused = await host.Runs.ApproveAsync(runId, atGate.CurrentStep.Sequence, EngineHost.Approver, "go");
        Assert.False(refused.Succeeded, refused.Message);
        Assert.Contains(refused.Checks!, c => c.Name.StartsWith("The mirror has caught up", StringComparison.Ordinal) && c.Result == LiveCheckResult.Failed);

        Assert.True((await host.Runs.RollbackAsync(runId, EngineHost.Starter, "not today")).Succeeded);
        RunDetails run;
        while (true)
        {
            run = await host.WaitForAsync(runId, r => r.Run.Status == MigrationRunStatus.RolledBack || r.CurrentStep is { Status: RunStepStatus.AwaitingApproval },
                "the rollback ends or asks to destroy the new add-on");
            if (run.Run.Status == MigrationRunStatus.RolledBack) break;
            Assert.True((await host.Runs.ApproveAsync(runId, run.CurrentStep!.Sequence, EngineHost.Approver, "destroy it")).Succeeded);
        }

        Assert.NotNull(run.Run.MirrorStoppedAt);
        Assert.All(await leases.PartitionsAsync(runId), r => Assert.Null(r.Owner));
        Assert.False(host.Services.GetRequiredService<MirrorWorker>().Held.ContainsKey(runId));
        var kafka = Assert.Single(await host.Platform.ListAttachmentsAsync("mackerel"), a => a.Name == AttachmentNames.Primary);
        Assert.Equal(basic.ToString(), kafka.Addon.Id);
        Assert.DoesNotContain(await host.Platform.ListAttachmentsAsync("mackerel"), a => a.Name == AttachmentNames.New);
    }

    /// <param name="topic">As the cluster names it (with the add-on's prefix).</param>
    private void Produce(Guid addonId, string topic, int partition, int count)
    {
        var cluster = (SandboxKafkaCluster)host!.SandboxServices.GetRequiredService<ISandboxKafkaClusters>().Find(addonId)!;
        var config = new ProducerConfig();
        cluster.ApplyClientSettings(config);
        using var producer = new ProducerBuilder<Null, string>(config).SetLogHandler((_, _) => { }).Build();
        for (var i = 0; i < count; i++) producer.Produce(new TopicPartition(topic, partition), new Message<Null, string> { Value = $"burst-{i}" });
        producer.Flush(TimeSpan.FromSeconds(30));
    }

    private long Produced() => host!.Ledger.Report("mackerel").Topics.Sum(t => (long)t.Produced);
}
