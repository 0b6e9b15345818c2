using Confluent.Kafka;
using KafkaMigrationPortal.AppClient;
using KafkaMigrationPortal.Engine.Execution;
using KafkaMigrationPortal.Engine.Mirroring;
using KafkaMigrationPortal.Engine.Planning;
using KafkaMigrationPortal.Features.Connections;
using KafkaMigrationPortal.Features.Jobs;
using KafkaMigrationPortal.Heroku;
using KafkaMigrationPortal.Heroku.Kafka;
using KafkaMigrationPortal.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace KafkaMigrationPortal.Tests.Execution.Proofs;

/// <summary>
/// A mirror run survives the portal process that copies being killed (SIGKILL) in the middle of the copy: another
/// process takes the partitions over once their leases run out (the shipped 30 s), continues each right after the last
/// record the dead one got onto the new cluster, and the run finishes with every partition copied exactly once, in order.
/// </summary>
[Collection(PortalProcessCollection.Name)]
public sealed class MirrorCrashProofTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Backlog = "backlog";
    private const int BacklogPartitions = 2;

    /// <summary>Long partitions: a copier writes its progress every 500 records while it has a backlog, so one of those
    /// writes always finds a partition with more than <see cref="LeftAtKill"/> records left.</summary>
    private const int BacklogRecordsPerPartition = 800;

    /// <summary>More than the copier copies (at 64 KB/s, about 64 records a second) between a progress write and the kill.</summary>
    private const int LeftAtKill = 300;

    /// <summary>The new add-on's plan: basic-0 holds the copy to 64 KB/s, so the backlog's 1.6 MB take about 25 s to copy.</summary>
    private const string TargetPlan = "heroku-kafka:basic-0";

    private ProcessCluster cluster = null!;

    // A dedicated source (no produce quota: the backlog is written at once), whose retention outlasts the run: the old
    // cluster still holds every record it ever had when it is compared with the new one.
    public async Task InitializeAsync() => cluster = await ProcessCluster.StartAsync(sandboxSettings: new Dictionary<string, string>
    {
        ["Sandbox:DemoAddonPlan"] = "heroku-kafka:standard-0",
        ["Sandbox:DemoTopicRetention"] = "01:00:00",
    });

    public async Task DisposeAsync() => await cluster.DisposeAsync();

    [Fact]
    public async Task A_mirror_run_whose_copying_portal_is_killed_mid_copy_is_taken_over_after_the_shipped_lease_and_copies_every_record_once_in_order()
    {
        // The takeover happens with production settings: the processes' mirror lease is the shipped one.
        Assert.Equal(new MirrorOptions().LeaseDuration, cluster.Services.GetRequiredService<IOptions<MirrorOptions>>().Value.LeaseDuration);
        List<PortalProcess> workers = [await cluster.StartPortalAsync(PortalRole.Worker), await cluster.StartPortalAsync(PortalRole.Worker)];
        var source = Guid.Parse((await cluster.Platform.ListAttachmentsAsync(ProcessCluster.App)).Single(a => a.Name == AttachmentNames.Primary).Addon.Id);
        await WriteBacklogAsync(source);
        await Deadline.PollAsync(cluster.LedgerAsync, r => r.Topics.Count > 0 && r.Topics.All(t => t.Consumed > 0), TimeSpan.FromMinutes(2),
            "the demo consumer reads every topic");

        var plan = await RunScenarios.PlanAsync(cluster.Services, ProcessCluster.App, MigrationStrategy.Mirror, TargetPlan);
        Assert.Contains(plan.Topics, t => t.Name == Backlog);
        Assert.False(plan.Source.IsMultiTenant, plan.Source.Plan);
        var runId = await cluster.Runs.StartAsync(plan, RunScenarios.Starter);
        var leases = cluster.Services.GetRequiredService<MirrorLeases>();

        // Genuinely in the middle: a backlog partition is partly copied, as its holder last wrote, with more left than
        // it copies before the kill lands.
        static bool MidCopy(MirrorPartitionLease r) => r is { Topic: Backlog, Owner: not null, CopiedOffset: > 0 } && r.CopiedOffset + LeftAtKill < r.SourceEnd;
        var rows = await Deadline.PollAsync(() => leases.PartitionsAsync(runId), all => all.Any(MidCopy), TimeSpan.FromMinutes(2), "a backlog partition is partly copied");
        var owner = rows.First(MidCopy).Owner!;
        var copier = workers.Single(w => owner.StartsWith($"mirror:{w.Dyno}:", StringComparison.Ordinal));
        copier.Kill();
        await copier.WaitForExitAsync();
        var killedAt = await leases.PartitionsAsync(runId);
        var orphaned = killedAt.Where(r => r.Owner == owner).ToDictionary(r => r.Key, r => r.ExpiresAt!.Value);
        // What the dead process had got onto the new cluster: a backlog partition is there in part only.
        var target = (await cluster.Runs.GetAsync(runId))!.Run.TargetAddonId!.Value;
        var sourceEnds = await ClusterRecords.EndOffsetsAsync(cluster.Platform, ProcessCluster.App, source);
        var copiedAtKill = await ClusterRecords.EndOffsetsAsync(cluster.Platform, ProcessCluster.App, target);
        var partlyCopied = copiedAtKill.Where(p => p.Key.StartsWith(Backlog + "[", StringComparison.Ordinal) && p.Value > 0 && p.Value < sourceEnds[p.Key])
            .Select(p => $"{p.Key}: {p.Value} of {sourceEnds[p.Key]}").ToList();
        output.WriteLine($"{DateTimeOffset.UtcNow:HH:mm:ss.fff} killed {copier.Dyno} holding {orphaned.Count} partition(s) until " +
                         $"{orphaned.Values.Max():HH:mm:ss.fff}; on the new cluster then: {string.Join(", ", partlyCopied)}");
        Assert.NotEmpty(partlyCopied);
        await cluster.StartPortalAsync(PortalRole.Worker);

        var takenOver = new Dictionary<MirrorPartition, DateTimeOffset>();
        Dictionary<string, List<ClusterRecord>>? oldCluster = null;
        var run = await RunScenarios.RunToCompletionApprovingAsync(cluster.Runs, runId, TimeSpan.FromMinutes(5),
            onEachLook: async _ =>
            {
                foreach (var row in await leases.PartitionsAsync(runId))
                    if (orphaned.ContainsKey(row.Key) && row.Owner is not null && row.Owner != owner && takenOver.TryAdd(row.Key, DateTimeOffset.UtcNow)
                        && takenOver.Count == 1)
                        output.WriteLine($"{DateTimeOffset.UtcNow:HH:mm:ss.fff} {row.Key} taken over by {row.Owner}");
            },
            beforeApproving: async details =>
            {
                // Read before the destroy takes it away: everything the old cluster holds, once nothing writes to it.
                if (PlanSerialization.DeserializeAction(details.CurrentStep!.ActionJson) is DestroyAddon)
                    oldCluster = await ClusterRecords.ReadAllAsync(cluster.Platform, ProcessCluster.App, source);
            });
        output.WriteLine(RunScenarios.Tail(run, 200));

        Assert.True(takenOver.Count > 0, "another process took over the dead one's partitions");
        // None of them before the dead process's lease on it had run out (each was seen taken over after that).
        Assert.All(takenOver, t => Assert.True(t.Value >= orphaned[t.Key], $"{t.Key} was held by another at {t.Value:O}, before {orphaned[t.Key]:O}"));
        RunScenarios.AssertEachStepStartedAndFinishedOnce(run);
        await RunScenarios.AssertAppRunsOnAsync(cluster.Platform, ProcessCluster.App, target, TargetPlan, destroyed: source);
        Assert.NotNull(oldCluster);
        Assert.Equal(Enumerable.Repeat(BacklogRecordsPerPartition, BacklogPartitions),
            Enumerable.Range(0, BacklogPartitions).Select(p => oldCluster[$"{Backlog}[{p}]"].Count));
        ClusterRecords.AssertEveryOldPartitionCopiedInOrder(oldCluster, await ClusterRecords.ReadAllAsync(cluster.Platform, ProcessCluster.App, target));

        // The app's own traffic across it all: nothing missing, and no group was handed a message twice.
        await SideEffects.AssertNoMessageLostAsync(cluster);
        var ledger = await cluster.LedgerAsync();
        Assert.All(ledger.Topics.SelectMany(t => t.Groups), g => Assert.True(g.DuplicateDeliveries == 0, ledger.ToString()));
    }

    /// <summary>A topic of the app's that no consumer reads, filled before the run with 1 KB records: the copy's bulk.</summary>
    private async Task WriteBacklogAsync(Guid source)
    {
        var kafkaApi = cluster.Services.GetRequiredService<IHerokuClientFactory>().Kafka(cluster.Services.GetRequiredService<HerokuConnection>().Credential);
        await kafkaApi.CreateTopicAsync(source.ToString(), new KafkaTopicCreate(Backlog, BacklogPartitions, null, null, false));
        await Deadline.PollAsync(async () => (await kafkaApi.ListTopicsAsync(source.ToString())).Topics.Any(t => t is { Name: Backlog, Partitions: BacklogPartitions }),
            TimeSpan.FromSeconds(30), "the backlog topic is ready");

        var kafka = HerokuKafkaAttachment.FromConfigVars(AttachmentNames.Primary, await cluster.Platform.GetConfigVarsAsync(ProcessCluster.App));
        using var producer = new ProducerBuilder<string, byte[]>(kafka.ProducerConfig()).Build();
        var failed = 0;
        var value = new byte[1000];
        for (var n = 0; n < BacklogPartitions * BacklogRecordsPerPartition; n++)
        {
            Random.Shared.NextBytes(value);
            producer.Produce(new TopicPartition(kafka.Topic(Backlog), n % BacklogPartitions), new Message<string, byte[]> { Key = $"backlog-{n}", Value = [.. value] },
                report =>
                {
                    if (report.Error.IsError) Interlocked.Increment(ref failed);
                });
        }
        Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(60)));
        Assert.Equal(0, failed);
    }
}
