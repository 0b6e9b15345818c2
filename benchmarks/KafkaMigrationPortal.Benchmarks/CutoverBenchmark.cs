using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using KafkaMigrationPortal.Features.Connections;
using KafkaMigrationPortal.Features.Jobs;
using KafkaMigrationPortal.Features.Migrations;
using KafkaMigrationPortal.Engine.Execution;
using KafkaMigrationPortal.Engine.Planning;
using KafkaMigrationPortal.Heroku;
using KafkaMigrationPortal.Heroku.Platform;
using KafkaMigrationPortal.Sandbox.Dynos;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace KafkaMigrationPortal.Benchmarks;

/// <summary>
/// What carrying consumer positions saves at the consumer switch: two copies of the demo app make the same double-write
/// migration (the sandbox-only twins of basic-0 → standard-0, so that the new add-on ages records out in seconds too) side
/// by side, at <c>--rate</c> messages per second and <c>--retention</c> seconds of topic retention, on one portal worker and a standalone sandbox whose consumers keep their duplicate filter in memory
/// (every restart forgets it). One run carries each group's position to the new add-on before the switch, as the
/// portal does; in the other the switch step carries nothing, so the groups start at the new add-on's earliest record.
/// The consumer switch's approval can be held for <c>--approval-wait</c> seconds. It prints, per group, the messages
/// handled again since that approval, beside the messages written from the approval until the consumers had caught up.
/// </summary>
public sealed class CutoverBenchmark : IBenchmark
{
    private static readonly JsonSerializerOptions SandboxJson = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public string Name => "cutover";

    public string Description =>
        $"Messages handled again per consumer group after a double-write consumer switch, positions carried vs left at the earliest record (PostgreSQL from {HistoryPageBenchmark.ConnectionVariable} or KMP_TEST_POSTGRES); --rate (50) msg/s, --retention (60) s, --approval-wait (0) s";

    public async Task<int> RunAsync(BenchmarkArgs args)
    {
        var rate = args.Int("rate", 50);
        var retention = TimeSpan.FromSeconds(args.Int("retention", 60));
        var approvalWait = TimeSpan.FromSeconds(args.Int("approval-wait", 0, allowZero: true));
        var server = Environment.GetEnvironmentVariable(HistoryPageBenchmark.ConnectionVariable) ?? Environment.GetEnvironmentVariable("KMP_TEST_POSTGRES");
        if (string.IsNullOrWhiteSpace(server))
        {
            Console.Error.WriteLine($"cutover: set {HistoryPageBenchmark.ConnectionVariable} to an Npgsql connection string of a PostgreSQL server the benchmark may create a database on");
            return 2;
        }

        var database = $"kmp_bench_{Guid.NewGuid():N}"[..24];
        await Postgres.ExecuteAsync(server, $"CREATE DATABASE {database}");
        var connectionString = new NpgsqlConnectionStringBuilder(server) { Database = database }.ConnectionString;
        var children = new List<Process>();
        try
        {
            var sandboxUrl = await PortalProcesses.StartSandboxAsync(children, "--Sandbox:ProvisioningDelay", "00:00:01",
                "--Sandbox:DemoTopicRetention", retention.ToString("c", CultureInfo.InvariantCulture),
                "--Dynos:ProducerMessagesPerSecond", rate.ToString(CultureInfo.InvariantCulture));
            var environment = PortalProcesses.SandboxEnvironment(connectionString, sandboxUrl);
            var worker = PortalProcesses.StartPortal(PortalRole.Worker, "worker.1", environment);
            children.Add(worker);
            await PortalProcesses.WaitForServersAsync(connectionString, 1, [worker]);
            using var controller = PortalProcesses.Controller(environment);
            using var sandboxControl = new HttpClient { BaseAddress = new Uri(new Uri(sandboxUrl), "/_sandbox/") };
            Console.WriteLine($"a worker and a sandbox are up: {rate} msg/s, retention {Timing.Format(retention)}, consumer-switch approval held {Timing.Format(approvalWait)}; " +
                              "two double-write runs side by side (basic-0 → standard-0)");

            var cutovers = await Task.WhenAll(
                CutoverAsync(controller.Services, sandboxControl, "cutover-carried", carryPositions: true, approvalWait),
                CutoverAsync(controller.Services, sandboxControl, "cutover-earliest", carryPositions: false, approvalWait));
            foreach (var cutover in cutovers) Print(cutover);

            var (carried, earliest) = (cutovers[0], cutovers[1]);
            Console.WriteLine($"handled again: {earliest.HandledAgain} left at the earliest record, {carried.HandledAgain} carried " +
                              $"(ratio {(carried.HandledAgain == 0 ? "∞" : (earliest.HandledAgain / (double)carried.HandledAgain).ToString("0.0", CultureInfo.InvariantCulture))} : 1)");
            var met = cutovers.All(c => c.Ledger.NothingMissing)
                      && carried.Ledger.Topics.SelectMany(t => t.Groups).GroupBy(g => g.ConsumerGroup).All(g => g.Sum(x => x.RepeatedHandlings) <= carried.WrittenWhileSwitching);
            Console.WriteLine(met
                ? "cutover: nothing missing, and with positions carried no group handled again more than was written while the switch rolled out"
                : "cutover: a message is MISSING or a group with carried positions handled again more than was written while the switch rolled out");
            return met ? 0 : 1;
        }
        finally
        {
            await PortalProcesses.StopAsync(children);
            NpgsqlConnection.ClearAllPools();
            await Postgres.ExecuteAsync(server, $"DROP DATABASE IF EXISTS {database} WITH (FORCE)");
        }
    }

    /// <param name="WrittenWhileSwitching">Messages written from the consumer switch's approval until the consumers had caught up on the new add-on.</param>
    /// <param name="Ledger">Deliveries since that approval, after the producers stopped and the consumers drained.</param>
    private sealed record Cutover(string App, bool CarriedPositions, long WrittenWhileSwitching, string PositionsEvent, LedgerReport Ledger)
    {
        public int HandledAgain => Ledger.Topics.Sum(t => t.Groups.Sum(g => g.RepeatedHandlings));
    }

    private static async Task<Cutover> CutoverAsync(IServiceProvider services, HttpClient sandboxControl, string app, bool carryPositions, TimeSpan approvalWait)
    {
        (await sandboxControl.PostAsJsonAsync("demo-apps", new { name = app })).EnsureSuccessStatusCode();
        // The app's consumers have joined and read from every topic before the migration starts, as in its steady state.
        await LedgerAsync(sandboxControl, app, null, r => r.Topics.Count > 0 && r.Topics.All(t => t.Consumed > 0), TimeSpan.FromMinutes(2));

        var plan = await BenchmarkPlans.DoubleWriteAsync(services, app, "heroku-kafka:standard-0-sandbox", TimeSpan.FromSeconds(5));
        if (!carryPositions)
        {
            plan = plan with
            {
                Steps = [.. plan.Steps.Select(s => s.Action is SetConfigVars { CarriesPositionsOf.Count: > 0 } carrying ? s with { Action = carrying with { CarriesPositionsOf = null } } : s)],
            };
        }

        var runs = services.GetRequiredService<MigrationRunService>();
        var runId = await runs.StartAsync(plan, "alice@example.com");
        DateTimeOffset? switchShown = null, switchApproved = null;
        long producedAtApproval = 0, producedOnceCaughtUp = 0;
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (deadline.Elapsed > TimeSpan.FromMinutes(30)) throw new TimeoutException($"{app}: the run did not finish within 30 minutes");
            var run = (await runs.GetAsync(runId))!;
            if (run.Run.Status is MigrationRunStatus.Paused or MigrationRunStatus.Failed or MigrationRunStatus.Aborted or MigrationRunStatus.RolledBack)
                throw new InvalidOperationException($"{app}: the run stopped as {run.Run.Status}: {run.Run.LastError}");
            if (run.Run.Status == MigrationRunStatus.Succeeded) break;

            var action = run.CurrentStep is { } current ? PlanSerialization.DeserializeAction(current.ActionJson) : null;
            if (switchApproved is not null && producedOnceCaughtUp == 0
                && run.Steps.Single(s => PlanSerialization.DeserializeAction(s.ActionJson) is WaitForConsumerCatchUp { Addon: AddonRole.Target }).Status == RunStepStatus.Done)
                producedOnceCaughtUp = await ProducedAsync(sandboxControl, app);

            if (run.Run.Status == MigrationRunStatus.AwaitingApproval && run.CurrentStep is { Status: RunStepStatus.AwaitingApproval } gate)
            {
                var isSwitch = switchApproved is null && action is SetConfigVars { Vars: var vars } && vars.GetValueOrDefault(PinVars.ConsumerAddonName) is not null;
                switchShown ??= isSwitch ? DateTimeOffset.UtcNow : null;
                if (!isSwitch || DateTimeOffset.UtcNow - switchShown >= approvalWait)
                {
                    var produced = await ProducedAsync(sandboxControl, app);
                    var at = DateTimeOffset.UtcNow;
                    // Live checks may lag the step that just passed by a moment: a refusal is tried again on the next look.
                    if ((await runs.ApproveAsync(runId, gate.Sequence, "bob@example.com", "benchmark")).Succeeded && isSwitch)
                        (switchApproved, producedAtApproval) = (at, produced);
                }
            }

            await Task.Delay(100);
        }

        var details = (await runs.GetAsync(runId))!;
        var positions = details.Events.FirstOrDefault(e => e.Summary.StartsWith("Consumer positions carried", StringComparison.Ordinal))?.Summary
                        ?? "no positions carried";
        var platform = services.GetRequiredService<IHerokuClientFactory>().Platform(services.GetRequiredService<HerokuConnection>().Credential);
        await platform.UpdateFormationAsync(app, new HerokuFormationBatchUpdate([new HerokuFormationUpdate("producer", 0)]));
        var ledger = await LedgerAsync(sandboxControl, app, switchApproved, r => r.NothingMissing, TimeSpan.FromMinutes(1));
        return new Cutover(app, carryPositions, producedOnceCaughtUp - producedAtApproval, positions, ledger);
    }

    private static void Print(Cutover cutover)
    {
        Console.WriteLine($"{(cutover.CarriedPositions ? "positions carried" : "left at the earliest record")} ({cutover.App}): " +
                          $"{cutover.Ledger.Topics.Sum(t => t.Produced)} messages produced, {cutover.Ledger.Topics.Sum(t => t.MissingCount)} missing; " +
                          $"{cutover.WrittenWhileSwitching} written from the switch's approval until the consumers caught up");
        foreach (var group in cutover.Ledger.Topics.SelectMany(t => t.Groups).GroupBy(g => g.ConsumerGroup).OrderBy(g => g.Key, StringComparer.Ordinal))
            Console.WriteLine($"  {group.Key}: {group.Sum(g => g.RepeatedHandlings)} handled again ({group.Sum(g => g.HandledAgain)} distinct messages), " +
                              $"{group.Sum(g => g.DuplicateDeliveries)} duplicate deliveries since the approval");
        Console.WriteLine($"  {cutover.PositionsEvent}");
    }

    private static async Task<long> ProducedAsync(HttpClient sandboxControl, string app) =>
        (await sandboxControl.GetFromJsonAsync<LedgerReport>($"ledger/{app}?maxMissingIds=0", SandboxJson))!.Topics.Sum(t => (long)t.Produced);

    /// <summary>The ledger once <paramref name="until"/> holds, or as it stands after <paramref name="within"/>.</summary>
    private static async Task<LedgerReport> LedgerAsync(HttpClient sandboxControl, string app, DateTimeOffset? deliveredSince, Func<LedgerReport, bool> until, TimeSpan within)
    {
        var query = deliveredSince is { } since ? $"?deliveredSince={Uri.EscapeDataString(since.ToString("O", CultureInfo.InvariantCulture))}" : "";
        var waited = Stopwatch.StartNew();
        while (true)
        {
            var ledger = (await sandboxControl.GetFromJsonAsync<LedgerReport>($"ledger/{app}{query}", SandboxJson))!;
            if (until(ledger) || waited.Elapsed > within) return ledger;
            await Task.Delay(500);
        }
    }
}
