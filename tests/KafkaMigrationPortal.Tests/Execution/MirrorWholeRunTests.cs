using System.Text;
using Confluent.Kafka;
using KafkaMigrationPortal.Engine.Execution;
using KafkaMigrationPortal.Engine.Mirroring;
using KafkaMigrationPortal.Engine.Planning;
using KafkaMigrationPortal.Heroku.Platform;
using KafkaMigrationPortal.Sandbox.Kafka;
using KafkaMigrationPortal.TestSupport;
using KafkaMigrationPortal.TestSupport.Postgres;
using KafkaMigrationPortal.Tests.Execution.Proofs;
using KafkaMigrationPortal.Tests.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace KafkaMigrationPortal.Tests.Execution;

/// <summary>
/// A whole mirror migration of the sandbox's demo app, basic (multi-tenant) to dedicated, executed by the portal's
/// Hangfire server and mirror worker on PostgreSQL while the demo producers and consumers run; then the ledger and both
/// clusters are audited.
/// </summary>
[Collection(PortalHostCollection.Name)]
public sealed class MirrorWholeRunTests : IAsyncLifetime
{
    private TestDatabase database = null!;
    private EngineHost host = null!;

    public async Task InitializeAsync()
    {
        database = await TestPostgres.CreateDatabaseAsync();
        // Retention longer than the run: every record the old cluster ever held is still there to compare with its copy.
        host = EngineHost.OnPostgres(database.DatabaseUrl, extra: new Dictionary<string, string?> { ["Sandbox:DemoTopicRetention"] = "01:00:00" });
        _ = host.Services;
    }

    public async Task DisposeAsync()
    {
        await host.DisposeAsync();
        await database.DisposeAsync();
    }

    [Fact]
    public async Task A_mirror_run_from_basic_to_dedicated_with_traffic_flowing_loses_nothing_repeats_nothing_and_keeps_every_partitions_order()
    {
        var basic = (await host.SourceAsync()).Id;
        await Deadline.PollAsync(() => Task.FromResult(host.Ledger.Report("mackerel")),
            r => r.Topics.Count > 0 && r.Topics.All(t => t.Consumed > 0), TimeSpan.FromMinutes(2), "the demo consumer reads every topic");

        var plan = await host.PlanAsync("mackerel", MigrationStrategy.Mirror, "heroku-kafka:standard-0");
        Dictionary<string, List<Copy>>? oldCluster = null;
        long? producedAtCutover = null;
        var run = await RunScenarios.RunToCompletionApprovingAsync(host.Runs, await host.Runs.StartAsync(plan, EngineHost.Starter), TimeSpan.FromMinutes(5),
            beforeApproving: details =>
            {
                var action = PlanSerialization.DeserializeAction(details.CurrentStep!.ActionJson);
                if (action is ScaleProcesses) producedAtCutover = Produced();
                // Read before the destroy takes it away: everything the old cluster holds, once nothing writes to it.
                if (action is DestroyAddon) oldCluster = ReadAll(basic);
                return Task.CompletedTask;
            });
        var standard = run.Run.TargetAddonId!.Value;
        await RunScenarios.AssertAppRunsOnAsync(host.Platform, "mackerel", standard, "heroku-kafka:standard-0", destroyed: basic);
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

        // Every record of every old partition is on the same partition of the new one, in the same order, with its
        // key, value, headers and timestamp; after the copies come only the app's own new records.
        Assert.NotNull(oldCluster);
        var newCluster = ReadAll(standard);
        Assert.NotEmpty(oldCluster);
        foreach (var (partition, old) in oldCluster)
        {
            var there = newCluster[partition];
            var copies = there.TakeWhile(r => r.SourceOffset is not null).ToList();
            Assert.Equal(old.Select(r => r.Offset), copies.Select(r => r.SourceOffset!.Value));
            Assert.Equal(old.Select(r => r.Content), copies.Select(r => r.Content));
            Assert.All(there.Skip(copies.Count), r => Assert.Null(r.SourceOffset));
        }
        Assert.True(oldCluster.Values.Sum(r => r.Count) > 50);
    }

    [Fact]
    public async Task A_mirror_run_rolled_back_at_the_cutover_gate_stops_the_mirror_and_leaves_the_app_on_the_old_add_on()
    {
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
        var cluster = (SandboxKafkaCluster)host.SandboxServices.GetRequiredService<ISandboxKafkaClusters>().Find(addonId)!;
        var config = new ProducerConfig();
        cluster.ApplyClientSettings(config);
        using var producer = new ProducerBuilder<Null, string>(config).SetLogHandler((_, _) => { }).Build();
        for (var i = 0; i < count; i++) producer.Produce(new TopicPartition(topic, partition), new Message<Null, string> { Value = $"burst-{i}" });
        producer.Flush(TimeSpan.FromSeconds(30));
    }

    private long Produced() => host.Ledger.Report("mackerel").Topics.Sum(t => (long)t.Produced);

    /// <summary>A record as read: its offset, what it carries (key, value, headers but the mirror's, timestamp), the source offset if it is a copy.</summary>
    private sealed record Copy(long Offset, string Content, long? SourceOffset);

    /// <summary>Every record of every partition of the app's topics on the add-on's cluster, keyed "topic[partition]" without any prefix.</summary>
    private Dictionary<string, List<Copy>> ReadAll(Guid addonId)
    {
        var cluster = (SandboxKafkaCluster)host.SandboxServices.GetRequiredService<ISandboxKafkaClusters>().Find(addonId)!;
        var config = new ConsumerConfig { GroupId = "mirror-whole-run-reader", EnableAutoCommit = false, EnablePartitionEof = true };
        cluster.ApplyClientSettings(config);
        using var admin = new AdminClientBuilder(config).Build();
        using var consumer = new ConsumerBuilder<byte[], byte[]>(config).Build();
        var partitions = admin.GetMetadata(TimeSpan.FromSeconds(10)).Topics
            .Where(t => !t.Topic.StartsWith("__", StringComparison.Ordinal) && t.Partitions.Count > 0)
            .SelectMany(t => t.Partitions.Select(p => new TopicPartition(t.Topic, p.PartitionId))).ToList();
        var all = new Dictionary<string, List<Copy>>(StringComparer.Ordinal);
        foreach (var partition in partitions)
        {
            var records = new List<Copy>();
            var marks = consumer.QueryWatermarkOffsets(partition, TimeSpan.FromSeconds(10));
            if (marks.High.Value > marks.Low.Value)
            {
                consumer.Assign(new TopicPartitionOffset(partition, marks.Low));
                var until = DateTime.UtcNow.AddSeconds(30);
                while (records.Count == 0 || records[^1].Offset + 1 < marks.High.Value)
                {
                    Assert.True(DateTime.UtcNow < until, $"reading {partition} took too long");
                    var result = consumer.Consume(TimeSpan.FromMilliseconds(200));
                    if (result?.Message is not { } m) continue;
                    var headers = (m.Headers ?? []).ToList();
                    long? source = MirrorCopier.TryReadSourceOffset(m.Headers, out var s) ? s : null;
                    var own = headers.Where(h => h.Key != MirrorCopier.SourceOffsetHeader)
                        .Select(h => $"{h.Key}={Encoding.UTF8.GetString(h.GetValueBytes())}");
                    records.Add(new Copy(result.Offset.Value,
                        $"{Text(m.Key)}|{Text(m.Value)}|{string.Join(";", own)}|{m.Timestamp.UnixTimestampMs}", source));
                }
            }
            var name = partition.Topic.Contains('.') ? partition.Topic[(partition.Topic.IndexOf('.') + 1)..] : partition.Topic;
            all[$"{name}[{partition.Partition.Value}]"] = records;
        }
        return all;
    }

    private static string Text(byte[]? bytes) => bytes is null ? "(null)" : Convert.ToBase64String(bytes);
}
