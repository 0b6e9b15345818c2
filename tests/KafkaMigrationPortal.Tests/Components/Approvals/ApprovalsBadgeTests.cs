using System.Security.Claims;
using Bunit;
using KafkaMigrationPortal.Engine;
using KafkaMigrationPortal.Engine.Execution;
using KafkaMigrationPortal.Engine.Planning;
using KafkaMigrationPortal.Features.Approvals;
using KafkaMigrationPortal.Features.Identity;
using KafkaMigrationPortal.Features.Migrations;
using KafkaMigrationPortal.Tests.Components.Migrations;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;

namespace KafkaMigrationPortal.Tests.Components.Approvals;

public sealed class ApprovalsBadgeTests : MigrationsTestContext
{
    private readonly CountingInbox inbox = new();

    public ApprovalsBadgeTests()
    {
        Services.AddSingleton<IApprovalInbox>(inbox);
        SignIn(Runs.Teammate, TeamRole.Approver);
        SetRendererInfo(new RendererInfo("Server", isInteractive: true));
    }

    private static PendingApproval Gate(int step) => new(Guid.NewGuid(), "mackerel", "kafka-old-1", "heroku-kafka:standard-0", MigrationStrategy.DoubleWrite,
        Runs.Starter, step, "Switch consumers to the new add-on", null, false, null, null);

    private IReadOnlyList<int> TitleCounts() =>
        [.. JSInterop.Invocations.Where(i => i.Identifier == "kmpTitleCount.set").Select(i => (int)i.Arguments[0]!)];

    [Fact]
    public void The_gates_waiting_for_the_person_are_counted_beside_the_link_and_in_the_tab_title()
    {
        inbox.Answer = [Gate(3), Gate(9)];

        var badge = Render<ApprovalsBadge>();

        badge.WaitForAssertion(() => Assert.Equal("2", badge.Find("[data-testid=approvals-badge]").TextContent.Trim()));
        Assert.Equal([2], TitleCounts());
    }

    [Fact]
    public async Task A_gate_that_opens_or_closes_elsewhere_updates_the_count_without_a_reload_and_nothing_after_disposal()
    {
        var badge = Render<ApprovalsBadge>();
        badge.WaitForAssertion(() => Assert.Equal([0], TitleCounts()));
        Assert.Empty(badge.FindAll("[data-testid=approvals-badge]"));

        inbox.Answer = [Gate(3)];
        Notifier.Publish(new RunChange(Guid.NewGuid(), RunEventKinds.StepAwaitingApproval, 4));
        badge.WaitForAssertion(() => Assert.Equal("1", badge.Find("[data-testid=approvals-badge]").TextContent.Trim()));

        inbox.Answer = [];
        Notifier.Publish(new RunChange(Guid.NewGuid(), "run-updated", null));
        badge.WaitForAssertion(() => Assert.Empty(badge.FindAll("[data-testid=approvals-badge]")));
        Assert.Equal([0, 1, 0], TitleCounts());

        var reads = inbox.Reads;
        await DisposeComponentsAsync();
        Notifier.Publish(new RunChange(Guid.NewGuid(), "run-updated", null));
        Assert.Equal(reads, inbox.Reads);
    }

    [Fact]
    public void Events_that_cannot_change_a_gate_are_not_counted_again()
    {
        var badge = Render<ApprovalsBadge>();
        badge.WaitForAssertion(() => Assert.Equal(1, inbox.Reads));

        Notifier.Publish(new RunChange(Guid.NewGuid(), RunEventKinds.StepStarted, 2));

        Assert.Equal(1, inbox.Reads);
    }

    private sealed class CountingInbox : IApprovalInbox
    {
        public IReadOnlyList<PendingApproval> Answer { get; set; } = [];

        public int Reads;

        public Task<HerokuGrantNeeded?> GrantNeededAsync(ClaimsPrincipal user, CancellationToken ct = default) => Task.FromResult<HerokuGrantNeeded?>(null);

        public Task<QueryResult<IReadOnlyList<PendingApproval>>> ListAsync(ClaimsPrincipal user, CancellationToken ct = default)
        {
            Interlocked.Increment(ref Reads);
            return Task.FromResult(QueryResult<IReadOnlyList<PendingApproval>>.Ok(Answer));
        }
    }
}
