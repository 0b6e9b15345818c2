using KafkaMigrationPortal.Features.Migrations;
using KafkaMigrationPortal.Engine.Execution;
using KafkaMigrationPortal.Engine.Planning;
using KafkaMigrationPortal.Tests.Execution;
using KafkaMigrationPortal.Tests.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace KafkaMigrationPortal.Tests.Identity;

/// <summary>Four-eyes rules of a gate: N distinct approvers, none of them the starter, approvals that expire.</summary>
[Collection(PortalHostCollection.Name)]
public sealed class ApprovalRulesTests : IAsyncLifetime
{
    private readonly string databaseFile = Path.Combine(Path.GetTempPath(), $"kmp-approvals-{Guid.NewGuid():N}.db");
    private EngineHost host = null!;

    public Task InitializeAsync() => Task.CompletedTask;

    private void Start(string approvalValidity, TimeProvider? time = null) =>
        host = EngineHost.OnSqlite(databaseFile, extra: new Dictionary<string, string?> { ["Execution:ApprovalValidity"] = approvalValidity },
            replaceServices: time is null ? null : services => services.AddSingleton(time));

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
        var approvedAt = new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);
        var time = new FakeTimeProvider(approvedAt);
        Start("01:00:00", time);
        var plan = EngineHost.HandPlan(await host.SourceAsync(), EngineHost.Step(new SetMaintenance(true), approval: true));
        var runId = await host.Runs.StartAsync(plan, EngineHost.Starter);
        await host.DriveAsync(runId, r => r.Run.Status == MigrationRunStatus.AwaitingApproval, "the run waits at the gate");

        var approved = await host.Runs.ApproveAsync(runId, 0, "bob@example.com", "go");
        Assert.True(approved.Succeeded, approved.Message);
        Assert.Equal(approvedAt.AddHours(1), Assert.Single((await host.Runs.GetAsync(runId))!.Approvals).ExpiresAt);

        // The step was released at approval; by the time it runs, the hour has passed on the portal's clock.
        time.Advance(TimeSpan.FromHours(1));
        await host.AdvanceOnceAsync(runId);

        var details = (await host.Runs.GetAsync(runId))!;
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
