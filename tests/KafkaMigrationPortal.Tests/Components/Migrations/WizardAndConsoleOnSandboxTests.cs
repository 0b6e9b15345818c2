using System.Security.Claims;
using KafkaMigrationPortal.Features.Approvals;
using KafkaMigrationPortal.Features.Identity;
using KafkaMigrationPortal.Features.Migrations;
using KafkaMigrationPortal.Engine.Execution;
using KafkaMigrationPortal.Features.Migrations.Pages;
using KafkaMigrationPortal.Engine.Planning;
using KafkaMigrationPortal.Tests.Execution;
using Microsoft.Extensions.DependencyInjection;

namespace KafkaMigrationPortal.Tests.Components.Migrations;

/// <summary>The pages' real services against the embedded sandbox: what the fakes in the component tests stand for.</summary>
public sealed class WizardAndConsoleOnSandboxTests : IAsyncLifetime
{
    private readonly string databaseFile = Path.Combine(Path.GetTempPath(), $"kmp-wizard-{Guid.NewGuid():N}.db");
    private EngineHost host = null!;
    private AsyncServiceScope scope;

    private static ClaimsPrincipal Person(string email, params string[] roles) => new(new ClaimsIdentity(
        [new Claim(ClaimTypes.Email, email), .. roles.Select(r => new Claim(ClaimTypes.Role, r))], "test"));

    private static readonly ClaimsPrincipal Alice = Person(EngineHost.Starter, TeamRole.Operator, TeamRole.Approver);
    private static readonly ClaimsPrincipal Bob = Person(EngineHost.Approver, TeamRole.Approver);

    public Task InitializeAsync()
    {
        host = EngineHost.OnSqlite(databaseFile, extra: new Dictionary<string, string?> { ["Wizard:RetentionMargin"] = "00:00:05" });
        scope = host.Services.CreateAsyncScope();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await scope.DisposeAsync();
        await host.DisposeAsync();
        File.Delete(databaseFile);
    }

    private T Service<T>() where T : notnull => scope.ServiceProvider.GetRequiredService<T>();

    private static MigrationRequest DoubleWriteToBasic1() =>
        new("mackerel", AttachmentNames.Primary, "heroku-kafka:basic-1", MigrationStrategy.DoubleWrite, ["producer"], ["consumer"], TimeSpan.FromSeconds(5));

    [Fact]
    public async Task The_wizard_reads_the_demo_app_and_plans_without_changing_anything()
    {
        var wizard = Service<IMigrationWizard>();
        var before = host.Mutations.Entries().Count;

        var app = await wizard.ReadAppAsync(Alice, "mackerel");
        var source = await wizard.ReadSourceAsync(Alice, "mackerel", AttachmentNames.Primary);
        var preview = await wizard.PreviewAsync(Alice, DoubleWriteToBasic1());
        var unknown = await wizard.ReadAppAsync(Alice, "no-such-app");

        Assert.Contains(AttachmentNames.Primary, Assert.Single(app.Value!.KafkaAddons).AttachmentNames);
        Assert.NotEmpty(source.Value!.Topics);
        Assert.True(source.Value.Reachability.Reachable, source.Value.Reachability.Message);
        Assert.True(preview.Value!.CanStart, string.Join("; ", preview.Value.Refusals.Select(r => r.Message)));
        Assert.Contains("no-such-app", unknown.Error);
        Assert.Equal(before, host.Mutations.Entries().Count);
    }

    [Fact]
    public async Task Starting_from_the_wizard_creates_the_run_and_the_console_guards_decisions()
    {
        var wizard = Service<IMigrationWizard>();
        var console = Service<IRunConsole>();
        var request = DoubleWriteToBasic1();
        var reviewed = (await wizard.PreviewAsync(Alice, request)).Value!.Plan!;

        var viewerStart = await wizard.StartAsync(Person("victor@example.com", TeamRole.Viewer), request, reviewed);
        var started = await wizard.StartAsync(Alice, request, reviewed);

        Assert.False(viewerStart.Succeeded);
        var runId = started.Value;
        var details = (await console.GetAsync(runId)).Value!;
        Assert.Equal(EngineHost.Starter, details.Run.StartedBy);
        Assert.Equal(reviewed.Steps.Select(s => s.CliCommand), details.Plan.Steps.Select(s => s.CliCommand));

        var gate = await host.DriveAsync(runId, d => d.CurrentStep?.Status == RunStepStatus.AwaitingApproval, "the first gate");
        var step = gate.CurrentStep!.Sequence;
        var byStarter = await console.RejectAsync(Alice, runId, step, "changed my mind");
        var byOperator = await console.ApproveAsync(Person("olga@example.com", TeamRole.Operator), runId, step, null);
        Assert.False(byStarter.Succeeded);
        Assert.Contains("You started this run", byStarter.Message);
        Assert.False(byOperator.Succeeded);
        Assert.Equal(RunStepStatus.AwaitingApproval, (await console.GetAsync(runId)).Value!.CurrentStep!.Status);

        var inboxOfBob = await Service<IApprovalInbox>().ListAsync(Bob);
        var inboxOfAlice = await Service<IApprovalInbox>().ListAsync(Alice);
        Assert.Equal(step, Assert.Single(inboxOfBob.Value!).StepSequence);
        Assert.Empty(inboxOfAlice.Value!);
        var checks = await console.PreviewChecksAsync(runId, step);
        Assert.True(checks.Succeeded, checks.Error);
    }

    [Fact]
    public async Task A_destroy_gate_in_the_inbox_names_the_add_on_and_the_other_apps_it_is_also_attached_to()
    {
        var source = await host.SourceAsync();
        var plan = EngineHost.HandPlan(source, EngineHost.Step(new DestroyAddon(AddonRole.Source, ["pike", "tuna"]), approval: true));
        var runId = await host.Runs.StartAsync(plan, EngineHost.Starter);
        await host.DriveAsync(runId, d => d.CurrentStep?.Status == RunStepStatus.AwaitingApproval, "the destroy waits at its gate");

        var gate = Assert.Single((await Service<IApprovalInbox>().ListAsync(Bob)).Value!);

        Assert.Equal(source.Name, gate.AddonToDestroy);
        Assert.Equal(["pike", "tuna"], gate.AddonAlsoAttachedTo);
        Assert.Empty(host.MutationsOf("DELETE", "/apps/mackerel/addons"));
    }
}
