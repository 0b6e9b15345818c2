using KafkaMigrationPortal.Engine.Execution;
using KafkaMigrationPortal.Engine.Planning;
using KafkaMigrationPortal.TestSupport;
using KafkaMigrationPortal.Tests.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace KafkaMigrationPortal.Tests.Execution;

/// <summary>
/// Kafka deletes whole segments, so records from before double-writing can outlive the retention wait. The parity check
/// waits for them as a durable wait on the engine's clock, re-checking less and less often, and gives up (pausing the
/// run) only once a segment could no longer explain them.
/// </summary>
[Collection(PortalHostCollection.Name)]
public sealed class ParityWaitTests : IAsyncLifetime
{
    private static readonly TimeSpan Allowance = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    private readonly string databaseFile = Path.Combine(Path.GetTempPath(), $"kmp-parity-{Guid.NewGuid():N}.db");
    private readonly FakeTimeProvider engineTime = new(DateTimeOffset.UtcNow);
    private EngineHost host = null!;

    public Task InitializeAsync()
    {
        host = EngineHost.OnSqlite(databaseFile,
            extra: new Dictionary<string, string?>
            {
                ["Execution:SegmentRollAllowance"] = Allowance.ToString(),
                ["Execution:CheckRetryInterval"] = Interval.ToString(),
                // Nothing ages out of the demo topics during the test: parity cannot come to hold by itself.
                ["Sandbox:DemoTopicRetention"] = "01:00:00",
            },
            replaceServices: services => services.AddSingleton<TimeProvider>(engineTime));
        _ = host.Services;
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await host.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        File.Delete(databaseFile);
    }

    private async Task<RunDetails> DriveAsync(Guid runId, Func<RunDetails, bool> until, string what)
    {
        try
        {
            return await host.DriveAsync(runId, until, what, TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException e)
        {
            var run = (await host.Runs.GetAsync(runId))!;
            var step = run.Steps[1];
            throw new TimeoutException($"{e.Message}\nnow {engineTime.GetUtcNow():O}; step {step.Status} until {step.WaitUntil:O} state {step.CheckStateJson}: {step.WaitReason}\n{Proofs.RunScenarios.Tail(run, 10)}", e);
        }
    }

    [Fact]
    public async Task Parity_that_does_not_hold_is_waited_for_with_doubling_pauses_until_the_segment_allowance_ends_then_the_run_pauses()
    {
        await Deadline.PollAsync(() => Task.FromResult(host.Ledger.Report("mackerel")),
            r => r.Topics.Count > 0 && r.Topics.All(t => t.Produced > 0), TimeSpan.FromMinutes(2), "the demo producer writes to every topic");
        // Double-writing "starts" now on the engine's clock: every record already written predates it.
        var now = DateTimeOffset.UtcNow;
        engineTime.SetUtcNow(new DateTimeOffset(now.UtcTicks - now.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero).AddSeconds(1));
        var source = await host.SourceAsync();
        var plan = EngineHost.HandPlan(source,
            EngineHost.Step(new SetConfigVars(new Dictionary<string, string?> { ["PARITY_TEST"] = "1" }, RecordsDoubleWriteStart: true)),
            EngineHost.Step(new VerifyParity(["orders", "payments"])));
        var runId = await host.Runs.StartAsync(plan, EngineHost.Starter);

        var waits = new List<(DateTimeOffset Until, string? Reason)>();
        var first = await host.DriveAsync(runId, r => r.Steps[1].Status == RunStepStatus.Waiting, "parity is waited for");
        var started = engineTime.GetUtcNow();
        waits.Add((first.Steps[1].WaitUntil!.Value, first.Steps[1].WaitReason));
        while (true)
        {
            engineTime.SetUtcNow(waits[^1].Until);
            var next = await DriveAsync(runId, r => r.Steps[1].Status != RunStepStatus.Waiting || r.Steps[1].WaitUntil > waits[^1].Until,
                "the next parity check");
            if (next.Steps[1].Status != RunStepStatus.Waiting)
            {
                Assert.Equal(MigrationRunStatus.Paused, next.Run.Status);
                Assert.Equal(RunStepStatus.Failed, next.Steps[1].Status);
                Assert.Contains("SegmentRollAllowance", next.Run.LastError);
                break;
            }

            waits.Add((next.Steps[1].WaitUntil!.Value, next.Steps[1].WaitReason));
            Assert.True(waits.Count < 20, "the parity check never gives up");
        }

        Assert.All(waits, w => Assert.Contains("segments holding records from before the double-write start", w.Reason));
        var pauses = waits.Select((w, i) => w.Until - (i == 0 ? started : waits[i - 1].Until)).ToList();
        Assert.Equal([Interval, 2 * Interval, 4 * Interval], pauses.Take(3));
        // The last wait ends exactly when the allowance does, and only then does the check give up.
        Assert.Equal(started + Allowance, waits[^1].Until);
        Assert.True(pauses.Sum(p => p.Ticks) == Allowance.Ticks, $"waited {string.Join(", ", pauses)} in all");
    }
}
