using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using KafkaMigrationPortal.Features.Connections;
using KafkaMigrationPortal.Features.Jobs;
using KafkaMigrationPortal.Features.Migrations;
using KafkaMigrationPortal.Engine.Execution;
using KafkaMigrationPortal.Engine.Planning;
using KafkaMigrationPortal.Engine.Storage;
using KafkaMigrationPortal.Heroku;
using KafkaMigrationPortal.Heroku.Platform;
using KafkaMigrationPortal.Sandbox;
using KafkaMigrationPortal.Sandbox.Control;
using KafkaMigrationPortal.Sandbox.Dynos;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace KafkaMigrationPortal.Benchmarks;

/// <summary>
/// Recovery after dyno deaths with the shipped settings (no <c>Execution:*</c> setting: lease 60 s, reconciler every
/// minute, Hangfire.PostgreSql as the portal configures it): a web and two worker processes on a throwaway database and
/// a standalone sandbox run a double-write migration (basic-0 → standard-0) while this process approves its gates. Every
/// portal process is stopped three times and started again at once: with SIGTERM while a step runs, with SIGKILL while
/// the run waits out the retention period, and with SIGKILL right after a step completes. Each figure is the time from
/// the restart (or the wait's end, when that is later) to the run's next progress (an engine event other than the
/// reconciler's). Then: every mutating step made its change once, and every message produced was consumed.
/// </summary>
public sealed class RecoveryBenchmark : IBenchmark
{
    private const string App = "mackerel";
    private static readonly TimeSpan AfterSigtermTarget = TimeSpan.FromSeconds(10);
    private static readonly JsonSerializerOptions SandboxJson = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public string Name => "recovery";

    public string Description =>
        $"Time from restarting every portal process (web + 2 workers, shipped settings, PostgreSQL from {HistoryPageBenchmark.ConnectionVariable} or KMP_TEST_POSTGRES) to the run's next progress, after SIGTERM mid-step and SIGKILL in a wait and after a step; --retention (20) seconds";

    public async Task<int> RunAsync(BenchmarkArgs args)
    {
        var retention = TimeSpan.FromSeconds(args.Int("retention", 20));
        var server = Environment.GetEnvironmentVariable(HistoryPageBenchmark.ConnectionVariable) ?? Environment.GetEnvironmentVariable("KMP_TEST_POSTGRES");
        if (string.IsNullOrWhiteSpace(server))
        {
            Console.Error.WriteLine($"recovery: set {HistoryPageBenchmark.ConnectionVariable} to an Npgsql connection string of a PostgreSQL server the benchmark may create a database on");
            return 2;
        }

        var shipped = new ExecutionOptions();
        // A dead holder's claim runs out, then the reconciler's next pass (every minute) queues the run again.
        var afterKillTarget = shipped.LeaseDuration + TimeSpan.FromMinutes(1);
        var database = $"kmp_bench_{Guid.NewGuid():N}"[..24];
        await Postgres.ExecuteAsync(server, $"CREATE DATABASE {database}");
        var connectionString = new NpgsqlConnectionStringBuilder(server) { Database = database }.ConnectionString;
        var sandbox = new List<Process>();
        var portals = new List<Process>();
        try
        {
            var sandboxUrl = await PortalProcesses.StartSandboxAsync(sandbox, "--Sandbox:ProvisioningDelay", "00:00:01",
                "--Sandbox:DemoTopicRetention", $"00:00:{retention.TotalSeconds:00}");
            var environment = PortalProcesses.SandboxEnvironment(connectionString, sandboxUrl);
            var generation = 0;
            string[] dynos = [];
            async Task<DateTimeOffset> StartPortalsAsync()
            {
                generation++;
                dynos = [$"web.{generation}", $"worker.{2 * generation - 1}", $"worker.{2 * generation}"];
                var launched = DateTimeOffset.UtcNow;
                portals.Clear();
                portals.AddRange(dynos.Select(d => PortalProcesses.StartPortal(d.StartsWith("web", StringComparison.Ordinal) ? PortalRole.Web : PortalRole.Worker, d, environment)));
                await PortalProcesses.WaitForServersAsync(connectionString, dynos.Length, portals, dynos);
                return launched;
            }

            await StartPortalsAsync();
            using var controller = PortalProcesses.Controller(environment);
            using var sandboxControl = new HttpClient { BaseAddress = new Uri(new Uri(sandboxUrl), "/_sandbox/") };
            var service = controller.Services.GetRequiredService<MigrationRunService>();
            var platform = controller.Services.GetRequiredService<IHerokuClientFactory>().Platform(controller.Services.GetRequiredService<HerokuConnection>().Credential);
            var plan = await BenchmarkPlans.DoubleWriteAsync(controller.Services, App, "heroku-kafka:standard-0", TimeSpan.FromSeconds(5));
            Console.WriteLine($"web + 2 workers (shipped settings) and a sandbox are up; a double-write run of {plan.Steps.Count} steps, retention {retention.TotalSeconds:0} s");
            var runId = await service.StartAsync(plan, "alice@example.com");

            var results = new List<(string What, TimeSpan Elapsed, TimeSpan Target)>();
            Disruption? current = null;
            var stage = 0;
            int? afterStep = null;
            var deadline = Stopwatch.StartNew();
            RunDetails run;
            while (true)
            {
                if (deadline.Elapsed > TimeSpan.FromMinutes(20)) throw new TimeoutException("the run did not finish within 20 minutes");
                run = (await service.GetAsync(runId))!;
                if (run.Run.Status is MigrationRunStatus.Paused or MigrationRunStatus.Aborted or MigrationRunStatus.RolledBack)
                    throw new InvalidOperationException($"the run stopped as {run.Run.Status}: {run.Run.LastError}");

                if (current is { } d && Progress(run, d) is { } at)
                {
                    var elapsed = at - d.MeasuredFrom;
                    Console.WriteLine($"{d.What}: processes stopped in {Timing.Format(d.StoppedIn)} (exit {d.ExitCodes}), up {Timing.Format(d.UpIn)} after the restart; " +
                                      $"next progress {Timing.Format(elapsed)} after {(d.MeasuredFrom > d.Restarted ? "the wait's end" : "the restart")} " +
                                      $"(target <= {Timing.Format(d.Target)}) {(elapsed <= d.Target ? "OK" : "MISSED")}");
                    results.Add((d.What, elapsed, d.Target));
                    current = null;
                }

                if (run.Run.Status == MigrationRunStatus.Succeeded && current is null) break;
                if (run.Run.Status == MigrationRunStatus.AwaitingApproval && run.CurrentStep is { Status: RunStepStatus.AwaitingApproval } gate)
                {
                    // Live checks may lag the step that just passed by a moment: a refusal is tried again on the next look.
                    await service.ApproveAsync(runId, gate.Sequence, "bob@example.com", "benchmark");
                }

                if (current is null)
                {
                    var step = run.CurrentStep;
                    var action = step is null ? null : PlanSerialization.DeserializeAction(step.ActionJson);
                    switch (stage)
                    {
                        case 0 when step is { Sequence: >= 1, Status: RunStepStatus.Running } && run.Run.LeaseOwner?.StartsWith("job:", StringComparison.Ordinal) == true:
                            current = await DisruptAsync("SIGTERM while a step runs", terminate: true, null, AfterSigtermTarget);
                            stage++;
                            break;
                        case 1 when action is WaitForRetention && step!.Status == RunStepStatus.Waiting:
                            current = await DisruptAsync("SIGKILL during the retention wait", terminate: false, step.WaitUntil, afterKillTarget);
                            afterStep = step.Sequence + 1;
                            stage++;
                            break;
                        case 2 when run.Steps.Any(s => s.Sequence == afterStep && s.Status == RunStepStatus.Done):
                            current = await DisruptAsync($"SIGKILL right after step {afterStep} completed", terminate: false, null, afterKillTarget);
                            stage++;
                            break;
                    }
                }

                await Task.Delay(25);
            }

            async Task<Disruption> DisruptAsync(string what, bool terminate, DateTimeOffset? waitUntil, TimeSpan target)
            {
                var stopping = Stopwatch.StartNew();
                foreach (var portal in portals)
                {
                    if (terminate) PortalProcesses.Terminate(portal);
                    else portal.Kill(entireProcessTree: true);
                }

                foreach (var portal in portals) await portal.WaitForExitAsync();
                var stoppedIn = stopping.Elapsed;
                var exitCodes = string.Join(",", portals.Select(p => p.ExitCode));
                foreach (var portal in portals) portal.Dispose();
                var restarted = await StartPortalsAsync();
                var upIn = DateTimeOffset.UtcNow - restarted;
                var from = waitUntil is { } end && end > restarted ? end : restarted;
                return new Disruption(what, restarted, from, target, stoppedIn, exitCodes, upIn);
            }

            if (stage < 3) throw new InvalidOperationException($"the run finished before every disruption happened (stage {stage})");
            var mutations = (await sandboxControl.GetFromJsonAsync<List<SandboxMutation>>("mutations", SandboxJson))!;
            var twice = AppliedMoreOrLessThanOnce(plan, mutations);
            Console.WriteLine(twice.Count == 0 ? "every mutating step made its change exactly once" : "NOT applied exactly once: " + string.Join("; ", twice));

            await platform.UpdateFormationAsync(App, new HerokuFormationBatchUpdate([new HerokuFormationUpdate("producer", 0)]));
            var ledger = await DrainedLedgerAsync(sandboxControl);
            Console.WriteLine($"messages: {ledger.Topics.Sum(t => t.Produced)} produced, {ledger.Topics.Sum(t => t.MissingCount)} missing, " +
                              $"{ledger.Topics.Sum(t => t.DuplicateDeliveries)} duplicate deliveries (skipped by the consumers)");
            var met = results.All(r => r.Elapsed <= r.Target) && twice.Count == 0 && ledger.NothingMissing;
            Console.WriteLine(met ? "recovery: every target met" : "recovery: a target was MISSED");
            return met ? 0 : 1;
        }
        finally
        {
            await PortalProcesses.StopAsync(portals);
            await PortalProcesses.StopAsync(sandbox);
            NpgsqlConnection.ClearAllPools();
            await Postgres.ExecuteAsync(server, $"DROP DATABASE IF EXISTS {database} WITH (FORCE)");
        }
    }

    /// <param name="MeasuredFrom">The restart, or the end of the wait the run was in when that is later.</param>
    private sealed record Disruption(string What, DateTimeOffset Restarted, DateTimeOffset MeasuredFrom, TimeSpan Target, TimeSpan StoppedIn, string ExitCodes, TimeSpan UpIn);

    /// <summary>When the engine next did something after the restart (the reconciler's re-queue does not count).</summary>
    private static DateTimeOffset? Progress(RunDetails run, Disruption disruption) =>
        run.Events.Where(e => e.Actor == RunEvent.EngineActor && e.Kind != RunEventKinds.Reconciled && e.At > disruption.Restarted)
            .Select(e => (DateTimeOffset?)e.At).FirstOrDefault();

    /// <summary>Kinds of change whose count of successful calls differs from the plan's count of steps making it.</summary>
    private static List<string> AppliedMoreOrLessThanOnce(MigrationPlan plan, IReadOnlyList<SandboxMutation> mutations)
    {
        var applied = mutations.Where(m => m.Status < 400).ToList();
        var steps = plan.Steps.Select(s => s.Action).ToList();
        var expectations = new (string What, int Planned, int Made)[]
        {
            ("add-on creations", steps.OfType<ProvisionAddon>().Count(), applied.Count(m => m.Method == "POST" && m.Path == $"/apps/{App}/addons")),
            ("add-on destructions", steps.OfType<DestroyAddon>().Count(), applied.Count(m => m.Method == "DELETE" && m.Path.Contains("/addons/", StringComparison.Ordinal))),
            ("attachments", steps.OfType<Attach>().Count(), applied.Count(m => m.Method == "POST" && m.Path.EndsWith("/addon-attachments", StringComparison.Ordinal))),
            ("detachments", steps.OfType<Detach>().Count(), applied.Count(m => m.Method == "DELETE" && m.Path.Contains("/addon-attachments/", StringComparison.Ordinal))),
            ("config var changes", steps.OfType<SetConfigVars>().Count(), applied.Count(m => m.Method == "PATCH" && m.Path == $"/apps/{App}/config-vars")),
            ("maintenance switches", steps.OfType<SetMaintenance>().Count(), applied.Count(m => m.Method == "PATCH" && m.Path == $"/apps/{App}")),
            ("topic creations", steps.OfType<CreateTopics>().Sum(c => c.Topics.Count),
                applied.Count(m => m.Method == "POST" && m.Path.StartsWith("/data/kafka/", StringComparison.Ordinal) && m.Path.EndsWith("/topics", StringComparison.Ordinal))),
            ("formation changes", steps.Count(s => s is ScaleProcesses or RestoreFormation), applied.Count(m => m.Method == "PATCH" && m.Path == $"/apps/{App}/formation")),
        };
        return [.. expectations.Where(e => e.Planned != e.Made).Select(e => $"{e.What}: planned {e.Planned}, made {e.Made}")];
    }

    /// <summary>The ledger once the consumers have read everything (or after a minute, as it then stands).</summary>
    private static async Task<LedgerReport> DrainedLedgerAsync(HttpClient sandboxControl)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            var ledger = (await sandboxControl.GetFromJsonAsync<LedgerReport>($"ledger/{App}", SandboxJson))!;
            if (ledger.NothingMissing || waited.Elapsed > TimeSpan.FromMinutes(1)) return ledger;
            await Task.Delay(500);
        }
    }
}
