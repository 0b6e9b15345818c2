using System.Security.Claims;
using KafkaMigrationPortal.Features.Approvals;
using KafkaMigrationPortal.Features.Identity;
using KafkaMigrationPortal.Features.Migrations;
using KafkaMigrationPortal.Engine.Execution;
using KafkaMigrationPortal.Features.Migrations.Pages;
using KafkaMigrationPortal.Engine.Planning;
using KafkaMigrationPortal.Tests.Execution;
using KafkaMigrationPortal.Engine.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace KafkaMigrationPortal.Tests.Components.Migrations;

/// <summary>The pages' real services against the embedded sandbox: what the fakes in the component tests stand for.</summary>
public sealed class WizardAndConsoleOnSandboxTests : IAsyncLifetime
{
    private readonly string databaseFile = Path.Combine(Path.GetTempPath(), $"kmp-wizard-{Guid.NewGuid():N}.db");
    private EngineHost host = null!;
    private AsyncServiceScope scope;

    private ClaimsPrincipal Alice = null!;
    private ClaimsPrincipal Bob = null!;

    /// <summary>A portal user with <paramref name="roles"/> in the database, and the principal a circuit would hold for them.</summary>
    private Task<ClaimsPrincipal> PersonAsync(string email, params string[] roles) => PersonWithGrantAsync(email, herokuToken: null, roles);

    /// <param name="herokuToken">Their own Heroku grant (a sandbox user's token), stored as sign-in stores it; none: they act with the portal's credential.</param>
    private Task<ClaimsPrincipal> PersonWithGrantAsync(string email, string? herokuToken, params string[] roles) =>
        PersonWithScopedGrantAsync(email, herokuToken, grantedScope: null, roles);

    /// <param name="grantedScope">What their grant was asked for at sign-in; null: recorded before scopes were (global).</param>
    private async Task<ClaimsPrincipal> PersonWithScopedGrantAsync(string email, string? herokuToken, string? grantedScope, params string[] roles)
    {
        var user = new UserAccount
        {
            Id = Guid.NewGuid(), HerokuUserId = $"heroku-{email}", Email = email, Roles = string.Join(',', roles),
            CreatedAt = DateTimeOffset.UnixEpoch, LastSignInAt = DateTimeOffset.UnixEpoch,
            ProtectedAccessToken = herokuToken is null ? null : Service<HerokuTokenVault>().Protect(herokuToken),
            GrantedScope = grantedScope,
        };
        await using var db = await Service<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        db.Add(user);
        await db.SaveChangesAsync();
        return Principal(user.Id, email, roles);
    }

    private static ClaimsPrincipal Principal(Guid id, string email, params string[] roles) => new(new ClaimsIdentity(
        [new Claim(ClaimTypes.NameIdentifier, id.ToString()), new Claim(ClaimTypes.Email, email), .. roles.Select(r => new Claim(ClaimTypes.Role, r))], "test"));

    private async Task ChangeAsync(ClaimsPrincipal person, Action<UserAccount> change)
    {
        await using var db = await Service<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var user = await db.Set<UserAccount>().SingleAsync(u => u.Id == person.UserId());
        change(user);
        await db.SaveChangesAsync();
    }

    public async Task InitializeAsync()
    {
        host = EngineHost.OnSqlite(databaseFile, extra: new Dictionary<string, string?> { ["Wizard:RetentionMargin"] = "00:00:05" });
        scope = host.Services.CreateAsyncScope();
        Alice = await PersonAsync(EngineHost.Starter, TeamRole.Operator, TeamRole.Approver);
        Bob = await PersonAsync(EngineHost.Approver, TeamRole.Approver);
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
        var request = DoubleWriteToBasic1() with { RequiredApprovals = 2 };
        var reviewed = (await wizard.PreviewAsync(Alice, request)).Value!.Plan!;

        var viewerStart = await wizard.StartAsync(await PersonAsync("victor@example.com", TeamRole.Viewer), request, reviewed);
        var started = await wizard.StartAsync(Alice, request, reviewed);

        Assert.False(viewerStart.Succeeded);
        var runId = started.Value;
        var details = (await console.GetAsync(runId)).Value!;
        Assert.Equal(EngineHost.Starter, details.Run.StartedBy);
        Assert.Equal(Alice.UserId(), details.Run.StartedByUserId);
        Assert.Equal(request.RequiredApprovals, details.Run.RequiredApprovals);
        Assert.Equal(reviewed.Steps.Select(s => s.CliCommand), details.Plan.Steps.Select(s => s.CliCommand));

        var gate = await host.DriveAsync(runId, d => d.CurrentStep?.Status == RunStepStatus.AwaitingApproval, "the first gate");
        var step = gate.CurrentStep!.Sequence;
        var byStarter = await console.RejectAsync(Alice, runId, step, "changed my mind");
        var byOperator = await console.ApproveAsync(await PersonAsync("olga@example.com", TeamRole.Operator), runId, step, null);
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

    private async Task<(Guid RunId, int Gate)> RunAtItsFirstGateAsync()
    {
        var source = await host.SourceAsync();
        var plan = EngineHost.HandPlan(source, EngineHost.Step(new SetMaintenance(true), approval: true));
        var runId = await host.Runs.StartAsync(plan, RunPermissions.Actor(Alice));
        var gate = await host.DriveAsync(runId, d => d.CurrentStep?.Status == RunStepStatus.AwaitingApproval, "the gate");
        return (runId, gate.CurrentStep!.Sequence);
    }

    [Fact]
    public async Task An_approver_whose_role_was_removed_cannot_approve_from_a_page_opened_before_the_removal()
    {
        var (runId, gate) = await RunAtItsFirstGateAsync();
        var openedBefore = Bob; // the principal a circuit captured while Bob was an approver
        await ChangeAsync(Bob, u => u.Roles = TeamRole.Viewer);

        var approval = await Service<IRunConsole>().ApproveAsync(openedBefore, runId, gate, null);

        Assert.False(approval.Succeeded);
        Assert.Contains("approver role", approval.Message);
        Assert.Empty((await host.Runs.GetAsync(runId))!.Approvals);
        Assert.False((await host.Platform.GetAppAsync("mackerel")).Maintenance);
    }

    [Fact]
    public async Task A_removed_user_cannot_act_with_the_roles_their_page_still_shows()
    {
        var (runId, _) = await RunAtItsFirstGateAsync();
        await ChangeAsync(Alice, u => u.AccessRevokedAt = DateTimeOffset.UnixEpoch);

        var abort = await Service<IRunConsole>().AbortAsync(Alice, runId, "stop");

        Assert.False(abort.Succeeded);
        Assert.Contains("no longer a user", abort.Message);
        Assert.NotEqual(MigrationRunStatus.Aborted, (await host.Runs.GetAsync(runId))!.Run.Status);
    }

    [Fact]
    public async Task Separation_of_duties_follows_the_user_id_so_a_starter_with_a_new_email_still_cannot_approve()
    {
        var (runId, gate) = await RunAtItsFirstGateAsync();
        await ChangeAsync(Alice, u => u.Email = "alice.new@example.com");
        var afterChange = Principal(Alice.UserId()!.Value, "alice.new@example.com", TeamRole.Operator, TeamRole.Approver);

        var approval = await Service<IRunConsole>().ApproveAsync(afterChange, runId, gate, null);
        var engineDirect = await host.Runs.ApproveAsync(runId, gate, new RunActor(Alice.UserId(), "alice.new@example.com"), null);

        Assert.False(approval.Succeeded);
        Assert.Contains("You started this run", approval.Message);
        Assert.False(engineDirect.Succeeded);
        Assert.Empty((await host.Runs.GetAsync(runId))!.Approvals);
    }

    [Fact]
    public async Task The_required_number_of_approvals_from_distinct_people_opens_a_gate()
    {
        var source = await host.SourceAsync();
        var plan = EngineHost.HandPlan(source, EngineHost.Step(new SetMaintenance(true), approval: true));
        var runId = await host.Runs.StartAsync(plan, RunPermissions.Actor(Alice), requiredApprovals: 2);
        var gate = (await host.DriveAsync(runId, d => d.CurrentStep?.Status == RunStepStatus.AwaitingApproval, "the gate")).CurrentStep!.Sequence;
        var carol = await PersonAsync("carol@example.com", TeamRole.Approver);
        var console = Service<IRunConsole>();

        var first = await console.ApproveAsync(Bob, runId, gate, null);
        var again = await console.ApproveAsync(Bob, runId, gate, "me again");
        var afterBob = (await host.Runs.GetAsync(runId))!;
        var second = await console.ApproveAsync(carol, runId, gate, null);

        Assert.True(first.Succeeded, first.Message);
        Assert.Contains("needs 2 approvals", again.Message);
        Assert.Equal(RunStepStatus.AwaitingApproval, afterBob.CurrentStep!.Status);
        Assert.True(second.Succeeded, second.Message);
        Assert.Contains("runs now", second.Message);
        await host.DriveAsync(runId, d => d.Run.Status == MigrationRunStatus.Succeeded, "the gated step runs");
        Assert.True((await host.Platform.GetAppAsync("mackerel")).Maintenance);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(MigrationRequest.MaxRequiredApprovals + 1)]
    public async Task A_number_of_approvals_outside_1_to_5_is_refused_in_the_plan(int approvals)
    {
        var preview = await Service<IMigrationWizard>().PreviewAsync(Alice, DoubleWriteToBasic1() with { RequiredApprovals = approvals });

        Assert.True(preview.Succeeded, preview.Error);
        Assert.False(preview.Value!.CanStart);
        Assert.Contains(preview.Value.Refusals, r => r.Code == RefusalCodes.ApprovalCount);
    }

    [Fact]
    public async Task An_approver_whose_own_Heroku_grant_cannot_reach_the_app_cannot_approve()
    {
        var (runId, gate) = await RunAtItsFirstGateAsync();
        var carol = await PersonWithGrantAsync("carol@example.com", "sandbox-token-carol", TeamRole.Approver); // Carol has no access to mackerel
        var bobWithGrant = await PersonWithGrantAsync("bob.grant@example.com", "sandbox-token-bob", TeamRole.Approver); // Bob collaborates on it

        Assert.Contains("cannot access the app mackerel", (await Service<IRunConsole>().AccessProblemAsync(carol, runId))!.Message);
        Assert.Null(await Service<IRunConsole>().AccessProblemAsync(bobWithGrant, runId));
        var byCarol = await Service<IRunConsole>().ApproveAsync(carol, runId, gate, null);
        var byBob = await Service<IRunConsole>().ApproveAsync(bobWithGrant, runId, gate, null);

        Assert.False(byCarol.Succeeded);
        Assert.Contains("cannot access the app mackerel", byCarol.Message);
        Assert.True(byBob.Succeeded, byBob.Message);
        Assert.Equal("bob.grant@example.com", Assert.Single((await host.Runs.GetAsync(runId))!.Approvals).Approver);
    }

    [Fact]
    public async Task An_approver_who_granted_only_their_identity_is_asked_for_read_and_nothing_is_approved()
    {
        var (runId, gate) = await RunAtItsFirstGateAsync();
        var bobIdentityOnly = await PersonWithScopedGrantAsync("bob.identity@example.com", "sandbox-token-bob", HerokuScopes.Identity, TeamRole.Approver);

        var problem = await Service<IRunConsole>().AccessProblemAsync(bobIdentityOnly, runId);
        var answer = await Service<IRunConsole>().ApproveAsync(bobIdentityOnly, runId, gate, null);

        Assert.Equal(HerokuScopes.Read, problem?.Grant?.Scope);
        Assert.False(answer.Succeeded);
        Assert.Contains("'read' scope", answer.Message);
        Assert.Empty((await host.Runs.GetAsync(runId))!.Approvals);
        Assert.Equal(MigrationRunStatus.AwaitingApproval, (await host.Runs.GetAsync(runId))!.Run.Status);
    }

    [Fact]
    public async Task An_operator_who_granted_only_read_must_grant_global_before_the_wizard_reads_or_starts_anything()
    {
        var carlos = await PersonWithScopedGrantAsync("carlos@example.com", "sandbox-token-alice", HerokuScopes.Read, TeamRole.Operator);
        var wizard = Service<IMigrationWizard>();

        var needed = await wizard.GrantNeededAsync(carlos);
        var read = await wizard.ReadAppAsync(carlos, "mackerel");
        var start = await wizard.StartAsync(carlos, DoubleWriteToBasic1(), (await wizard.PreviewAsync(Alice, DoubleWriteToBasic1())).Value!.Plan!);

        Assert.Equal(HerokuScopes.Global, needed?.Scope);
        Assert.Contains("/auth/challenge?scope=global&returnUrl=%2Fmigrations%2Fnew", needed!.ChallengeUrl("/migrations/new"));
        Assert.False(read.Succeeded);
        Assert.Contains("'global' scope", read.Error);
        Assert.False(start.Succeeded);
        await using var db = await Service<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        Assert.Empty(await db.MigrationRuns.ToListAsync());
        Assert.Null(await wizard.GrantNeededAsync(Alice)); // acts with the portal's key: nothing to grant
    }
}
