using KafkaMigrationPortal.Features.Jobs;
using KafkaMigrationPortal.Features.Migrations;
using KafkaMigrationPortal.Engine.Execution;
using KafkaMigrationPortal.Engine.Planning;
using KafkaMigrationPortal.Sandbox;
using KafkaMigrationPortal.Tests.Hosting;
using KafkaMigrationPortal.TestSupport;
using Xunit.Abstractions;

namespace KafkaMigrationPortal.Tests.Execution.Proofs;

/// <summary>
/// Recovery of portal processes on PostgreSQL with the shipped engine and Hangfire settings: no <c>Execution:*</c>
/// setting at all, so the lease lasts 60 s and the reconciler runs every minute. What a killed process leaves behind
/// (Hangfire's scheduler lock, a job it had fetched with its state lock, its claim on the run) holds the run back for
/// at most a lease and a reconciler pass, and a process stopped with SIGTERM hands the run back as it exits.
/// </summary>
[Collection(PortalProcessCollection.Name)]
public sealed class RecoveryProofTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly ExecutionOptions Shipped = new();

    /// <summary>The mechanism's bound (a dead holder's lease runs out, then the reconciler's next pass) plus a margin for a loaded machine.</summary>
    private static readonly TimeSpan RecoveryBound = Shipped.LeaseDuration + TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(60);

    private static readonly TimeSpan Retention = TimeSpan.FromSeconds(25);
    private ProcessCluster cluster = null!;

    public async Task InitializeAsync() => cluster = await ProcessCluster.StartAsync(timings: EngineTimings.Shipped);

    public async Task DisposeAsync() => await cluster.DisposeAsync();

    [Fact]
    public async Task Every_process_killed_during_a_wait_and_again_right_after_a_step_the_run_goes_on_within_a_lease_and_a_reconciler_pass()
    {
        await StartWorkersAsync();
        var plan = Plan(await SourceAsync(),
            new SetMaintenance(true), new SetConfigVars(new Dictionary<string, string?> { ["RECOVERY_PROOF"] = "1" }, RecordsDoubleWriteStart: true),
            new WaitForRetention(Retention, TimeSpan.Zero), new SetMaintenance(false), new SetMaintenance(true), new SetMaintenance(false));
        var runId = await cluster.Runs.StartAsync(plan, RunScenarios.Starter);
        const int wait = 2, afterWait = 3;

        // 1. All processes die while the run waits out the retention period.
        var waiting = await WaitForRunAsync(runId, r => r.Run.CurrentStep == wait && r.CurrentStep!.Status == RunStepStatus.Waiting,
            TimeSpan.FromSeconds(90), "the run waits out the retention period");
        var wakeUp = long.Parse(waiting.Run.PendingJobId!);
        await cluster.KillAllPortalsAsync();
        // What a process killed while polling for due jobs leaves: Hangfire's scheduler lock, which (for its default
        // 10 minutes) stopped every scheduled job in every process.
        await cluster.SqlAsync("INSERT INTO hangfire.lock (resource, acquired) VALUES ('hangfire:locks:schedulepoller', now()) ON CONFLICT DO NOTHING");
        // Slow Heroku calls from here on keep the steps after the wait from all finishing before the kill aimed "right
        // after a step" lands (the run would be over, with nothing left to recover); the wait itself makes no call.
        await cluster.SetFaultsAsync(new SandboxFaults(LatencyMs: 2000));
        await StartWorkersAsync();

        var waited = await WaitForRunAsync(runId, r => r.Steps[wait].Status == RunStepStatus.Done,
            waiting.CurrentStep!.WaitUntil!.Value - DateTimeOffset.UtcNow + RecoveryBound, "the run moves on when the wait is over");
        // It was the run's own wake-up, at its time: no other job was needed.
        await Deadline.PollAsync(async () => await cluster.SqlAsync("SELECT statename FROM hangfire.job WHERE id = @id", ("id", wakeUp)) is "Succeeded",
            TimeSpan.FromSeconds(30), "the run's wake-up job ends as succeeded");
        Assert.DoesNotContain(waited.Events, e => e.Kind == RunEventKinds.Reconciled);

        // 2. All processes die right after a step completes.
        await WaitForRunAsync(runId, r => r.Steps[afterWait].Status == RunStepStatus.Done, TimeSpan.FromSeconds(90), "the step after the wait is done");
        await cluster.KillAllPortalsAsync();
        await cluster.SetFaultsAsync(new SandboxFaults());
        var killed = (await cluster.Runs.GetAsync(runId))!;
        Assert.True(killed.Steps.Any(s => s.Status != RunStepStatus.Done), "the kill came after the run had finished\n" + RunScenarios.Tail(killed, 20));
        // The next step's job, if still queued, is left as a process killed just after fetching it leaves it: fetched
        // (invisible to the others) and its state lock taken. Had the dead process fetched it already, it is so anyway.
        var queue = killed.Run.PendingJobId is { } next
            ? await cluster.SqlAsync("SELECT CASE WHEN fetchedat IS NULL THEN 'queued' ELSE 'fetched' END FROM hangfire.jobqueue WHERE jobid = @id", ("id", long.Parse(next)))
            : null;
        if (queue is "queued")
        {
            await cluster.SqlAsync("UPDATE hangfire.jobqueue SET fetchedat = now() WHERE jobid = @id", ("id", long.Parse(killed.Run.PendingJobId!)));
            await cluster.SqlAsync("INSERT INTO hangfire.lock (resource, acquired) VALUES (@resource, now()) ON CONFLICT DO NOTHING",
                ("resource", $"hangfire:job:{killed.Run.PendingJobId}:state-lock"));
        }

        output.WriteLine($"killed after step {afterWait} with step {killed.Run.CurrentStep} {killed.CurrentStep?.Status}, lease {killed.Run.LeaseOwner ?? "free"}, " +
                         $"job {killed.Run.PendingJobId} {queue switch { "queued" => "queued: left fetched by the dead process", "fetched" => "fetched by the dead process", _ => "out of the queue" }}");
        var restarted = DateTimeOffset.UtcNow;
        await StartWorkersAsync();
        var progressed = await WaitForRunAsync(runId, r => r.Steps.Count(s => s.Status == RunStepStatus.Done) > killed.Steps.Count(s => s.Status == RunStepStatus.Done),
            RecoveryBound, "the run moves on after the restart");
        output.WriteLine($"next progress {(progressed.Steps.Where(s => s.FinishedAt is not null).Max(s => s.FinishedAt!.Value) - restarted).TotalSeconds:0.0} s after the restart");

        var run = await RunScenarios.RunToCompletionApprovingAsync(cluster.Runs, runId, RecoveryBound);
        output.WriteLine(RunScenarios.Tail(run, 60));
        RunScenarios.AssertEachStepStartedAndFinishedOnce(run);
        SideEffects.AssertEachAppliedOnce(run.Plan, await cluster.MutationsAsync());
    }

    [Fact]
    public async Task A_process_stopped_with_SIGTERM_in_the_middle_of_a_step_exits_in_time_and_hands_the_run_to_another_at_once()
    {
        var workers = await StartWorkersAsync();
        var source = await SourceAsync();
        // Each Heroku call takes 3 s, so a step (a read, then the change) outlasts the job server's 5 s grace.
        await cluster.SetFaultsAsync(new SandboxFaults(LatencyMs: 3000));
        var runId = await cluster.Runs.StartAsync(Plan(source, new SetMaintenance(true), new SetMaintenance(false), new SetMaintenance(true)), RunScenarios.Starter);

        var busy = await WaitForRunAsync(runId, r => r.Run.CurrentStep == 1 && r.CurrentStep!.Status == RunStepStatus.Running && r.Run.LeaseOwner is not null,
            TimeSpan.FromSeconds(90), "a worker executes the second step");
        var stopping = workers.Single(w => busy.Run.LeaseOwner!.StartsWith($"{RunLease.JobPurpose}:{w.Dyno}:", StringComparison.Ordinal));
        stopping.Terminate();
        // Heroku sends SIGKILL 30 s after SIGTERM.
        using (var herokuKills = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            await stopping.WaitForExitAsync(herokuKills.Token);
        }

        Assert.Equal(0, stopping.ExitCode);
        var atExit = (await cluster.Runs.GetAsync(runId))!;
        Assert.False(atExit.Run.LeaseOwner?.Contains($":{stopping.Dyno}:", StringComparison.Ordinal) == true,
            $"the stopped process still holds the run ({atExit.Run.LeaseOwner}, until {atExit.Run.LeaseExpiresAt:O})");

        await cluster.SetFaultsAsync(new SandboxFaults());
        var run = await RunScenarios.RunToCompletionApprovingAsync(cluster.Runs, runId, TimeSpan.FromMinutes(2));
        output.WriteLine(RunScenarios.Tail(run, 40));
        // The other process took over from the stopped one's hand-over, not from the reconciler's rescue.
        Assert.DoesNotContain(run.Events, e => e.Kind == RunEventKinds.Reconciled);
        RunScenarios.AssertEachStepStartedAndFinishedOnce(run);
        SideEffects.AssertEachAppliedOnce(run.Plan, await cluster.MutationsAsync());
    }

    private async Task<List<PortalProcess>> StartWorkersAsync() =>
        [await cluster.StartPortalAsync(PortalRole.Worker), await cluster.StartPortalAsync(PortalRole.Worker)];

    private async Task<AddonSnapshot> SourceAsync()
    {
        var kafka = (await cluster.Platform.ListAttachmentsAsync(ProcessCluster.App)).Single(a => a.Name == AttachmentNames.Primary);
        return new AddonSnapshot(Guid.Parse(kafka.Addon.Id), kafka.Addon.Name, kafka.Addon.Plan?.Name ?? "heroku-kafka:basic-0", [kafka.Name], null);
    }

    private static MigrationPlan Plan(AddonSnapshot source, params StepAction[] actions) =>
        EngineHost.HandPlan(source, [.. actions.Select(a => EngineHost.Step(a))]);

    private async Task<RunDetails> WaitForRunAsync(Guid runId, Func<RunDetails, bool> until, TimeSpan within, string what)
    {
        try
        {
            return await Deadline.PollAsync(async () => (await cluster.Runs.GetAsync(runId))!, until, within, what);
        }
        catch (TimeoutException e)
        {
            // Say what the run and every process were doing: a recovery that stalls is otherwise a bare timeout.
            var run = (await cluster.Runs.GetAsync(runId))!;
            var processes = cluster.Portals.Select(p => $"{p.Dyno}: {(p.HasExited ? $"exited {p.ExitCode}" : "running")}\n{p.Output}");
            throw new TimeoutException($"{e.Message}\n--- run\n{RunScenarios.Tail(run, 40)}\n--- processes\n{string.Join("\n", processes)}", e);
        }
    }
}
