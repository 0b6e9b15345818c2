using KafkaMigrationPortal.Features.Jobs;
using KafkaMigrationPortal.Features.Migrations;
using KafkaMigrationPortal.Engine.Execution;
using KafkaMigrationPortal.Engine.Planning;
using KafkaMigrationPortal.Tests.Hosting;
using KafkaMigrationPortal.TestSupport;
using Xunit.Abstractions;

namespace KafkaMigrationPortal.Tests.Execution.Proofs;

/// <summary>
/// The engine survives its process being killed (SIGKILL, not a graceful stop) in the middle of a run: a new portal
/// process finishes the run, and the sandbox's log of mutating calls shows no step's side effect applied twice.
/// </summary>
[Collection(PortalProcessCollection.Name)]
public sealed class CrashProofTests(ITestOutputHelper output) : IAsyncLifetime
{
    private ProcessCluster cluster = null!;

    public async Task InitializeAsync() => cluster = await ProcessCluster.StartAsync();

    public async Task DisposeAsync() => await cluster.DisposeAsync();

    [Fact]
    public async Task A_double_write_run_finishes_after_its_portal_is_killed_during_a_Heroku_call_and_during_the_retention_wait()
    {
        var first = await cluster.StartPortalAsync(PortalRole.Worker);
        var source = (await cluster.Platform.ListAttachmentsAsync(ProcessCluster.App)).Single(a => a.Name == AttachmentNames.Primary).Addon.Id;
        var plan = await RunScenarios.PlanAsync(cluster.Services, ProcessCluster.App, MigrationStrategy.DoubleWrite, "heroku-kafka:standard-0");
        var runId = await cluster.Runs.StartAsync(plan, RunScenarios.Starter);

        // Killed right after the sandbox applied the add-on creation: the response may never have reached the engine.
        await Deadline.PollAsync(async () => (await cluster.MutationsAsync()).Any(m => m is { Method: "POST", Path: "/apps/mackerel/addons" }),
            TimeSpan.FromSeconds(60), "the engine creates the new add-on");
        first.Kill();
        await first.WaitForExitAsync();
        var second = await cluster.StartPortalAsync(PortalRole.Worker);

        // Killed while the run waits out the retention period; a third process takes over.
        var killedInRetentionWait = false;
        var run = await RunScenarios.RunToCompletionApprovingAsync(cluster.Runs, runId, TimeSpan.FromMinutes(3), async look =>
        {
            if (killedInRetentionWait || look.CurrentStep is not { Status: RunStepStatus.Waiting } step
                || PlanSerialization.DeserializeAction(step.ActionJson) is not WaitForRetention) return;
            second.Kill();
            await second.WaitForExitAsync();
            killedInRetentionWait = true;
            await cluster.StartPortalAsync(PortalRole.Worker);
        });

        Assert.True(killedInRetentionWait, "the second process was killed during the retention wait");
        var mutations = await cluster.MutationsAsync();
        foreach (var m in mutations) output.WriteLine($"{m.Time:HH:mm:ss.fff} {m.Method} {m.Path} {m.Status} {m.Body?.ToJsonString()}");
        output.WriteLine(RunScenarios.Tail(run, 200));
        RunScenarios.AssertEachStepStartedAndFinishedOnce(run);
        SideEffects.AssertEachAppliedOnce(run.Plan, mutations);
        await RunScenarios.AssertAppRunsOnAsync(cluster.Platform, ProcessCluster.App, run.Run.TargetAddonId!.Value, "heroku-kafka:standard-0", Guid.Parse(source));
        await SideEffects.AssertNoMessageLostAsync(cluster);
    }
}
