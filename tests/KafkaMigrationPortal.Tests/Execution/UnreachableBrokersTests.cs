using KafkaMigrationPortal.Engine.Audit;
using KafkaMigrationPortal.Engine.KafkaChecks;
using KafkaMigrationPortal.Features.Migrations;
using KafkaMigrationPortal.Engine.Execution;
using KafkaMigrationPortal.Engine.Planning;
using KafkaMigrationPortal.Engine.Storage;
using KafkaMigrationPortal.Tests.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace KafkaMigrationPortal.Tests.Execution;

/// <summary>
/// Brokers the portal cannot reach (a Private Space): the check says so, the step waits for a person to confirm the
/// condition by hand, and that confirmation is recorded in the run's log and the audit log. The inspector's own
/// detection of unreachable brokers is tested against real closed ports in KafkaChecks; here it answers Unreachable.
/// </summary>
[Collection(PortalHostCollection.Name)]
public sealed class UnreachableBrokersTests : IAsyncLifetime
{
    private readonly string databaseFile = Path.Combine(Path.GetTempPath(), $"kmp-unreachable-{Guid.NewGuid():N}.db");
    private EngineHost host = null!;

    public Task InitializeAsync()
    {
        host = EngineHost.OnSqlite(databaseFile, replaceServices: services => services.AddSingleton<IKafkaInspector, PrivateSpaceInspector>());
        return Task.CompletedTask;
    }

    [Fact]
    public async Task A_check_on_unreachable_brokers_becomes_an_audited_human_confirmation()
    {
        var source = await host.SourceAsync();
        var plan = EngineHost.HandPlan(source,
            EngineHost.Step(new WaitForConsumerCatchUp(AddonRole.Source, ["mackerel-consumers"])),
            EngineHost.Step(new SetMaintenance(true)));
        var runId = await host.Runs.StartAsync(plan, EngineHost.Starter);

        var waiting = await host.DriveAsync(runId, r => r.Steps[0].Status == RunStepStatus.NeedsHumanConfirmation, "the check asks a person");
        Assert.Contains("reach", waiting.Steps[0].WaitReason ?? waiting.Run.LastError ?? "", StringComparison.OrdinalIgnoreCase);
        Assert.False((await host.Platform.GetAppAsync("mackerel")).Maintenance);

        var byStarter = await host.Runs.ConfirmManuallyAsync(runId, 0, EngineHost.Starter, "I looked, it is fine");
        Assert.False(byStarter.Succeeded);
        Assert.Contains("You started this run", byStarter.Message);
        Assert.Equal(RunStepStatus.NeedsHumanConfirmation, (await host.Runs.GetAsync(runId))!.Steps[0].Status);
        var unexplained = await host.Runs.ConfirmManuallyAsync(runId, 0, "bob@example.com", " ");
        var confirmed = await host.Runs.ConfirmManuallyAsync(runId, 0, "bob@example.com", "checked lag in the space's own dashboard: 0");
        Assert.False(unexplained.Succeeded);
        Assert.True(confirmed.Succeeded, confirmed.Message);

        await host.DriveAsync(runId, r => r.Run.Status == MigrationRunStatus.Succeeded, "the run goes on");
        Assert.True((await host.Platform.GetAppAsync("mackerel")).Maintenance);
        await using var db = await host.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var audited = await db.AuditEntries.Where(e => e.RunId == runId && e.Action == RunEventKinds.ConfirmedManually).SingleAsync();
        Assert.Equal("bob@example.com", audited.Actor);
        Assert.Contains("space's own dashboard", audited.Summary);
        Assert.True((await host.Services.GetRequiredService<AuditLog>().VerifyAsync()).Intact);
    }

    [Fact]
    public async Task An_approval_given_while_the_live_checks_are_unavailable_records_that_the_approver_vouched_unverified()
    {
        var source = await host.SourceAsync();
        var plan = EngineHost.HandPlan(source,
                EngineHost.Step(new SetConfigVars(new Dictionary<string, string?> { ["DOUBLE_WRITE"] = "1" }, RecordsDoubleWriteStart: true)),
                EngineHost.Step(new SetConfigVars(new Dictionary<string, string?> { [PinVars.ConsumerAddonName] = "KAFKA" }), approval: true))
            with { Topics = [new TopicSpec("orders", 3, 3, 86_400_000, false)] };
        var runId = await host.Runs.StartAsync(plan, EngineHost.Starter);
        await host.DriveAsync(runId, r => r.CurrentStep is { Sequence: 1, Status: RunStepStatus.AwaitingApproval }, "the gate of the consumer switch");

        var approved = await host.Runs.ApproveAsync(runId, 1, EngineHost.Approver, "parity read off the space's dashboard");

        Assert.True(approved.Succeeded, approved.Message);
        Assert.Equal(LiveCheckResult.Unavailable, Assert.Single(approved.Checks!).Result);
        var details = (await host.Runs.GetAsync(runId))!;
        Assert.True(Assert.Single(details.Approvals).ChecksUnavailable);
        var recorded = details.Events.Single(e => e.Kind == RunEventKinds.Approved);
        Assert.Contains("could not check", recorded.Summary);
        Assert.Contains("vouched for it unverified", recorded.Summary);
    }

    public async Task DisposeAsync()
    {
        await host.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        File.Delete(databaseFile);
    }

    private sealed class PrivateSpaceInspector : IKafkaInspector
    {
        private static KafkaCheckResult<T> Unreachable<T>() where T : class =>
            KafkaCheckResult<T>.NotOk(KafkaCheckOutcome.Unreachable, "The brokers of KAFKA could not be reached from the portal (Private Space).");

        public Task<KafkaCheckResult<ClusterReachability>> CheckReachableAsync(KafkaAttachmentVars attachment, CancellationToken ct = default) =>
            Task.FromResult(Unreachable<ClusterReachability>());

        public Task<KafkaCheckResult<LagSnapshot>> GetLagAsync(KafkaAttachmentVars attachment, IReadOnlyCollection<string> groups, IReadOnlyCollection<string> topics, CancellationToken ct = default) =>
            Task.FromResult(Unreachable<LagSnapshot>());

        public Task<KafkaCheckResult<WatermarkSnapshot>> GetWatermarksAsync(KafkaAttachmentVars attachment, IReadOnlyCollection<string> topics, CancellationToken ct = default) =>
            Task.FromResult(Unreachable<WatermarkSnapshot>());

        public Task<KafkaCheckResult<OldestRetainedSnapshot>> OldestRetainedAsync(KafkaAttachmentVars attachment, IReadOnlyCollection<string> topics, CancellationToken ct = default) =>
            Task.FromResult(Unreachable<OldestRetainedSnapshot>());

        public Task<KafkaCheckResult<ConsumerPositionsReport>> CarryConsumerPositionsAsync(KafkaAttachmentVars oldCluster, KafkaAttachmentVars newCluster,
            IReadOnlyCollection<string> groups, IReadOnlyCollection<string> topics, CancellationToken ct = default) =>
            Task.FromResult(Unreachable<ConsumerPositionsReport>());

        public Task<KafkaCheckResult<ParityVerdict>> CheckParityAsync(KafkaAttachmentVars oldCluster, IReadOnlyCollection<string> topics, DateTimeOffset doubleWriteStart, CancellationToken ct = default) =>
            Task.FromResult(Unreachable<ParityVerdict>());
    }
}
