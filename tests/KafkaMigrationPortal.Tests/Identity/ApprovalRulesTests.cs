using KafkaMigrationPortal.Features.Migrations;
using KafkaMigrationPortal.Features.Migrations.Execution;
using KafkaMigrationPortal.Features.Migrations.Planning;
using KafkaMigrationPortal.Tests.Execution;
using KafkaMigrationPortal.Tests.Hosting;

namespace KafkaMigrationPortal.Tests.Identity;

/// <summary>Four-eyes rules of a gate: N distinct approvers, none of them the starter, approvals that expire.</summary>
[Collection(PortalHostCollection.Name)]
public sealed class ApprovalRulesTests : IAsyncLifetime
{
    private readonly string databaseFile = Path.Combine(Path.GetTempPath(), $"kmp-approvals-{Guid.NewGuid():N}.db");
    private EngineHost host = null!;

    public Task InitializeAsync() => Task.CompletedTask;

    private void Start(string approvalValidity) =>
        host = EngineHost.OnSqlite(databaseFile, extra: new Dictionary<string, string?> { ["Execution:ApprovalValidity"] = approvalValidity });

    [Fact]
    public async Task A_gate_needing_two_approvals_waits_for_two_different_people()
    {
        Start("1.00:00:00");
        var plan = EngineHost.HandPlan(await host.SourceAsync(), EngineHost.Step(new SetMaintenance(true), approval: true));
        var runId = await host.Runs.StartAsync(plan, EngineHost.Starter, requiredApprovals: 2);
        await host.DriveAsync(runId, r => r.Run.Status == MigrationRunStatus.AwaitingApproval, "the run waits at the gate");

        Assert.True((await host.Runs.ApproveAsync(runId, 0, "bob@example.com", "fine by me")).Succeeded);
        Assert.True((await host.Runs.ApproveAsync(runId, 0, "bob@example.com", "really fine")).Succeeded);
        await host.AdvanceOnceAsync(runId);

        var stillWaiting = (await host.Runs.GetAsync(runId))!;
        Assert.Equal(RunStepStatus.AwaitingApproval, stillWaiting.Steps[0].Status);
        Assert.False((await host.Platform.GetAppAsync("mackerel")).Maintenance);

        Assert.True((await host.Runs.ApproveAsync(runId, 0, "carol@example.com", "second pair of eyes")).Succeeded);
        await host.DriveAsync(runId, r => r.Run.Status == MigrationRunStatus.Succeeded, "two approvers open the gate");
        Assert.True((await host.Platform.GetAppAsync("mackerel")).Maintenance);
    }

    [Fact]
    public async Task An_expired_approval_no_longer_opens_the_gate()
    {
        Start("00:00:00.001");
        var plan = EngineHost.HandPlan(await host.SourceAsync(), EngineHost.Step(new SetMaintenance(true), approval: true));
        var runId = await host.Runs.StartAsync(plan, EngineHost.Starter);
        await host.DriveAsync(runId, r => r.Run.Status == MigrationRunStatus.AwaitingApproval, "the run waits at the gate");

        var approved = await host.Runs.ApproveAsync(runId, 0, "bob@example.com", "go");
        await host.AdvanceOnceAsync(runId);

        Assert.True(approved.Succeeded, approved.Message);
        var details = (await host.Runs.GetAsync(runId))!;
        var approval = Assert.Single(details.Approvals);
        Assert.True(approval.ExpiresAt <= DateTimeOffset.UtcNow);
        Assert.Equal(RunStepStatus.AwaitingApproval, details.Steps[0].Status);
        Assert.False((await host.Platform.GetAppAsync("mackerel")).Maintenance);
    }

    public async Task DisposeAsync()
    {
        if (host is not null)
        {
            await host.DisposeAsync();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        File.Delete(databaseFile);
    }
}
