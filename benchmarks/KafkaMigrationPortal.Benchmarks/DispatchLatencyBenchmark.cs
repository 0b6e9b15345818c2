using System.Diagnostics;
using KafkaMigrationPortal.Features.Connections;
using KafkaMigrationPortal.Features.Jobs;
using KafkaMigrationPortal.Features.Migrations;
using KafkaMigrationPortal.Engine.Execution;
using KafkaMigrationPortal.Engine.Planning;
using KafkaMigrationPortal.Heroku;
using KafkaMigrationPortal.Sandbox;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace KafkaMigrationPortal.Benchmarks;

/// <summary>
/// Step dispatch latency of the engine on PostgreSQL with two job servers: two portal worker processes (Hangfire with
/// long polling) share a fresh database and a standalone sandbox; this process starts runs and approves their gates.
/// Each run is --steps (20) cheap mutating steps (maintenance on/off), every fourth gated. The first two runs, on freshly
/// started workers, give the cold figure; --runs (8) more give the warm one. A sample is the time from a
/// step becoming runnable — the previous step's "done" event, the approval's event, or the run's start — to the
/// event the engine writes just before the step's mutating Heroku call (after the step's reconciling read, so the
/// figure slightly overstates the time to the first call). Every timestamp comes from the one machine's clock.
/// </summary>
public sealed class DispatchLatencyBenchmark : IBenchmark
{
    private static readonly TimeSpan P50Target = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan P99Target = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan ColdP99Target = TimeSpan.FromMilliseconds(500);
    private const int ColdRuns = 2;

    public string Name => "dispatch";

    public string Description =>
        $"Engine step dispatch latency, step runnable → its Heroku call, two worker processes on PostgreSQL ({HistoryPageBenchmark.ConnectionVariable} or KMP_TEST_POSTGRES); the first 2 runs on fresh workers are the cold figure (--warm-up 0: workers without their start-up warm-up), then --runs (8) warm, --steps (20)";

    public async Task<int> RunAsync(BenchmarkArgs args)
    {
        int runs = args.Int("runs", 8), steps = args.Int("steps", 20);
        var server = Environment.GetEnvironmentVariable(HistoryPageBenchmark.ConnectionVariable) ?? Environment.GetEnvironmentVariable("KMP_TEST_POSTGRES");
        if (string.IsNullOrWhiteSpace(server))
        {
            Console.Error.WriteLine($"dispatch: set {HistoryPageBenchmark.ConnectionVariable} to an Npgsql connection string of a PostgreSQL server the benchmark may create a database on");
            return 2;
        }

        var database = $"kmp_bench_{Guid.NewGuid():N}"[..24];
        await Postgres.ExecuteAsync(server, $"CREATE DATABASE {database}");
        var connectionString = new NpgsqlConnectionStringBuilder(server) { Database = database }.ConnectionString;
        var children = new List<Process>();
        try
        {
            var sandboxUrl = await PortalProcesses.StartSandboxAsync(children, "--Sandbox:ProvisioningDelay", "00:00:00");
            var environment = PortalProcesses.SandboxEnvironment(connectionString, sandboxUrl);
            // --warm-up 0: workers that take jobs at once, the cold figure as it was before the start-up warm-up.
            var warmUp = args.Int("warm-up", 1, allowZero: true) != 0;
            if (!warmUp) environment["Jobs__WarmUpTimeout"] = "00:00:00";
            for (var i = 1; i <= 2; i++)
            {
                children.Add(PortalProcesses.StartPortal(PortalRole.Worker, $"worker.{i}", environment));
                await PortalProcesses.WaitForServersAsync(connectionString, i, children);
            }

            Console.WriteLine($"two worker processes (Hangfire on PostgreSQL, long polling) and a sandbox are up; {runs} runs of {steps} steps");
            using var controller = PortalProcesses.Controller(environment);
            // The controller starts runs as a web dyno would, and a web dyno warms up as a worker does (it runs jobs too).
            if (warmUp) await controller.Services.GetServices<IHostedService>().OfType<JobServerWarmUp>().Single().StartAsync(CancellationToken.None);
            var service = controller.Services.GetRequiredService<MigrationRunService>();
            var platform = controller.Services.GetRequiredService<IHerokuClientFactory>().Platform(controller.Services.GetRequiredService<HerokuConnection>().Credential);
            var kafka = (await platform.ListAttachmentsAsync("mackerel")).Single(a => a.Name == AttachmentNames.Primary);
            var source = new AddonSnapshot(Guid.Parse(kafka.Addon.Id), kafka.Addon.Name, kafka.Addon.Plan?.Name ?? "heroku-kafka:basic-0", [kafka.Name], null);

            // Cold: the workers' first jobs, with only their start-up warm-up behind them (JIT, EF queries, first
            // connections). Measured on their own, then the warm runs.
            List<TimeSpan> coldAfterStep = [], coldAfterApproval = [];
            var coldSlowest = new List<(string What, TimeSpan Latency)>();
            for (var r = 0; r < ColdRuns; r++)
                Collect(await DriveAsync(service, await service.StartAsync(Plan(source, steps), "alice@example.com")), coldAfterStep, coldAfterApproval, coldSlowest, r, "cold ");

            var afterStep = new List<TimeSpan>();
            var afterApproval = new List<TimeSpan>();
            var slowest = new List<(string What, TimeSpan Latency)>();
            for (var r = 0; r < runs; r++)
            {
                var runId = await service.StartAsync(Plan(source, steps), "alice@example.com");
                var run = await DriveAsync(service, runId);
                Collect(run, afterStep, afterApproval, slowest, r);
            }

            var cold = coldAfterStep.Concat(coldAfterApproval).ToList();
            Console.WriteLine("cold, slowest: " + string.Join(", ", coldSlowest.OrderByDescending(x => x.Latency).Take(5).Select(x => $"{x.What} {Timing.Format(x.Latency)}")));
            Print("cold, after a step", coldAfterStep);
            Print("cold, after an approval", coldAfterApproval);
            TimeSpan coldP50 = Timing.Percentile(cold, 0.50), coldP99 = Timing.Percentile(cold, 0.99);
            var coldMet = coldP99 <= ColdP99Target;
            Console.WriteLine($"step dispatch cold (first {ColdRuns} runs on fresh workers), {cold.Count} samples: p50 {Timing.Format(coldP50)}, " +
                              $"p99 {Timing.Format(coldP99)} (target <= {Timing.Format(ColdP99Target)}), max {Timing.Format(cold.Max())} {(coldMet ? "OK" : "MISSED")}");

            var all = afterStep.Concat(afterApproval).ToList();
            Console.WriteLine("slowest: " + string.Join(", ", slowest.OrderByDescending(x => x.Latency).Take(8).Select(x => $"{x.What} {Timing.Format(x.Latency)}")));
            Print("after the previous step", afterStep);
            Print("after an approval", afterApproval);
            TimeSpan p50 = Timing.Percentile(all, 0.50), p99 = Timing.Percentile(all, 0.99);
            var met = p50 <= P50Target && p99 <= P99Target;
            Console.WriteLine($"step dispatch warm, all {all.Count} samples: p50 {Timing.Format(p50)} (target <= {Timing.Format(P50Target)}), " +
                              $"p99 {Timing.Format(p99)} (target <= {Timing.Format(P99Target)}) {(met ? "OK" : "MISSED")}");
            return met && coldMet ? 0 : 1;
        }
        finally
        {
            await PortalProcesses.StopAsync(children);

            NpgsqlConnection.ClearAllPools();
            await Postgres.ExecuteAsync(server, $"DROP DATABASE IF EXISTS {database} WITH (FORCE)");
        }
    }

    /// <summary>Maintenance on, off, on, …: a read then one mutating call per step, no release, no dyno restart.</summary>
    private static MigrationPlan Plan(AddonSnapshot source, int count) =>
        new("mackerel", MigrationStrategy.MaintenanceWindow, source, "heroku-kafka:standard-0", ["producer"], ["consumer"], [], [],
            [.. Enumerable.Range(0, count).Select(i => new PlanStep(i, new SetMaintenance(i % 2 == 0), $"Maintenance {(i % 2 == 0 ? "on" : "off")} ({i})",
                "maintenance", "heroku maintenance", "none", RequiresApproval: i % 4 == 3, Reversible: false, Compensation: null,
                ExpectedDuration: TimeSpan.FromSeconds(1)))],
            [], Formation: new Dictionary<string, int> { ["producer"] = 1, ["consumer"] = 1 });

    /// <summary>Waits for the run to end, approving each gate as a second person as soon as it is seen.</summary>
    private static async Task<RunDetails> DriveAsync(MigrationRunService service, Guid runId)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromMinutes(3))
        {
            var run = (await service.GetAsync(runId))!;
            switch (run.Run.Status)
            {
                case MigrationRunStatus.Succeeded:
                    return run;
                case MigrationRunStatus.AwaitingApproval when run.CurrentStep is { Status: RunStepStatus.AwaitingApproval } gate:
                    var approval = await service.ApproveAsync(runId, gate.Sequence, "bob@example.com", "benchmark");
                    if (!approval.Succeeded) throw new InvalidOperationException($"approval refused: {approval.Message}");
                    continue;
                case MigrationRunStatus.Paused or MigrationRunStatus.Aborted or MigrationRunStatus.RolledBack:
                    throw new InvalidOperationException($"the run stopped as {run.Run.Status}: {run.Run.LastError}");
            }

            await Task.Delay(20);
        }

        throw new TimeoutException($"run {runId} did not finish within 3 minutes");
    }

    private static void Collect(RunDetails run, List<TimeSpan> afterStep, List<TimeSpan> afterApproval, List<(string, TimeSpan)> all, int runIndex,
        string label = "")
    {
        var start = run.Events.First(e => e.Kind == RunEventKinds.RunStarted).At;
        foreach (var step in run.Steps)
        {
            var call = run.Events.First(e => e.Kind == RunEventKinds.HerokuCallIntent && e.StepSequence == step.Sequence).At;
            if (step.RequiresApproval)
            {
                afterApproval.Add(call - run.Events.Last(e => e.Kind == RunEventKinds.Approved && e.StepSequence == step.Sequence).At);
                all.Add(($"{label}run {runIndex + 1} step {step.Sequence} (approved)", afterApproval[^1]));
            }
            else
            {
                var previousDone = run.Events.LastOrDefault(e => e.Kind == RunEventKinds.StepDone && e.StepSequence == step.Sequence - 1)?.At;
                afterStep.Add(call - (previousDone ?? start));
                all.Add(($"{label}run {runIndex + 1} step {step.Sequence}", afterStep[^1]));
            }
        }
    }

    private static void Print(string what, IReadOnlyList<TimeSpan> samples) =>
        Console.WriteLine($"step dispatch {what,-24} {samples.Count,4} samples: p50 {Timing.Format(Timing.Percentile(samples, 0.5))}, " +
                          $"p99 {Timing.Format(Timing.Percentile(samples, 0.99))}, max {Timing.Format(samples.Max())}");
}
