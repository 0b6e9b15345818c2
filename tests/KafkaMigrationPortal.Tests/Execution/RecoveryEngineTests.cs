using System.Collections.Concurrent;
using Hangfire;
using KafkaMigrationPortal.Features.Migrations;
using KafkaMigrationPortal.Engine.Execution;
using KafkaMigrationPortal.Engine.Planning;
using KafkaMigrationPortal.Tests.Hosting;
using KafkaMigrationPortal.TestSupport;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Extensions.Options;

namespace KafkaMigrationPortal.Tests.Execution;

/// <summary>
/// What the engine decides when its jobs do not come as planned: a wake-up before the wait's end, a duplicate, a job
/// of a dead process that stays queued or scheduled. The clock is fake and the scheduler records what would be queued
/// and reports the Hangfire state a test gives it; the embedded sandbox and SQLite are real.
/// </summary>
[Collection(PortalHostCollection.Name)]
public sealed class RecoveryEngineTests(RecoveryEngineTests.Engine engine) : IClassFixture<RecoveryEngineTests.Engine>, IAsyncLifetime
{
    private static readonly TimeSpan Retention = TimeSpan.FromMinutes(10);
    private readonly FakeTimeProvider time = engine.Time;
    private readonly ScriptedScheduler scheduler = engine.Scheduler;
    private readonly EngineHost host = engine.Host;

    /// <summary>Every test starts with no run in progress (one app has one active run at most) and nothing recorded.</summary>
    public async Task InitializeAsync()
    {
        await using var db = await host.Databases.CreateDbContextAsync();
        await db.MigrationRuns.Where(r => MigrationRunStatuses.Active.Contains(r.Status))
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, MigrationRunStatus.Aborted));
        scheduler.Continuations.Clear();
        scheduler.States.Clear();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>One portal for the class: the fake clock only moves forward, so each test reads times relative to it.</summary>
    public sealed class Engine : IAsyncLifetime
    {
        private readonly string databaseFile = Path.Combine(Path.GetTempPath(), $"kmp-recovery-{Guid.NewGuid():N}.db");

        public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 27, 12, 0, 0, 300, TimeSpan.Zero));

        public ScriptedScheduler Scheduler { get; } = new();

        public EngineHost Host { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            // The reconciler runs here only when a test calls it: not on a schedule, and its start-up pass is awaited below.
            Host = EngineHost.OnSqlite(databaseFile, manualScheduling: false,
                extra: new Dictionary<string, string?> { ["Execution:ReconcilerCron"] = Cron.Never() },
                replaceServices: services =>
                {
                    services.AddSingleton<TimeProvider>(Time);
                    services.AddSingleton<IRunScheduler>(Scheduler);
                });
            var monitoring = Host.Services.GetRequiredService<JobStorage>().GetMonitoringApi();
            await Deadline.PollAsync(() => Task.FromResult(monitoring.SucceededListCount() >= 1 && monitoring.ProcessingCount() == 0),
                TimeSpan.FromSeconds(60), "the reconciler's start-up pass has run");
        }

        public async Task DisposeAsync()
        {
            await Host.DisposeAsync();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            File.Delete(databaseFile);
        }
    }

    [Fact]
    public async Task A_wake_up_that_comes_before_the_wait_ends_is_scheduled_again_for_its_end_instead_of_being_dropped()
    {
        var (runId, until) = await StartWaitingRunAsync();

        // Hangfire keeps schedule times in whole seconds: the wake-up for 12:10:00.300 can come at 12:09:59.4.
        time.SetUtcNow(until - TimeSpan.FromMilliseconds(900));
        scheduler.Continuations.Clear();
        await host.AdvanceOnceAsync(runId);

        var (_, next) = Assert.Single(scheduler.Continuations, c => c.RunId == runId);
        Assert.Equal(new Continuation.At(until), next);
        var run = (await host.Runs.GetAsync(runId))!;
        Assert.Equal(RunStepStatus.Waiting, run.CurrentStep!.Status);
        Assert.Equal(until, run.CurrentStep.WaitUntil);
        Assert.Equal(1, run.CurrentStep.Attempts);

        time.SetUtcNow(until);
        await host.AdvanceOnceAsync(runId);
        Assert.Equal(MigrationRunStatus.Succeeded, (await host.Runs.GetAsync(runId))!.Run.Status);
    }

    [Fact]
    public async Task An_early_duplicate_ends_when_the_runs_own_wake_up_is_still_scheduled_for_the_waits_end()
    {
        var (runId, until) = await StartWaitingRunAsync();
        await SetPendingJobAsync(runId, "wake-up");
        scheduler.States["wake-up"] = new PendingJob(PendingJobState.Scheduled, HangfireRunScheduler.WholeSecondAtOrAfter(until));

        time.Advance(TimeSpan.FromMinutes(3));
        scheduler.Continuations.Clear();
        await host.AdvanceOnceAsync(runId);

        Assert.DoesNotContain(scheduler.Continuations, c => c.RunId == runId);
        Assert.Equal(RunStepStatus.Waiting, (await host.Runs.GetAsync(runId))!.CurrentStep!.Status);
    }

    [Fact]
    public void A_scheduled_time_is_rounded_up_to_a_whole_second_so_Hangfire_never_queues_it_early()
    {
        var when = new DateTimeOffset(2026, 11, 27, 12, 0, 0, 300, TimeSpan.Zero);
        Assert.Equal(new DateTimeOffset(2026, 11, 27, 12, 0, 1, TimeSpan.Zero), HangfireRunScheduler.WholeSecondAtOrAfter(when));
        Assert.Equal(when.AddMilliseconds(700), HangfireRunScheduler.WholeSecondAtOrAfter(when.AddMilliseconds(700)));
    }

    [Theory]
    [InlineData(PendingJobState.Enqueued, -120, true)] // fetched by a process that died: never started
    [InlineData(PendingJobState.Enqueued, -10, false)] // just queued
    [InlineData(PendingJobState.Scheduled, -120, true)] // overdue: a dead process's scheduler lock held it back
    [InlineData(PendingJobState.Scheduled, 3600, false)] // the wait has an hour to go
    [InlineData(PendingJobState.Processing, -120, true)] // processing for two minutes without the run's lease
    [InlineData(PendingJobState.Processing, -10, false)] // just started, about to take the lease
    public async Task The_reconciler_queues_a_job_for_a_run_whose_job_is_stuck_and_leaves_one_whose_job_will_still_run(
        PendingJobState state, int sinceSeconds, bool requeued)
    {
        var source = await host.SourceAsync();
        var runId = await host.Runs.StartAsync(EngineHost.HandPlan(source, EngineHost.Step(new SetMaintenance(true))), EngineHost.Starter);
        await SetPendingJobAsync(runId, "job-1");
        scheduler.States["job-1"] = new PendingJob(state, time.GetUtcNow().AddSeconds(sinceSeconds));
        scheduler.Continuations.Clear();

        using (var scope = host.Services.CreateScope())
        {
            await scope.ServiceProvider.GetRequiredService<RunReconciler>().ReconcileAsync(CancellationToken.None);
        }

        Assert.Equal(requeued, scheduler.Continuations.Any(c => c.RunId == runId && c.Next == Continuation.Now));
        var events = (await host.Runs.GetAsync(runId))!.Events;
        Assert.Equal(requeued, events.Any(e => e.Kind == RunEventKinds.Reconciled && e.Summary.Contains(state.ToString().ToLowerInvariant())));
    }

    [Fact]
    public async Task A_run_saved_a_moment_ago_with_no_job_recorded_yet_is_left_to_its_starter_and_rescued_once_that_has_lasted_too_long()
    {
        // Seen in the recovery proof: the reconciler ran between the start saving the run and recording its job, and
        // queued a second job for it.
        var source = await host.SourceAsync();
        var runId = await host.Runs.StartAsync(EngineHost.HandPlan(source, EngineHost.Step(new SetMaintenance(true))), EngineHost.Starter);
        Assert.Null((await host.Runs.GetAsync(runId))!.Run.PendingJobId);
        scheduler.Continuations.Clear();

        Assert.Equal(0, await ReconcileAsync());
        Assert.DoesNotContain(scheduler.Continuations, c => c.RunId == runId);

        time.Advance(host.Services.GetRequiredService<IOptions<ExecutionOptions>>().Value.PendingJobTimeout);
        Assert.Equal(1, await ReconcileAsync());
        Assert.Contains(scheduler.Continuations, c => c.RunId == runId && c.Next == Continuation.Now);
        Assert.Contains((await host.Runs.GetAsync(runId))!.Events, e => e.Kind == RunEventKinds.Reconciled && e.Summary.Contains("no pending job"));
    }

    private async Task<int> ReconcileAsync()
    {
        using var scope = host.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<RunReconciler>().ReconcileAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_job_that_finds_the_run_held_by_another_job_looks_again_just_after_that_claim_would_run_out()
    {
        var source = await host.SourceAsync();
        var runId = await host.Runs.StartAsync(EngineHost.HandPlan(source, EngineHost.Step(new SetMaintenance(true))), EngineHost.Starter);
        var expires = time.GetUtcNow().AddSeconds(42);
        await using (var db = await host.Databases.CreateDbContextAsync())
        {
            await db.MigrationRuns.Where(r => r.Id == runId).ExecuteUpdateAsync(s => s
                .SetProperty(r => r.LeaseOwner, "job:worker.9:4:dead").SetProperty(r => r.LeaseExpiresAt, expires));
        }

        scheduler.Continuations.Clear();
        await host.AdvanceOnceAsync(runId);

        var (_, next) = Assert.Single(scheduler.Continuations, c => c.RunId == runId);
        Assert.Equal(new Continuation.At(expires.AddSeconds(1)), next);
        Assert.Equal(RunStepStatus.Pending, (await host.Runs.GetAsync(runId))!.CurrentStep!.Status);
    }

    [Fact]
    public async Task The_Hangfire_scheduler_files_a_wake_up_at_its_whole_second_and_reports_it_scheduled_until_then()
    {
        var jobs = host.Services.GetRequiredService<IBackgroundJobClient>();
        var hangfire = new HangfireRunScheduler(jobs, host.Services.GetRequiredService<JobStorage>(), host.Databases);
        var source = await host.SourceAsync();
        var runId = await host.Runs.StartAsync(EngineHost.HandPlan(source, EngineHost.Step(new SetMaintenance(true))), EngineHost.Starter);
        var when = DateTimeOffset.UtcNow.AddHours(1).AddMilliseconds(250);

        await hangfire.ContinueAsync(runId, new Continuation.At(when));

        var jobId = (await host.Runs.GetAsync(runId))!.Run.PendingJobId;
        var pending = hangfire.Find(jobId);
        Assert.Equal(PendingJobState.Scheduled, pending?.State);
        Assert.Equal(HangfireRunScheduler.WholeSecondAtOrAfter(when), pending!.Since);
        Assert.Null(hangfire.Find("no-such-job"));
        jobs.Delete(jobId);
        Assert.Null(hangfire.Find(jobId));
    }

    /// <summary>A one-step run waiting out a retention period that began now: returns the run and the wait's end.</summary>
    private async Task<(Guid RunId, DateTimeOffset Until)> StartWaitingRunAsync()
    {
        var source = await host.SourceAsync();
        var plan = EngineHost.HandPlan(source, EngineHost.Step(new WaitForRetention(Retention, TimeSpan.Zero)));
        var runId = await host.Runs.StartAsync(plan, EngineHost.Starter);
        await using (var db = await host.Databases.CreateDbContextAsync())
        {
            var started = time.GetUtcNow();
            await db.MigrationRuns.Where(r => r.Id == runId).ExecuteUpdateAsync(s => s.SetProperty(r => r.DoubleWriteStartedAt, started));
        }

        await host.AdvanceOnceAsync(runId);
        var run = (await host.Runs.GetAsync(runId))!;
        Assert.Equal(RunStepStatus.Waiting, run.CurrentStep!.Status);
        var until = time.GetUtcNow() + Retention;
        Assert.Equal(until, run.CurrentStep.WaitUntil);
        Assert.Contains(scheduler.Continuations, c => c.RunId == runId && c.Next == new Continuation.At(until));
        return (runId, until);
    }

    private async Task SetPendingJobAsync(Guid runId, string jobId)
    {
        await using var db = await host.Databases.CreateDbContextAsync();
        await db.MigrationRuns.Where(r => r.Id == runId).ExecuteUpdateAsync(s => s.SetProperty(r => r.PendingJobId, jobId));
    }

    /// <summary>Records continuations; reports the Hangfire state the test set for a job id (none: finished or unknown).</summary>
    public sealed class ScriptedScheduler : IRunScheduler
    {
        public ConcurrentQueue<(Guid RunId, Continuation Next)> Continuations { get; } = new();

        public ConcurrentDictionary<string, PendingJob> States { get; } = new();

        public Task ContinueAsync(Guid runId, Continuation continuation, CancellationToken ct = default)
        {
            if (continuation is not Continuation.NoJob) Continuations.Enqueue((runId, continuation));
            return Task.CompletedTask;
        }

        public PendingJob? Find(string? jobId) => jobId is not null && States.TryGetValue(jobId, out var job) ? job : null;
    }
}
