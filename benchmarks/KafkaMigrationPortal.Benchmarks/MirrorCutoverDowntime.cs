using System.Diagnostics;
using System.Globalization;
using KafkaMigrationPortal.Engine.Execution;
using KafkaMigrationPortal.Engine.Planning;
using KafkaMigrationPortal.Features.Jobs;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace KafkaMigrationPortal.Benchmarks;

/// <summary>
/// A whole mirror migration of the demo app (basic-0-sandbox → standard-0) on a portal worker process and a standalone
/// sandbox whose producers write --rate messages per second, its gates approved as bob as soon as they open; then the
/// cutover's downtime, from the step that scales producers and consumers to 0 until the one that restores them, split
/// into its steps and the engine's time between them.
/// </summary>
internal static class MirrorCutoverDowntime
{
    public static async Task<bool> MeasureAsync(string server, int rate)
    {
        var database = $"kmp_bench_{Guid.NewGuid():N}"[..24];
        await Postgres.ExecuteAsync(server, $"CREATE DATABASE {database}");
        var connectionString = new NpgsqlConnectionStringBuilder(server) { Database = database }.ConnectionString;
        var children = new List<Process>();
        try
        {
            var sandboxUrl = await PortalProcesses.StartSandboxAsync(children, "--Sandbox:ProvisioningDelay", "00:00:01",
                "--Sandbox:DemoTopicRetention", "01:00:00", "--Dynos:ProducerMessagesPerSecond", rate.ToString(CultureInfo.InvariantCulture));
            var environment = PortalProcesses.SandboxEnvironment(connectionString, sandboxUrl);
            var worker = PortalProcesses.StartPortal(PortalRole.Worker, "worker.1", environment);
            children.Add(worker);
            await PortalProcesses.WaitForServersAsync(connectionString, 1, [worker]);
            using var controller = PortalProcesses.Controller(environment);
            var runs = controller.Services.GetRequiredService<MigrationRunService>();
            var plan = await BenchmarkPlans.PlanAsync(controller.Services, "mackerel", "heroku-kafka:standard-0", MigrationStrategy.Mirror, TimeSpan.FromSeconds(5));
            Console.WriteLine($"mirror cutover: a worker and a sandbox are up, producers at {rate} msg/s; a mirror run basic-0-sandbox → standard-0, gates approved as they open");
            var runId = await runs.StartAsync(plan, "alice@example.com");
            var run = await RunToTheEndAsync(runs, runId);

            var steps = run.Steps.Where(s => s.Kind == RunStepKind.Forward).OrderBy(s => s.Sequence).ToList();
            var from = steps.FindIndex(s => PlanSerialization.DeserializeAction(s.ActionJson) is ScaleProcesses { Quantity: 0 });
            var to = steps.FindIndex(from, s => PlanSerialization.DeserializeAction(s.ActionJson) is RestoreFormation);
            var window = steps[from..(to + 1)];
            var total = window[^1].FinishedAt!.Value - window[0].StartedAt!.Value;
            var inSteps = window.Select(s => (s.Title, Took: s.FinishedAt!.Value - s.StartedAt!.Value)).ToList();
            var between = total - inSteps.Aggregate(TimeSpan.Zero, (sum, s) => sum + s.Took);
            Console.WriteLine($"cutover downtime (producers at 0 until producers back): {Timing.Format(total)}");
            foreach (var (title, took) in inSteps) Console.WriteLine($"  {Timing.Format(took),8}  {title}");
            Console.WriteLine($"  {Timing.Format(between),8}  the engine between these steps (dispatch, events, approvals' checks)");
            return true;
        }
        finally
        {
            await PortalProcesses.StopAsync(children);
            NpgsqlConnection.ClearAllPools();
            await Postgres.ExecuteAsync(server, $"DROP DATABASE IF EXISTS {database} WITH (FORCE)");
        }
    }

    private static async Task<RunDetails> RunToTheEndAsync(MigrationRunService runs, Guid runId)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (deadline.Elapsed > TimeSpan.FromMinutes(15)) throw new TimeoutException("the mirror run did not finish within 15 minutes");
            var run = (await runs.GetAsync(runId))!;
            if (run.Run.Status is MigrationRunStatus.Paused or MigrationRunStatus.Failed or MigrationRunStatus.Aborted or MigrationRunStatus.RolledBack)
                throw new InvalidOperationException($"the mirror run stopped as {run.Run.Status}: {run.Run.LastError}");
            if (run.Run.Status == MigrationRunStatus.Succeeded) return run;
            // A live check that lags the step which just passed refuses; the next look tries again.
            if (run.CurrentStep is { Status: RunStepStatus.AwaitingApproval } gate)
                await runs.ApproveAsync(runId, gate.Sequence, "bob@example.com", "benchmark");
            await Task.Delay(100);
        }
    }
}
