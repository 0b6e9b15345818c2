using KafkaMigrationPortal.Features.Migrations;
using KafkaMigrationPortal.Engine.Execution;
using KafkaMigrationPortal.Features.Migrations.Pages;
using KafkaMigrationPortal.Engine.Planning;
using KafkaMigrationPortal.Tests.Execution;
using KafkaMigrationPortal.Tests.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace KafkaMigrationPortal.Tests.Migrations;

/// <summary>
/// The run page's Kafka panel reader, as the portal registers it, on a run the engine executes against the sandbox:
/// which attachment of each add-on it reads as the attachments move, and the parity verdict it gives on the old cluster.
/// </summary>
[Collection(PortalHostCollection.Name)]
public sealed class RunKafkaMonitorTests : IAsyncLifetime
{
    private readonly string databaseFile = Path.Combine(Path.GetTempPath(), $"kmp-monitor-{Guid.NewGuid():N}.db");
    private EngineHost host = null!;

    public Task InitializeAsync()
    {
        // Retention long enough that nothing the producers wrote before the swap ages out while the test reads.
        host = EngineHost.OnSqlite(databaseFile, extra: new Dictionary<string, string?> { ["Sandbox:DemoTopicRetention"] = "00:30:00" });
        _ = host.Services; // start
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await host.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        File.Delete(databaseFile);
    }

    private async Task<KafkaPanelReading> ReadAsync(RunDetails run)
    {
        using var scope = host.Services.CreateScope();
        var reading = await scope.ServiceProvider.GetRequiredService<IRunKafkaMonitor>().ReadAsync(run);
        Assert.True(reading.Succeeded, reading.Error);
        return reading.Value!;
    }

    [Fact]
    public async Task The_panel_reads_each_add_on_through_the_attachment_it_has_now_and_judges_parity_on_the_old_cluster()
    {
        // The planner's own provisioning and attachment-swap steps, without the waits and gates between them.
        var planned = await host.PlanAsync("mackerel", MigrationStrategy.MaintenanceWindow, "heroku-kafka:standard-0");
        var kept = planned.Steps.Where(s => s.Action is ProvisionAddon or WaitForProvisioning or CreateTopics or CreateConsumerGroups or Attach
            or Detach { Addon: AddonRole.Target }).ToList();
        var plan = planned with { Steps = [.. kept.Select((s, i) => s with { Index = i, RequiresApproval = false })] };
        var swap = plan.Steps.First(s => s.Action is Attach).Index;
        Assert.Equal([new Attach(AddonRole.Source, AttachmentNames.Old, false), new Attach(AddonRole.Target, AttachmentNames.Primary, true)],
            plan.Steps.Skip(swap).Take(2).Select(s => s.Action));
        Assert.NotEmpty(plan.ConsumerGroups);
        var topics = plan.Topics.Select(t => t.Name).Order(StringComparer.Ordinal).ToList();
        var runId = await host.Runs.StartAsync(plan, EngineHost.Starter);

        var notCreated = await ReadAsync((await host.Runs.GetAsync(runId))!);
        Assert.Equal(("old", AttachmentNames.Primary, (string?)null), (notCreated.Clusters[0].Role, notCreated.Clusters[0].Attachment, notCreated.Clusters[0].Problem));
        Assert.Equal(("new", (string?)null, "Not created yet."), (notCreated.Clusters[1].Role, notCreated.Clusters[1].Attachment, notCreated.Clusters[1].Problem));
        Assert.Null(notCreated.Parity);

        var provisioned = await host.DriveAsync(runId, r => r.Steps[swap - 1].Status == RunStepStatus.Done, "the new add-on is ready with its topics");
        var beside = await ReadAsync(provisioned);
        Assert.Equal([AttachmentNames.Primary, AttachmentNames.New], beside.Clusters.Select(c => c.Attachment));
        Assert.All(beside.Clusters, c => Assert.Null(c.Problem));
        Assert.All(beside.Clusters, c => Assert.Equal(topics, c.Watermarks!.Partitions.Select(p => p.Topic).Distinct().Order(StringComparer.Ordinal)));
        Assert.All(beside.Clusters, c => Assert.Equal(plan.ConsumerGroups.Order(StringComparer.Ordinal), c.Lag!.Partitions.Select(p => p.Group).Distinct().Order(StringComparer.Ordinal)));
        Assert.True(beside.Clusters[0].Watermarks!.Partitions.Sum(p => p.LatestOffset) > 0, "the demo producers wrote to the old add-on");

        // Mid-swap each add-on has two attachments; the primary name wins over OLD_KAFKA and NEW_KAFKA.
        var oldAttachedTwice = await host.DriveAsync(runId, r => r.Steps[swap].Status == RunStepStatus.Done, "the old add-on is attached as OLD_KAFKA too");
        Assert.Equal([AttachmentNames.Primary, AttachmentNames.New], (await ReadAsync(oldAttachedTwice)).Clusters.Select(c => c.Attachment));
        var newAttachedTwice = await host.DriveAsync(runId, r => r.Steps[swap + 1].Status == RunStepStatus.Done, "the new add-on is attached as KAFKA too");
        Assert.Equal([AttachmentNames.Old, AttachmentNames.Primary], (await ReadAsync(newAttachedTwice)).Clusters.Select(c => c.Attachment));

        var swapped = await host.DriveAsync(runId, r => r.Run.Status is not (MigrationRunStatus.Running or MigrationRunStatus.Waiting),
            "the attachments are swapped");
        Assert.Equal(MigrationRunStatus.Succeeded, swapped.Run.Status);
        var after = await ReadAsync(swapped);
        Assert.Equal([AttachmentNames.Old, AttachmentNames.Primary], after.Clusters.Select(c => c.Attachment));
        Assert.Equal([swapped.Run.SourceAddon, swapped.Run.TargetAddonName], after.Clusters.Select(c => c.AddonName));
        Assert.Null(after.Parity);

        // Double-writing recorded as starting now: the old cluster still holds what the producers wrote before.
        swapped.Run.DoubleWriteStartedAt = host.Services.GetRequiredService<TimeProvider>().GetUtcNow();
        var broken = (await ReadAsync(swapped)).Parity!;
        Assert.Equal(AttachmentNames.Old, broken.Attachment);
        Assert.False(broken.Holds);
        Assert.NotEmpty(broken.OlderThanStart);
        Assert.All(broken.OlderThanStart, p => Assert.Contains(p.Topic, topics));

        // Recorded as starting before any of it was written: nothing the old cluster retains predates it.
        swapped.Run.DoubleWriteStartedAt = swapped.Run.CreatedAt.AddHours(-1);
        var holds = (await ReadAsync(swapped)).Parity!;
        Assert.Equal(AttachmentNames.Old, holds.Attachment);
        Assert.True(holds.Holds, holds.Summary);
        Assert.Empty(holds.OlderThanStart);

        // Once a step has destroyed the old add-on, the panel shows that and reads nothing there (nor parity).
        var destroy = new RunStep
        {
            RunId = runId, Sequence = swapped.Steps.Count, Kind = RunStepKind.Forward, PlanStepIndex = swapped.Steps.Count, Title = "Destroy the old add-on",
            ActionJson = PlanSerialization.Serialize(new DestroyAddon(AddonRole.Source)), Status = RunStepStatus.Done,
        };
        var gone = await ReadAsync(swapped with { Steps = [.. swapped.Steps, destroy] });
        Assert.Equal(("old", (string?)null, "Destroyed by this run: nothing left to read."), (gone.Clusters[0].Role, gone.Clusters[0].Attachment, gone.Clusters[0].Problem));
        Assert.Null(gone.Clusters[0].Lag);
        Assert.Null(gone.Parity);
        Assert.Null(gone.Clusters[1].Problem);
    }
}
