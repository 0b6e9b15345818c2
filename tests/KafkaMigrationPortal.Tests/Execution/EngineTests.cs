using KafkaMigrationPortal.Features.Migrations;
using KafkaMigrationPortal.Engine.Execution;
using KafkaMigrationPortal.Engine.Planning;
using KafkaMigrationPortal.TestSupport;
using KafkaMigrationPortal.Tests.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace KafkaMigrationPortal.Tests.Execution;

/// <summary>
/// The engine's job driven by hand against the embedded sandbox on SQLite: crash recovery, one holder at a time,
/// approvals as gates, rollback and abort, and what the event log may contain.
/// </summary>
[Collection(PortalHostCollection.Name)]
public sealed class EngineTests : IAsyncLifetime
{
    private readonly string databaseFile = Path.Combine(Path.GetTempPath(), $"kmp-engine-{Guid.NewGuid():N}.db");
    private readonly FirstEntrantHold provisioning = new();
    private EngineHost host = null!;

    public Task InitializeAsync()
    {
        host = EngineHost.OnSqlite(databaseFile, replaceServices: provisioning.Wrap<ProvisionAddonExecutor>);
        _ = host.Services; // start
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        provisioning.Release();
        await host.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        File.Delete(databaseFile);
    }

    [Fact]
    public async Task The_new_add_on_gets_the_name_the_plan_printed_so_that_its_attach_command_works_when_pasted()
    {
        var plan = await host.PlanAsync("mackerel", MigrationStrategy.MaintenanceWindow, "heroku-kafka:standard-0");
        var planned = Assert.IsType<ProvisionAddon>(plan.Steps.Single(s => s.Action is ProvisionAddon).Action).AddonName!;
        var runId = await host.Runs.StartAsync(plan, EngineHost.Starter);

        await host.AdvanceOnceAsync(runId);

        var run = (await host.Runs.GetAsync(runId))!;
        Assert.Equal(planned, run.Run.TargetAddonName);
        Assert.Equal(planned, (await host.Platform.GetAddOnAsync(planned)).Name);
        Assert.StartsWith($"heroku addons:attach {planned} --as KAFKA", plan.Steps.Single(s => s.Action is Attach { Addon: AddonRole.Target }).CliCommand);
    }

    [Fact]
    public async Task A_provisioning_step_re_run_after_a_crash_that_lost_its_record_adopts_the_add_on_instead_of_creating_another()
    {
        var plan = await host.PlanAsync("mackerel", MigrationStrategy.MaintenanceWindow, "heroku-kafka:standard-0");
        var runId = await host.Runs.StartAsync(plan, EngineHost.Starter);

        await host.AdvanceOnceAsync(runId);
        var created = Assert.Single(host.MutationsOf("POST", "/apps/mackerel/addons"));
        var afterFirst = (await host.Runs.GetAsync(runId))!;
        Assert.Equal(RunStepStatus.Done, afterFirst.Steps[0].Status);
        var addonId = afterFirst.Run.TargetAddonId;
        Assert.NotNull(addonId);

        // What a process killed right after Heroku answered leaves behind: the step still Running, nothing recorded,
        // and the dead process's lease, now expired.
        await using (var db = await host.Databases.CreateDbContextAsync())
        {
            var run = await db.MigrationRuns.Include(r => r.Steps).SingleAsync(r => r.Id == runId);
            run.TargetAddonId = null;
            run.TargetAddonName = null;
            run.CurrentStep = 0;
            run.Status = MigrationRunStatus.Running;
            run.LeaseOwner = "job:dead-dyno:1:0";
            run.LeaseExpiresAt = host.Services.GetRequiredService<TimeProvider>().GetUtcNow().AddSeconds(-1);
            run.Steps.Single(s => s.Sequence == 0).Status = RunStepStatus.Running;
            run.Steps.Single(s => s.Sequence == 1).Status = RunStepStatus.Pending;
            await db.SaveChangesAsync();
        }

        host.Scheduler.Continuations.Clear();
        using (var scope = host.Services.CreateScope())
        {
            Assert.Equal(1, await scope.ServiceProvider.GetRequiredService<RunReconciler>().ReconcileAsync(CancellationToken.None));
        }

        Assert.Contains(host.Scheduler.Continuations, c => c.RunId == runId);
        await host.AdvanceOnceAsync(runId);

        var after = (await host.Runs.GetAsync(runId))!;
        Assert.Single(host.MutationsOf("POST", "/apps/mackerel/addons"));
        Assert.Equal(addonId, after.Run.TargetAddonId);
        Assert.Equal(RunStepStatus.Done, after.Steps[0].Status);
        Assert.Equal(2, after.Steps[0].Attempts);
        Assert.Contains(after.Events, e => e.Kind == RunEventKinds.Reconciled && e.Summary.Contains("adopted"));
        Assert.Contains(created.Path, "/apps/mackerel/addons");
    }

    [Fact]
    public async Task Many_simultaneous_jobs_for_one_run_execute_its_step_once()
    {
        var plan = await host.PlanAsync("mackerel", MigrationStrategy.MaintenanceWindow, "heroku-kafka:standard-0");
        var runId = await host.Runs.StartAsync(plan, EngineHost.Starter);

        provisioning.Arm();
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var contenders = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            await go.Task;
            await host.AdvanceOnceAsync(runId);
        })).ToList();

        go.SetResult();
        await provisioning.Entered.WaitAsync(TimeSpan.FromSeconds(60));
        // The first job to get in is held inside the step until every other one has tried the run and returned.
        await Deadline.PollAsync(() => Task.FromResult(contenders.Count(c => c.IsCompleted)), done => done == contenders.Count - 1,
            TimeSpan.FromSeconds(60), "every other contender tries the run while its step is in progress");
        Assert.Equal(1, provisioning.Entries);
        provisioning.Release();
        await Task.WhenAll(contenders);

        var run = (await host.Runs.GetAsync(runId))!;
        Assert.Single(host.MutationsOf("POST", "/apps/mackerel/addons"));
        Assert.Equal(1, run.Steps[0].Attempts);
        Assert.Single(run.Events, e => e.Kind == RunEventKinds.StepStarted && e.StepSequence == 0);
        Assert.Null(run.Run.LeaseOwner);
    }

    [Fact]
    public async Task A_gated_step_waits_refuses_its_starter_pauses_on_reject_and_runs_once_someone_else_approves()
    {
        var source = await host.SourceAsync();
        var plan = EngineHost.HandPlan(source, EngineHost.Step(new SetMaintenance(true), approval: true));
        var runId = await host.Runs.StartAsync(plan, EngineHost.Starter);

        var gated = await host.DriveAsync(runId, r => r.Run.Status == MigrationRunStatus.AwaitingApproval, "the run waits at the gate");
        Assert.Equal(RunStepStatus.AwaitingApproval, gated.Steps[0].Status);
        Assert.False((await host.Platform.GetAppAsync("mackerel")).Maintenance);

        var self = await host.Runs.ApproveAsync(runId, 0, EngineHost.Starter, "looks fine to me");
        Assert.False(self.Succeeded);
        Assert.Contains("another person", self.Message);

        var rejected = await host.Runs.RejectAsync(runId, 0, EngineHost.Approver, "not during business hours");
        Assert.True(rejected.Succeeded);
        await host.AdvanceOnceAsync(runId);
        var paused = (await host.Runs.GetAsync(runId))!;
        Assert.Equal(MigrationRunStatus.Paused, paused.Run.Status);
        Assert.Contains("not during business hours", paused.Run.LastError);
        Assert.False((await host.Platform.GetAppAsync("mackerel")).Maintenance);

        var approved = await host.Runs.ApproveAsync(runId, 0, EngineHost.Approver, "now is fine");
        Assert.True(approved.Succeeded, approved.Message);
        var done = await host.DriveAsync(runId, r => r.Run.Status == MigrationRunStatus.Succeeded, "the approved step runs");
        Assert.True((await host.Platform.GetAppAsync("mackerel")).Maintenance);
        Assert.Equal([ApprovalDecision.Reject, ApprovalDecision.Approve], done.Approvals.Select(a => a.Decision));
        Assert.All(done.Approvals, a => Assert.Equal(EngineHost.Approver, a.Approver));
    }

    [Fact]
    public async Task An_approval_is_refused_when_the_live_check_fails_at_that_moment()
    {
        var source = await host.SourceAsync();
        var plan = EngineHost.HandPlan(source, EngineHost.Step(new DestroyAddon(AddonRole.Source), approval: true));
        var runId = await host.Runs.StartAsync(plan, EngineHost.Starter);
        await host.DriveAsync(runId, r => r.Run.Status == MigrationRunStatus.AwaitingApproval, "the destroy waits at the gate");

        var answer = await host.Runs.ApproveAsync(runId, 0, EngineHost.Approver, "go");

        Assert.False(answer.Succeeded);
        var check = Assert.Single(answer.Checks!);
        Assert.Equal(LiveCheckResult.Failed, check.Result);
        Assert.Contains("KAFKA", answer.Message);
        var run = (await host.Runs.GetAsync(runId))!;
        Assert.Empty(run.Approvals);
        Assert.Equal(RunStepStatus.AwaitingApproval, run.Steps[0].Status);
        Assert.Contains(run.Events, e => e.Kind == RunEventKinds.ApprovalRefused);
        Assert.Empty(host.MutationsOf("DELETE", "/apps/mackerel/addons"));
    }

    [Fact]
    public async Task A_rollback_before_the_point_of_no_return_undoes_done_steps_newest_first_and_destroys_the_new_add_on_only_after_approval()
    {
        var plan = await host.PlanAsync("mackerel", MigrationStrategy.MaintenanceWindow, "heroku-kafka:standard-0");
        var runId = await host.Runs.StartAsync(plan, EngineHost.Starter);
        var scaleDown = plan.Steps.First(s => s.Action is ScaleProcesses).Index;
        await host.DriveAsync(runId, r => r.Steps[scaleDown].Status == RunStepStatus.AwaitingApproval, "the maintenance window waits for approval", TimeSpan.FromSeconds(60));
        var opened = await host.Runs.ApproveAsync(runId, scaleDown, EngineHost.Approver, "open the window");
        Assert.True(opened.Succeeded, opened.Message);
        await host.DriveAsync(runId, r => r.Steps[scaleDown].Status == RunStepStatus.Done, "the producers are scaled down", TimeSpan.FromSeconds(60));
        Assert.Equal(0, (await host.Platform.ListFormationAsync("mackerel")).Single(f => f.Type == "producer").Quantity);

        var answer = await host.Runs.RollbackAsync(runId, EngineHost.Starter, "changed our minds");
        Assert.True(answer.Succeeded, answer.Message);

        var gated = await host.DriveAsync(runId, r => r.Run.Status == MigrationRunStatus.AwaitingApproval, "the destroy of the new add-on waits for approval");
        var compensations = gated.Steps.Where(s => s.Kind == RunStepKind.Compensation).ToList();
        Assert.Equal(2, compensations.Count);
        Assert.IsType<RestoreFormation>(PlanSerialization.DeserializeAction(compensations[0].ActionJson));
        Assert.IsType<DestroyAddon>(PlanSerialization.DeserializeAction(compensations[1].ActionJson));
        Assert.Equal(RunStepStatus.Done, compensations[0].Status);
        Assert.Equal(1, (await host.Platform.ListFormationAsync("mackerel")).Single(f => f.Type == "producer").Quantity);
        Assert.Contains(await host.Platform.ListAddOnsAsync("mackerel"), a => a.Id == gated.Run.TargetAddonId.ToString());

        Assert.True((await host.Runs.ApproveAsync(runId, compensations[1].Sequence, EngineHost.Approver, "destroy it")).Succeeded);
        var rolledBack = await host.DriveAsync(runId, r => r.Run.Status == MigrationRunStatus.RolledBack, "the run is rolled back");

        Assert.DoesNotContain(await host.Platform.ListAddOnsAsync("mackerel"), a => a.Id == rolledBack.Run.TargetAddonId.ToString() && a.State != "deprovisioned");
        Assert.Equal(source(await host.Platform.ListAttachmentsAsync("mackerel")), plan.Source.Id.ToString());
        Assert.All(rolledBack.Steps.Where(s => s.Kind == RunStepKind.Forward && s.Sequence > scaleDown), s => Assert.Equal(RunStepStatus.Skipped, s.Status));

        static string source(IEnumerable<Heroku.Platform.HerokuAttachment> attachments) => attachments.Single(a => a.Name == "KAFKA").Addon.Id;
    }

    [Fact]
    public async Task After_the_point_of_no_return_rollback_is_refused_and_abort_records_the_state_left()
    {
        var source = await host.SourceAsync();
        var plan = EngineHost.HandPlan(source,
            EngineHost.Step(new SetConfigVars(new Dictionary<string, string?> { [PinVars.ProducerAddonNames] = "KAFKA" }), pointOfNoReturn: true),
            EngineHost.Step(new SetMaintenance(true), approval: true));
        var runId = await host.Runs.StartAsync(plan, EngineHost.Starter);
        await host.DriveAsync(runId, r => r.Run.Status == MigrationRunStatus.AwaitingApproval, "the run passes the point of no return");

        var rollback = await host.Runs.RollbackAsync(runId, EngineHost.Starter, "too late?");
        Assert.False(rollback.Succeeded);
        Assert.Contains("point of no return", rollback.Message);

        var abort = await host.Runs.AbortAsync(runId, EngineHost.Starter, "stop here");
        Assert.True(abort.Succeeded, abort.Message);
        var run = (await host.Runs.GetAsync(runId))!;
        Assert.Equal(MigrationRunStatus.Aborted, run.Run.Status);
        var aborted = Assert.Single(run.Events, e => e.Kind == RunEventKinds.Aborted);
        Assert.Contains("KAFKA→" + source.Name, aborted.Result);
        Assert.Contains("PRODUCER_ADDON_NAMES=KAFKA", aborted.Result);
        Assert.Equal(RunStepStatus.Skipped, run.Steps[1].Status);
        await host.AdvanceOnceAsync(runId);
        Assert.False((await host.Platform.GetAppAsync("mackerel")).Maintenance);
    }

    [Fact]
    public async Task Every_Heroku_mutation_is_logged_before_and_after_with_config_var_values_redacted_except_the_pins()
    {
        var source = await host.SourceAsync();
        var plan = EngineHost.HandPlan(source,
            EngineHost.Step(new SetConfigVars(new Dictionary<string, string?> { [PinVars.ConsumerAddonName] = "KAFKA", ["PAYMENT_SECRET"] = "hunter2-secret" })),
            EngineHost.Step(new SetConfigVars(new Dictionary<string, string?> { [PinVars.ConsumerAddonName] = "KAFKA", ["PAYMENT_SECRET"] = "hunter2-secret" })));
        var runId = await host.Runs.StartAsync(plan, EngineHost.Starter);

        var run = await host.DriveAsync(runId, r => r.Run.Status == MigrationRunStatus.Succeeded, "the run completes");

        Assert.Equal("hunter2-secret", (await host.Platform.GetConfigVarsAsync("mackerel"))["PAYMENT_SECRET"]);
        Assert.DoesNotContain(run.Events, e => $"{e.Summary} {e.Request} {e.Result}".Contains("hunter2"));
        var intent = Assert.Single(run.Events, e => e.Kind == RunEventKinds.HerokuCallIntent);
        var result = Assert.Single(run.Events, e => e.Kind == RunEventKinds.HerokuCallResult);
        Assert.True(intent.Sequence < result.Sequence);
        Assert.Contains("CONSUMER_ADDON_NAME=KAFKA", intent.Request);
        Assert.Contains("PAYMENT_SECRET=[redacted]", intent.Request);
        Assert.True(result.Succeeded);
        // The second, identical step found the vars set and changed nothing.
        Assert.Single(host.MutationsOf("PATCH", "/apps/mackerel/config-vars"));
        Assert.Contains(run.Events, e => e.Kind == RunEventKinds.Reconciled && e.StepSequence == 1);
    }

    [Fact]
    public async Task A_step_inside_an_approved_window_checks_live_before_it_acts_and_stops_the_run_when_that_fails()
    {
        var source = await host.SourceAsync();
        // The window's approval covers the restart, whose precondition (KAFKA on the new add-on) does not hold here:
        // no new add-on exists. Nobody decides at that step, so the engine checks and stops instead of acting.
        var plan = EngineHost.HandPlan(source,
            EngineHost.Step(new SetMaintenance(true), approval: true, compensations: [new SetMaintenance(false)]) with { ApprovalCoversThrough = 1 },
            EngineHost.Step(new RestoreFormation(["producer"]), pointOfNoReturn: true));
        var runId = await host.Runs.StartAsync(plan, EngineHost.Starter);
        await host.DriveAsync(runId, r => r.Run.Status == MigrationRunStatus.AwaitingApproval, "the window waits for its approval");
        Assert.True((await host.Runs.ApproveAsync(runId, 0, EngineHost.Approver, "open the window")).Succeeded);

        var stopped = await host.DriveAsync(runId, r => r.Run.Status == MigrationRunStatus.Paused, "the covered step stops the run");

        var restart = stopped.Steps[1];
        Assert.Equal(RunStepStatus.Failed, restart.Status);
        Assert.Contains("“KAFKA points at the new add-on” does not hold", restart.Error);
        Assert.Contains(stopped.Events, e => e.StepSequence == 1 && e.Kind == RunEventKinds.KafkaCheck && e.Summary.StartsWith("Checked before acting", StringComparison.Ordinal));
        Assert.DoesNotContain(stopped.Events, e => e.StepSequence == 1 && e.Kind == RunEventKinds.HerokuCallIntent);
        Assert.Empty(stopped.Approvals.Where(a => a.StepSequence == 1));
    }
}
