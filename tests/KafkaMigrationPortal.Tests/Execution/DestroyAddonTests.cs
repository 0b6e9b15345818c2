using System.Net;
using KafkaMigrationPortal.Engine.Execution;
using KafkaMigrationPortal.Engine.Planning;
using KafkaMigrationPortal.Heroku;
using KafkaMigrationPortal.Heroku.Platform;
using KafkaMigrationPortal.Sandbox.Platform;
using KafkaMigrationPortal.TestSupport;
using KafkaMigrationPortal.Tests.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace KafkaMigrationPortal.Tests.Execution;

/// <summary>
/// The destroy step against a sandbox that destroys in the background, as Heroku does: the step waits (a durable
/// re-check, never a sleep) until the add-on is gone, a re-run reconciles, and an add-on attached to other apps is
/// forced only for the apps the plan names.
/// </summary>
[Collection(PortalHostCollection.Name)]
public sealed class DestroyAddonTests : IAsyncLifetime
{
    private readonly string databaseFile = Path.Combine(Path.GetTempPath(), $"kmp-destroy-{Guid.NewGuid():N}.db");
    private EngineHost host = null!;

    public Task InitializeAsync()
    {
        host = EngineHost.OnSqlite(databaseFile, extra: new Dictionary<string, string?> { ["Sandbox:DeprovisioningDelay"] = "00:00:03" });
        _ = host.Services; // start
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await host.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        File.Delete(databaseFile);
    }

    /// <summary>A provisioned add-on on mackerel, attached as SPARE, that a hand plan may destroy as its "old" add-on.</summary>
    private async Task<AddonSnapshot> SpareAsync()
    {
        var created = await host.Platform.CreateAddOnAsync("mackerel", new HerokuAddOnCreate("heroku-kafka:basic-0", new HerokuAttachmentName("SPARE")));
        await Deadline.PollAsync(async () => (await host.Platform.GetAddOnAsync(created.Id)).State == HerokuAddOnStates.Provisioned,
            TimeSpan.FromSeconds(30), "the spare add-on is provisioned");
        return new AddonSnapshot(Guid.Parse(created.Id), created.Name, created.Plan.Name, ["SPARE"], null);
    }

    private async Task<bool> GoneAsync(Guid id)
    {
        try
        {
            await host.Platform.GetAddOnAsync(id.ToString());
            return false;
        }
        catch (HerokuApiException e) when (e.Status == HttpStatusCode.NotFound)
        {
            return true;
        }
    }

    private int Deletes(AddonSnapshot addon) => host.MutationsOf("DELETE", $"/apps/mackerel/addons/{addon.Id}").Count;

    [Fact]
    public async Task The_destroy_step_waits_while_the_add_on_deprovisions_and_is_done_once_it_is_gone()
    {
        var spare = await SpareAsync();
        var runId = await host.Runs.StartAsync(EngineHost.HandPlan(spare, EngineHost.Step(new DestroyAddon(AddonRole.Source))), EngineHost.Starter);

        var waiting = await host.DriveAsync(runId, r => r.Steps[0].Status == RunStepStatus.Waiting, "the destroy waits for the add-on to be gone");

        Assert.Contains("deprovisioning", waiting.Steps[0].WaitReason, StringComparison.Ordinal);
        Assert.NotNull(waiting.Steps[0].WaitUntil);
        Assert.Equal(HerokuAddOnStates.Deprovisioning, (await host.Platform.GetAddOnAsync(spare.Id.ToString())).State);
        Assert.Equal(1, Deletes(spare));

        var done = await host.DriveAsync(runId, r => r.Run.Status == MigrationRunStatus.Succeeded, "the destroy is done once the add-on is gone");

        Assert.True(await GoneAsync(spare.Id));
        Assert.Equal(1, Deletes(spare));
        Assert.Contains("gone", done.Steps[0].Outcome, StringComparison.Ordinal);
        Assert.DoesNotContain(done.Events, e => e.Kind == RunEventKinds.Reconciled);
        Assert.DoesNotContain(await host.Platform.ListAttachmentsAsync("mackerel"), a => a.Name == "SPARE");
    }

    [Fact]
    public async Task A_re_run_finding_the_add_on_already_deprovisioning_waits_without_destroying_again_and_is_done_when_it_is_gone()
    {
        var spare = await SpareAsync();
        // What a crash right after Heroku accepted the destroy leaves: the add-on deprovisioning, the step not done.
        var answer = await host.Platform.DestroyAddOnAsync("mackerel", spare.Id.ToString());
        Assert.Equal(HerokuAddOnStates.Deprovisioning, answer.State);
        var runId = await host.Runs.StartAsync(EngineHost.HandPlan(spare, EngineHost.Step(new DestroyAddon(AddonRole.Source))), EngineHost.Starter);

        await host.AdvanceOnceAsync(runId);
        var first = (await host.Runs.GetAsync(runId))!;

        Assert.Equal(RunStepStatus.Waiting, first.Steps[0].Status);
        Assert.Contains("deprovisioning", first.Steps[0].WaitReason, StringComparison.Ordinal);
        var done = await host.DriveAsync(runId, r => r.Run.Status == MigrationRunStatus.Succeeded, "the destroy is done once the add-on is gone");
        Assert.Equal(1, Deletes(spare));
        Assert.True(await GoneAsync(spare.Id));
        Assert.Equal(RunStepStatus.Done, done.Steps[0].Status);
    }

    [Fact]
    public async Task A_re_run_finding_the_add_on_gone_is_done_at_once()
    {
        var spare = await SpareAsync();
        await host.Platform.DestroyAddOnAsync("mackerel", spare.Id.ToString());
        await Deadline.PollAsync(() => GoneAsync(spare.Id), TimeSpan.FromSeconds(30), "the add-on is gone");
        var runId = await host.Runs.StartAsync(EngineHost.HandPlan(spare, EngineHost.Step(new DestroyAddon(AddonRole.Source))), EngineHost.Starter);

        await host.AdvanceOnceAsync(runId);

        var run = (await host.Runs.GetAsync(runId))!;
        Assert.Equal(RunStepStatus.Done, run.Steps[0].Status);
        Assert.Contains(run.Events, e => e.Kind == RunEventKinds.Reconciled && e.Summary.Contains("no longer exists", StringComparison.Ordinal));
        Assert.Equal(1, Deletes(spare));
    }

    [Fact]
    public async Task An_add_on_attached_to_another_app_is_destroyed_with_force_only_when_the_plan_names_that_app()
    {
        var spare = await SpareAsync();
        host.SandboxServices.GetRequiredService<HerokuSandbox>().CreateDemoApp("pike");
        await host.Platform.AttachAsync(new HerokuAttachmentCreate(spare.Id.ToString(), "pike", "MACKEREL_SPARE"));

        var unnamed = await host.Runs.StartAsync(EngineHost.HandPlan(spare, EngineHost.Step(new DestroyAddon(AddonRole.Source))), EngineHost.Starter);
        var refused = await host.DriveAsync(unnamed, r => r.Steps[0].Status == RunStepStatus.Failed, "the destroy stops: pike is not in the plan");

        Assert.Contains("pike", refused.Steps[0].Error, StringComparison.Ordinal);
        Assert.Equal(0, Deletes(spare));
        Assert.Equal(HerokuAddOnStates.Provisioned, (await host.Platform.GetAddOnAsync(spare.Id.ToString())).State);
        Assert.True((await host.Runs.AbortAsync(unnamed, EngineHost.Starter, "plan again")).Succeeded);

        var named = await host.Runs.StartAsync(EngineHost.HandPlan(spare, EngineHost.Step(new DestroyAddon(AddonRole.Source, ["pike"]))), EngineHost.Starter);
        var done = await host.DriveAsync(named, r => r.Run.Status == MigrationRunStatus.Succeeded, "the forced destroy is done");

        var delete = Assert.Single(host.MutationsOf("DELETE", $"/apps/mackerel/addons/{spare.Id}"));
        Assert.True(delete.Body?["force"]?.GetValue<bool>());
        Assert.True(await GoneAsync(spare.Id));
        Assert.DoesNotContain(await host.Platform.ListAttachmentsAsync("pike"), a => a.Name == "MACKEREL_SPARE");
        Assert.Contains(done.Events, e => e.Kind == RunEventKinds.HerokuCallIntent && e.Request!.Contains("force=true", StringComparison.Ordinal));
    }
}
