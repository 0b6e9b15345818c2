using KafkaMigrationPortal.Features.Connections;
using KafkaMigrationPortal.Features.Migrations;
using KafkaMigrationPortal.Engine.Execution;
using KafkaMigrationPortal.Engine.Planning;
using KafkaMigrationPortal.Engine.Storage;
using KafkaMigrationPortal.Heroku;
using KafkaMigrationPortal.Heroku.Platform;
using KafkaMigrationPortal.TestSupport;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace KafkaMigrationPortal.Tests.Execution.Proofs;

/// <summary>
/// What whole-run tests share, whichever way the portal runs (in-process host or separate processes): planning from the
/// sandbox's live state, driving a run to its end with a second person approving, and auditing where the app ended.
/// </summary>
public static class RunScenarios
{
    public const string Starter = "alice@example.com";
    public const string Approver = "bob@example.com";

    /// <summary>A plan built by the planning feature from the sandbox's live state, as the portal's form would.</summary>
    public static async Task<MigrationPlan> PlanAsync(IServiceProvider services, string app, MigrationStrategy strategy, string targetPlan,
        IReadOnlyList<string>? consumerGroups = null, TimeSpan? retentionMargin = null, MirrorEngine mirrorEngine = MirrorEngine.Portal)
    {
        var clients = services.GetRequiredService<IHerokuClientFactory>();
        var credential = services.GetRequiredService<HerokuConnection>().Credential;
        var reader = new PlanningContextReader(clients, services.GetRequiredService<IDbContextFactory<PortalDbContext>>());
        var request = new MigrationRequest(app, AttachmentNames.Primary, targetPlan, strategy, ["producer"], ["consumer"],
            retentionMargin ?? TimeSpan.FromSeconds(2), consumerGroups, MirrorEngine: mirrorEngine);
        var context = await reader.ReadAsync(credential, ["global"], request);
        var validation = PlanValidator.Validate(context, request);
        Assert.True(validation.IsValid, string.Join("; ", validation.Refusals.Select(r => r.Message)));
        return MigrationPlanBuilder.Build(validation.Request! with { StrayWriteWindow = TimeSpan.FromSeconds(3) });
    }

    /// <summary>
    /// Waits while the engine (wherever it runs) moves the run, approving every gate as <see cref="Approver"/>, until it
    /// succeeds; fails the test with the run's last events when it stops otherwise or takes too long.
    /// <paramref name="beforeApproving"/> runs once per gate, when it is first seen waiting (a person taking their time).
    /// </summary>
    public static async Task<RunDetails> RunToCompletionApprovingAsync(MigrationRunService runs, Guid runId, TimeSpan? within = null,
        Func<RunDetails, Task>? onEachLook = null, Func<RunDetails, Task>? beforeApproving = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromMinutes(2));
        while (true)
        {
            var remaining = deadline - DateTime.UtcNow;
            RunDetails run;
            try
            {
                run = await Deadline.PollAsync(async () =>
                    {
                        var current = (await runs.GetAsync(runId))!;
                        if (onEachLook is not null) await onEachLook(current);
                        return current;
                    },
                    r => r.Run.Status is not (MigrationRunStatus.Running or MigrationRunStatus.Waiting or MigrationRunStatus.Planned)
                         || r.CurrentStep?.Status == RunStepStatus.AwaitingApproval,
                    remaining > TimeSpan.Zero ? remaining : TimeSpan.FromSeconds(1), "the run needs a person or ends");
            }
            catch (TimeoutException)
            {
                var stuck = (await runs.GetAsync(runId))!;
                Assert.Fail($"The run did not finish in time; it is {stuck.Run.Status} at “{stuck.CurrentStep?.Title}” ({stuck.CurrentStep?.Status}): {stuck.CurrentStep?.WaitReason}\n{Tail(stuck)}");
                throw;
            }

            switch (run.Run.Status)
            {
                case MigrationRunStatus.Succeeded:
                    return run;
                case MigrationRunStatus.AwaitingApproval when run.CurrentStep is { Status: RunStepStatus.AwaitingApproval } gate:
                    if (beforeApproving is not null) await beforeApproving(run);
                    // Live checks may lag the step that just passed by a moment (a release restarting consumers): retry.
                    await Deadline.PollAsync(() => runs.ApproveAsync(runId, gate.Sequence, Approver, "checked"),
                        r => r.Succeeded, TimeSpan.FromSeconds(30), $"approval of “{gate.Title}” is accepted");
                    break;
                default:
                    Assert.Fail($"The run stopped as {run.Run.Status} at “{run.CurrentStep?.Title}”: {run.Run.LastError ?? run.CurrentStep?.WaitReason}\n" +
                                Tail(run));
                    break;
            }
        }
    }

    public static string Tail(RunDetails run, int count = 25) =>
        string.Join("\n", run.Events.TakeLast(count).Select(e => $"{e.At:HH:mm:ss.fff} {e.Actor} {e.Kind} [{e.StepSequence}] {e.Summary} {e.Result}"));

    /// <summary>The app is attached to <paramref name="addonId"/> as KAFKA only, the old add-on is gone, dynos are back at one each.</summary>
    public static async Task AssertAppRunsOnAsync(IHerokuPlatformApi platform, string app, Guid addonId, string plan, Guid destroyed)
    {
        var attachments = await platform.ListAttachmentsAsync(app);
        var kafka = Assert.Single(attachments, a => a.Name == AttachmentNames.Primary);
        Assert.Equal(addonId.ToString(), kafka.Addon.Id);
        Assert.DoesNotContain(attachments, a => a.Name is AttachmentNames.Old or AttachmentNames.New);
        Assert.Equal(plan, (await platform.GetAddOnAsync(addonId.ToString())).Plan.Name);
        var gone = await Record.ExceptionAsync(() => platform.GetAddOnAsync(destroyed.ToString()));
        Assert.True(gone is HerokuApiException { IsNotFound: true } || (await platform.GetAddOnAsync(destroyed.ToString())).State == HerokuAddOnStates.Deprovisioned,
            "the old add-on is destroyed");
        var formation = await platform.ListFormationAsync(app);
        Assert.Equal(1, formation.Single(f => f.Type == "producer").Quantity);
        Assert.Equal(1, formation.Single(f => f.Type == "consumer").Quantity);
        Assert.False((await platform.GetAppAsync(app)).Maintenance, "maintenance mode is off");
    }

    /// <summary>The run's event log holds exactly one “started” and one “done” for every step it executed.</summary>
    public static void AssertEachStepStartedAndFinishedOnce(RunDetails run)
    {
        foreach (var step in run.Steps.Where(s => s.Kind == RunStepKind.Forward))
        {
            Assert.Equal(RunStepStatus.Done, step.Status);
            Assert.True(1 == run.Events.Count(e => e.Kind == RunEventKinds.StepStarted && e.StepSequence == step.Sequence),
                $"“{step.Title}” started {run.Events.Count(e => e.Kind == RunEventKinds.StepStarted && e.StepSequence == step.Sequence)} times\n{Tail(run, 80)}");
            Assert.True(1 == run.Events.Count(e => e.Kind == RunEventKinds.StepDone && e.StepSequence == step.Sequence),
                $"“{step.Title}” finished {run.Events.Count(e => e.Kind == RunEventKinds.StepDone && e.StepSequence == step.Sequence)} times\n{Tail(run, 80)}");
        }
    }
}
