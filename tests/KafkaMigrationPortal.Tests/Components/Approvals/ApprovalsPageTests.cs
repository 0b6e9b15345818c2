using System.Security.Claims;
using Bunit;
using KafkaMigrationPortal.Components.Shared;
using KafkaMigrationPortal.Features.Approvals;
using KafkaMigrationPortal.Features.Identity;
using KafkaMigrationPortal.Features.Migrations;
using KafkaMigrationPortal.Features.Migrations.Pages;
using KafkaMigrationPortal.Tests.Components.Migrations;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using KafkaMigrationPortal.Engine;
using KafkaMigrationPortal.Engine.Planning;

namespace KafkaMigrationPortal.Tests.Components.Approvals;

public sealed class ApprovalsPageTests : MigrationsTestContext
{
    private readonly FakeInbox inbox = new();

    public ApprovalsPageTests()
    {
        Services.AddSingleton<IApprovalInbox>(inbox);
        SignIn(Runs.Teammate, TeamRole.Approver);
    }

    private static PendingApproval Gate(string? addonToDestroy = null) => new(
        Guid.Parse("5f6e7d8c-1a2b-4c3d-9e8f-0a1b2c3d4e5f"), "mackerel", "kafka-old-1", "heroku-kafka:standard-0", MigrationStrategy.DoubleWrite,
        Runs.Starter, 9, "Switch consumers to the new add-on", "heroku config:set CONSUMER_ADDON_NAME=KAFKA -a mackerel", false, addonToDestroy,
        DateTimeOffset.Parse("2026-11-27T12:00:00Z"));

    [Fact]
    public void Nothing_waiting_shows_the_empty_state()
    {
        var page = Render<ApprovalsPage>();

        page.WaitForAssertion(() => Assert.Contains("Nothing waits for your approval", page.Find("[data-testid=empty-state]").TextContent));
        Assert.Empty(page.FindAll("[data-testid=not-an-approver]"));
    }

    [Fact]
    public void An_approver_whose_grant_cannot_read_apps_is_offered_the_grant_back_to_this_page()
    {
        inbox.GrantNeeded = new(HerokuScopes.Read, "To approve or reject gated steps, the portal needs your Heroku grant with the 'read' scope.");

        var page = Render<ApprovalsPage>();

        page.WaitForAssertion(() => Assert.Equal("/auth/challenge?scope=read&returnUrl=%2Fapprovals", page.Find("[data-testid=grant-scope]").GetAttribute("href")));
    }

    [Fact]
    public void A_failing_inbox_shows_its_message()
    {
        inbox.Answer = QueryResult<IReadOnlyList<PendingApproval>>.Failed("The approvals could not be loaded: the portal's database did not answer.");
        var page = Render<ApprovalsPage>();

        page.WaitForAssertion(() => Assert.Contains("database did not answer", page.Find("[data-testid=error]").TextContent));
    }

    [Fact]
    public void Someone_without_the_approver_role_is_told_why_nothing_is_listed()
    {
        SignIn(Runs.Teammate, TeamRole.Operator);
        var page = Render<ApprovalsPage>();

        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=not-an-approver]")));
    }

    [Fact]
    public void A_waiting_gate_is_listed_with_its_live_checks_and_approved_in_place()
    {
        var gate = Gate();
        inbox.Answer = QueryResult<IReadOnlyList<PendingApproval>>.Ok([gate]);
        Render<MudPopoverProvider>();
        var dialogs = Render<MudDialogProvider>();
        var page = Render<ApprovalsPage>();

        page.WaitForAssertion(() => Assert.Contains("0 record(s) unread", page.Find($"[data-testid=approval-{gate.RunId}] [data-testid=live-checks]").TextContent));
        Assert.Equal($"/migrations/{gate.RunId}", page.Find("[data-testid=approval-run-link]").GetAttribute("href"));
        Assert.Contains(gate.CliCommand!, page.Find($"[data-testid=approval-{gate.RunId}]").TextContent);
        Assert.Equal(1, inbox.Reads);

        page.Find("[data-testid=approve-button]").Click();
        dialogs.WaitForAssertion(() => Assert.NotNull(dialogs.Find("[data-testid=decision-confirm]")));
        dialogs.Find("[data-testid=decision-confirm]").Click();

        page.WaitForAssertion(() => Assert.Equal([$"approve 9 by {Runs.Teammate}: "], Console.Commands));
        page.WaitForAssertion(() => Assert.Equal(2, inbox.Reads));
    }

    [Fact]
    public void Approving_a_destroy_from_the_inbox_also_needs_the_add_on_name()
    {
        inbox.Answer = QueryResult<IReadOnlyList<PendingApproval>>.Ok([Gate(addonToDestroy: "kafka-old-1")]);
        Render<MudPopoverProvider>();
        var dialogs = Render<MudDialogProvider>();
        var page = Render<ApprovalsPage>();
        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=approve-button]")));

        page.Find("[data-testid=approve-button]").Click();

        dialogs.WaitForAssertion(() => Assert.NotNull(dialogs.Find("[data-testid=decision-typed-name]")));
        Assert.True(dialogs.Find("[data-testid=decision-confirm]").HasAttribute("disabled"));
    }

    [Fact]
    public void A_destroy_gate_shows_the_other_apps_that_lose_the_add_on_and_says_so_again_when_approving()
    {
        inbox.Answer = QueryResult<IReadOnlyList<PendingApproval>>.Ok([Gate(addonToDestroy: "kafka-old-1") with { AddonAlsoAttachedTo = ["pike", "tuna"] }]);
        Render<MudPopoverProvider>();
        var dialogs = Render<MudDialogProvider>();
        var page = Render<ApprovalsPage>();

        page.WaitForAssertion(() => Assert.Contains("kafka-old-1 is also attached to pike, tuna", page.Find("[data-testid=gate-also-attached]").TextContent));
        page.Find("[data-testid=approve-button]").Click();

        dialogs.WaitForAssertion(() => Assert.Contains("also attached to pike, tuna", dialogs.Markup));
    }

    [Fact]
    public void A_destroy_gate_of_an_add_on_attached_nowhere_else_names_no_other_app()
    {
        inbox.Answer = QueryResult<IReadOnlyList<PendingApproval>>.Ok([Gate(addonToDestroy: "kafka-old-1")]);
        var page = Render<ApprovalsPage>();

        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=approve-button]")));
        Assert.Empty(page.FindAll("[data-testid=gate-also-attached]"));
    }

    [Fact]
    public async Task A_gate_opened_elsewhere_appears_without_a_reload_and_the_page_stops_listening_once_gone()
    {
        var page = Render<ApprovalsPage>();
        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=empty-state]")));

        var gate = Gate();
        inbox.Answer = QueryResult<IReadOnlyList<PendingApproval>>.Ok([gate]);
        Notifier.Publish(new KafkaMigrationPortal.Engine.Execution.RunChange(gate.RunId, KafkaMigrationPortal.Engine.Execution.RunEventKinds.StepAwaitingApproval, 12));

        page.WaitForAssertion(() => Assert.NotNull(page.Find($"[data-testid=approval-{gate.RunId}]")));
        var reads = inbox.Reads;
        await DisposeComponentsAsync();
        Notifier.Publish(new KafkaMigrationPortal.Engine.Execution.RunChange(gate.RunId, "run-updated", null));
        Assert.Equal(reads, inbox.Reads);
    }

    private sealed class FakeInbox : IApprovalInbox
    {
        public QueryResult<IReadOnlyList<PendingApproval>> Answer { get; set; } = QueryResult<IReadOnlyList<PendingApproval>>.Ok([]);

        public int Reads;

        public HerokuGrantNeeded? GrantNeeded { get; set; }

        public Task<HerokuGrantNeeded?> GrantNeededAsync(ClaimsPrincipal user, CancellationToken ct = default) => Task.FromResult(GrantNeeded);

        public Task<QueryResult<IReadOnlyList<PendingApproval>>> ListAsync(ClaimsPrincipal user, CancellationToken ct = default)
        {
            Interlocked.Increment(ref Reads);
            return Task.FromResult(Answer);
        }
    }
}
