using Bunit;
using KafkaMigrationPortal.Components.Shared;
using KafkaMigrationPortal.Features.Identity;
using KafkaMigrationPortal.Engine.KafkaChecks;
using KafkaMigrationPortal.Features.Migrations;
using KafkaMigrationPortal.Engine.Execution;
using KafkaMigrationPortal.Features.Migrations.Components;
using KafkaMigrationPortal.Features.Migrations.Pages;
using KafkaMigrationPortal.Engine.Mirroring;
using KafkaMigrationPortal.Engine.Planning;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using MudBlazor;
using KafkaMigrationPortal.Engine;

namespace KafkaMigrationPortal.Tests.Components.Migrations;

public sealed class RunPageTests : MigrationsTestContext
{
    private static readonly MigrationPlan Plan = Runs.DoubleWritePlan();
    private static readonly int ConsumerSwitch = Plan.IndexOf<SetConfigVars>(s => s.Vars.TryGetValue(PinVars.ConsumerAddonName, out var v) && v == AttachmentNames.Primary);
    private static readonly int DestroyOld = Plan.IndexOf<DestroyAddon>();
    private static readonly int RetentionWait = Plan.IndexOf<WaitForRetention>();

    /// <summary>The page's clock: its countdowns and timers move only when a test advances it.</summary>
    private readonly FakeTimeProvider clock = new(DateTimeOffset.Parse("2026-11-27T12:00:00Z"));

    private IRenderedComponent<MudDialogProvider> dialogs = default!;

    public RunPageTests() => Services.AddSingleton<TimeProvider>(clock);

    private IRenderedComponent<RunPage> RenderRun(RunDetails details)
    {
        Console.Details = _ => QueryResult<RunDetails>.Ok(details);
        Render<MudPopoverProvider>();
        dialogs = Render<MudDialogProvider>();
        // A poll this slow cannot be what updates the page within a test.
        return Render<RunPage>(p => p.Add(r => r.RunId, details.Run.Id).Add(r => r.PollInterval, TimeSpan.FromHours(1)));
    }

    private static RunDetails AwaitingApproval(int step) => Runs.At(Plan, step, RunStepStatus.AwaitingApproval, MigrationRunStatus.AwaitingApproval);

    [Fact]
    public void A_run_that_cannot_be_read_shows_the_services_message()
    {
        Console.Details = _ => QueryResult<RunDetails>.Failed("The run could not be loaded: the portal's database did not answer. Try again in a moment.");
        var page = Render<RunPage>(p => p.Add(r => r.RunId, Guid.NewGuid()));

        page.WaitForAssertion(() => Assert.Contains("database did not answer", page.Find("[data-testid=error]").TextContent));
        Assert.Empty(page.FindAll("[data-testid=run-timeline]"));
    }

    [Fact]
    public void A_person_whose_Heroku_grant_cannot_reach_the_app_is_told_before_they_act()
    {
        Console.AccessProblem = new("Your Heroku account (bob@example.com) cannot access the app mackerel: ask its owner for access on Heroku.");
        var page = RenderRun(AwaitingApproval(3));

        page.WaitForAssertion(() => Assert.Contains("cannot access the app mackerel", page.Find("[data-testid=run-access-problem]").TextContent));
    }

    [Fact]
    public void The_header_says_what_moves_where_who_started_it_and_with_which_credential()
    {
        var page = RenderRun(Runs.At(Plan, 2, RunStepStatus.Running));

        page.WaitForAssertion(() => Assert.Equal("Running", page.Find("[data-testid=run-status]").GetAttribute("data-status")));
        Assert.Contains(Plan.Source.Name, page.Find("[data-testid=run-summary]").TextContent);
        Assert.Contains("heroku-kafka:basic-0", page.Find("[data-testid=run-summary]").TextContent);
        Assert.Contains(Runs.Starter, page.Find("[data-testid=run-started-by]").TextContent);
        Assert.Contains("sandbox user", page.Find("[data-testid=run-started-by]").TextContent);
        Assert.Equal(Plan.Steps.Count, page.FindAll("[data-testid^=step-row-]").Count);
        Assert.Equal("Done", page.Find("[data-testid=step-row-1]").GetAttribute("data-step-status"));
        Assert.Equal("Running", page.Find("[data-testid=step-row-2]").GetAttribute("data-step-status"));
    }

    [Fact]
    public void The_starter_sees_no_approve_or_reject_buttons_on_their_own_run_even_as_an_approver()
    {
        SignIn(Runs.Starter, TeamRole.Operator, TeamRole.Approver);
        var page = RenderRun(AwaitingApproval(ConsumerSwitch));

        page.WaitForAssertion(() => Assert.Contains("you started this run", page.Find("[data-testid=approval-hint]").TextContent));
        Assert.Empty(page.FindAll("[data-testid=approve-button]"));
        Assert.Empty(page.FindAll("[data-testid=reject-button]"));
    }

    [Fact]
    public void Someone_without_the_approver_role_sees_no_approve_button()
    {
        SignIn(Runs.Teammate, TeamRole.Operator);
        var page = RenderRun(AwaitingApproval(ConsumerSwitch));

        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=approval-hint]")));
        Assert.Empty(page.FindAll("[data-testid=approve-button]"));
    }

    [Fact]
    public void A_teammate_approver_sees_the_live_checks_and_approves_through_a_confirmation()
    {
        SignIn(Runs.Teammate, TeamRole.Approver);
        var page = RenderRun(AwaitingApproval(ConsumerSwitch));

        page.WaitForAssertion(() => Assert.Contains("0 record(s) unread", page.Find("[data-testid=live-checks]").TextContent));
        page.Find("[data-testid=approve-button]").Click();
        dialogs.WaitForAssertion(() => Assert.NotNull(dialogs.Find("[data-testid=decision-confirm]")));
        Assert.Empty(Console.Commands);
        dialogs.Find("[data-testid=decision-comment]").Input("parity checked");
        dialogs.Find("[data-testid=decision-confirm]").Click();

        page.WaitForAssertion(() => Assert.Equal([$"approve {ConsumerSwitch} by {Runs.Teammate}: parity checked"], Console.Commands));
        page.WaitForAssertion(() => Assert.Contains("Approved", page.Find("[data-testid=decision-result]").TextContent));
        // Announced to screen readers as it appears.
        Assert.Equal("status", page.Find("[data-testid=decision-result]").GetAttribute("role"));
    }

    [Fact]
    public void Destroying_an_add_on_is_approved_only_after_typing_its_exact_name()
    {
        SignIn(Runs.Teammate, TeamRole.Approver);
        var page = RenderRun(AwaitingApproval(DestroyOld));
        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=approve-button]")));

        page.Find("[data-testid=approve-button]").Click();
        dialogs.WaitForAssertion(() => Assert.NotNull(dialogs.Find("[data-testid=decision-typed-name]")));
        Assert.True(dialogs.Find("[data-testid=decision-confirm]").HasAttribute("disabled"));
        dialogs.Find("[data-testid=decision-typed-name]").Input(Plan.Source.Name.ToUpperInvariant());
        dialogs.WaitForAssertion(() => Assert.True(dialogs.Find("[data-testid=decision-confirm]").HasAttribute("disabled")));
        dialogs.Find("[data-testid=decision-confirm]").Click();
        Assert.Empty(Console.Commands);

        dialogs.Find("[data-testid=decision-typed-name]").Input(Plan.Source.Name);
        dialogs.WaitForAssertion(() => Assert.False(dialogs.Find("[data-testid=decision-confirm]").HasAttribute("disabled")));
        dialogs.Find("[data-testid=decision-confirm]").Click();

        page.WaitForAssertion(() => Assert.Equal([$"approve {DestroyOld} by {Runs.Teammate}: "], Console.Commands));
    }

    [Fact]
    public void A_rejection_needs_a_comment()
    {
        SignIn(Runs.Teammate, TeamRole.Approver);
        var page = RenderRun(AwaitingApproval(ConsumerSwitch));
        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=reject-button]")));

        page.Find("[data-testid=reject-button]").Click();
        dialogs.WaitForAssertion(() => Assert.True(dialogs.Find("[data-testid=decision-confirm]").HasAttribute("disabled")));
        dialogs.Find("[data-testid=decision-comment]").Input("consumers are not idempotent yet");
        dialogs.WaitForAssertion(() => Assert.False(dialogs.Find("[data-testid=decision-confirm]").HasAttribute("disabled")));
        dialogs.Find("[data-testid=decision-confirm]").Click();

        page.WaitForAssertion(() => Assert.Equal([$"reject {ConsumerSwitch} by {Runs.Teammate}: consumers are not idempotent yet"], Console.Commands));
    }

    [Fact]
    public void The_timeline_updates_without_reload_when_the_notifier_publishes()
    {
        var before = Runs.At(Plan, 2, RunStepStatus.Running);
        var page = RenderRun(before);
        page.WaitForAssertion(() => Assert.Equal("Running", page.Find("[data-testid=step-row-2]").GetAttribute("data-step-status")));

        var after = Runs.At(Plan, 3, RunStepStatus.Running, events:
        [
            new RunEvent { RunId = before.Run.Id, Sequence = 1, Actor = RunEvent.EngineActor, Kind = RunEventKinds.StepDone, StepSequence = 2, Summary = "Step 3 is done", At = clock.GetUtcNow() },
        ]);
        Console.Details = _ => QueryResult<RunDetails>.Ok(after);
        Notifier.Publish(new RunChange(before.Run.Id, RunEventKinds.StepDone, 1));

        page.WaitForAssertion(() => Assert.Equal("Done", page.Find("[data-testid=step-row-2]").GetAttribute("data-step-status")));
        Assert.Equal("Running", page.Find("[data-testid=step-row-3]").GetAttribute("data-step-status"));
        page.Find("[data-testid=step-expand-2]").Click();
        page.WaitForAssertion(() => Assert.Contains("Step 3 is done", page.Find("[data-testid=step-details-2]").TextContent));
    }

    [Fact]
    public void Changes_to_other_runs_do_not_reload_the_page()
    {
        var page = RenderRun(Runs.At(Plan, 2, RunStepStatus.Running));
        page.WaitForAssertion(() => Assert.Equal(1, Console.Reads));

        Notifier.Publish(new RunChange(Guid.NewGuid(), RunEventKinds.StepDone, 1));

        Assert.Equal(1, Console.Reads);
    }

    /// <summary>The retention wait, begun <paramref name="waited"/> ago, ending <paramref name="left"/> from now.</summary>
    private RunDetails Waiting(TimeSpan waited, TimeSpan left)
    {
        var details = Runs.At(Plan, RetentionWait, RunStepStatus.Waiting, MigrationRunStatus.Waiting, waitUntil: clock.GetUtcNow() + left);
        details.Steps.Single(s => s.Sequence == RetentionWait).StartedAt = clock.GetUtcNow() - waited;
        return details;
    }

    [Fact]
    public void A_waiting_step_shows_its_progress_and_when_it_ends_in_the_viewers_time_zone()
    {
        Services.GetRequiredService<ViewerTime>().Use("Europe/Berlin");
        var page = RenderRun(Waiting(waited: TimeSpan.FromMinutes(30), left: TimeSpan.FromMinutes(90)));

        // 12:00 UTC is 13:00 in Berlin in November; the wait ends 90 minutes later.
        page.WaitForAssertion(() => Assert.Equal("1 hour 30 minutes left of 2 hours, until 14:30 (Europe/Berlin)", Countdown(page)));
        Assert.Equal("25", page.Find($"[data-testid=step-wait-progress-{RetentionWait}]").GetAttribute("data-percent"));
    }

    [Fact]
    public void Without_the_browsers_time_zone_times_are_in_utc_and_say_so()
    {
        var page = RenderRun(Waiting(waited: TimeSpan.FromMinutes(30), left: TimeSpan.FromMinutes(90)));

        page.WaitForAssertion(() => Assert.Equal("1 hour 30 minutes left of 2 hours, until 13:30 (UTC)", Countdown(page)));
    }

    [Fact]
    public void The_wait_ticks_every_second_until_it_is_due()
    {
        var page = RenderRun(Waiting(waited: TimeSpan.FromSeconds(59), left: TimeSpan.FromSeconds(61)));
        page.WaitForAssertion(() => Assert.Equal("1 minute 1 second left of 2 minutes, until 12:01 (UTC)", Countdown(page)));

        clock.Advance(TimeSpan.FromSeconds(1));
        page.WaitForAssertion(() => Assert.Equal("1 minute left of 2 minutes, until 12:01 (UTC)", Countdown(page)));
        Assert.Equal("50", page.Find($"[data-testid=step-wait-progress-{RetentionWait}]").GetAttribute("data-percent"));

        clock.Advance(TimeSpan.FromSeconds(60));
        page.WaitForAssertion(() => Assert.Equal("Due now (2 minutes waited): the engine moves on at its next look.", Countdown(page)));
        Assert.Equal("100", page.Find($"[data-testid=step-wait-progress-{RetentionWait}]").GetAttribute("data-percent"));
    }

    [Fact]
    public void The_page_says_when_the_run_is_expected_to_finish_beside_the_approvals_still_to_come()
    {
        var details = Waiting(waited: TimeSpan.FromMinutes(30), left: TimeSpan.FromMinutes(90));
        var remaining = details.ExpectedRemaining(clock.GetUtcNow())!.Value;
        var page = RenderRun(details);

        page.WaitForAssertion(() => Assert.Equal(
            $"Expected to finish {new ViewerTime().Relative(clock.GetUtcNow() + remaining, clock.GetUtcNow())}, plus the time approvals take.",
            string.Join(' ', page.Find("[data-testid=run-eta]").TextContent.Split((char[])[' ', '\n'], StringSplitOptions.RemoveEmptyEntries))));
    }

    private static string Countdown(IRenderedComponent<RunPage> page) =>
        string.Join(' ', page.Find($"[data-testid=step-countdown-{RetentionWait}]").TextContent.Split((char[])[' ', '\n'], StringSplitOptions.RemoveEmptyEntries));

    [Fact]
    public void Viewers_see_no_abort_or_roll_back()
    {
        SignIn("victor@example.com", TeamRole.Viewer);
        var viewer = RenderRun(Runs.At(Plan, 2, RunStepStatus.Running));

        viewer.WaitForAssertion(() => Assert.NotNull(viewer.Find("[data-testid=run-timeline]")));
        Assert.Empty(viewer.FindAll("[data-testid=abort-button]"));
        Assert.Empty(viewer.FindAll("[data-testid=rollback-button]"));
    }

    [Fact]
    public void Operators_abort_only_after_giving_a_reason()
    {
        SignIn(Runs.Teammate, TeamRole.Operator);
        var page = RenderRun(Runs.At(Plan, 2, RunStepStatus.Running));
        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=rollback-button]")));
        page.Find("[data-testid=abort-button]").Click();
        dialogs.WaitForAssertion(() => Assert.True(dialogs.Find("[data-testid=decision-confirm]").HasAttribute("disabled")));
        dialogs.Find("[data-testid=decision-comment]").Input("wrong app");
        dialogs.WaitForAssertion(() => Assert.False(dialogs.Find("[data-testid=decision-confirm]").HasAttribute("disabled")));
        dialogs.Find("[data-testid=decision-confirm]").Click();

        page.WaitForAssertion(() => Assert.Equal(["abort: wrong app"], Console.Commands));
    }

    [Fact]
    public void Past_the_point_of_no_return_the_run_can_no_longer_be_rolled_back()
    {
        SignIn(Runs.Teammate, TeamRole.Operator);
        var page = RenderRun(Runs.At(Plan, Plan.PointOfNoReturn!.Value + 1, RunStepStatus.Running));

        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=abort-button]")));
        Assert.Empty(page.FindAll("[data-testid=rollback-button]"));
    }

    [Fact]
    public void The_kafka_panel_charts_lag_per_group_over_its_readings_and_shows_both_clusters_watermarks()
    {
        var run = Runs.At(Plan, RetentionWait, RunStepStatus.Waiting, MigrationRunStatus.Waiting, waitUntil: clock.GetUtcNow().AddHours(1));
        Monitor.Readings.Enqueue(Reading(lag: 10, oldLatest: 100, newLatest: 40));
        var page = RenderRun(run);
        page.WaitForAssertion(() => Assert.Contains("10", page.Find("[data-testid=lag-old-billing]").TextContent));
        Assert.Empty(page.FindAll("[data-testid=lag-chart-old]")); // one reading is no line yet

        clock.Advance(TimeSpan.FromSeconds(15));
        Monitor.Readings.Enqueue(Reading(lag: 4, oldLatest: 110, newLatest: 50));
        page.Find("[data-testid=kafka-refresh]").Click();

        page.WaitForAssertion(() => Assert.Contains("4", page.Find("[data-testid=lag-old-billing]").TextContent));
        var chart = page.FindComponents<MudChart<double>>().Single(c => c.Instance.ChartLabels.Length == 2 && c.Instance.ChartSeries.Single().Name == "billing"
            && c.Instance.ChartSeries.Single().Data.Values.SequenceEqual([10.0, 4.0]));
        Assert.Equal(["12:00:00", "12:00:15"], chart.Instance.ChartLabels);
        Assert.NotNull(page.Find("[data-testid=lag-chart-old]"));
        Assert.Contains("110 written", page.Find("[data-testid=watermarks-old]").TextContent);
        Assert.Contains("50 written", page.Find("[data-testid=watermarks-new]").TextContent);
        // 10 more records on each cluster in the 15 s between the readings.
        Assert.Contains("writing 0.7 records/s", page.Find("[data-testid=watermarks-old]").TextContent);
        Assert.Contains("writing 0.7 records/s", page.Find("[data-testid=watermarks-new]").TextContent);
        Assert.Contains("both clusters received writes", page.Find("[data-testid=double-write-check]").TextContent);
    }

    [Fact]
    public void The_panel_says_what_each_kafka_check_waits_for_where_it_stands_and_which_groups_it_ignores()
    {
        var details = Runs.At(Plan, RetentionWait, RunStepStatus.Waiting, waitUntil: clock.GetUtcNow().AddMinutes(20));
        var startedAt = DateTimeOffset.Parse("2026-11-27T10:05:00Z");
        details.Run.DoubleWriteStartedAt = startedAt;
        var retention = details.Steps.Single(s => s.Sequence == RetentionWait);
        retention.WaitReason = "The largest topic retention plus a margin from the start of double-writing.";
        var verify = details.Steps.Single(s => s.Sequence == Plan.IndexOf<VerifyDoubleWrite>());
        verify.Outcome = "Both clusters receive writes (12 and 12 records in the window).";
        var catchUpOnNew = Plan.IndexOf<WaitForConsumerCatchUp>(c => c.Addon == AddonRole.Target);
        var at = clock.GetUtcNow();
        // shipping has never committed on the old add-on: nothing consumes it.
        var lag = new LagSnapshot("KAFKA", at, [PartitionLag.Compute("billing", "orders", 0, 90, 0, 100), PartitionLag.Compute("shipping", "orders", 0, null, 0, 100)]);
        Monitor.Readings.Enqueue(QueryResult<KafkaPanelReading>.Ok(new(at, [new("old", "old-addon", "KAFKA", lag, null, null)], null, null)));

        var page = RenderRun(details);

        page.WaitForAssertion(() => Assert.Contains("shipping: never committed on the old add-on",
            page.Find($"[data-testid=kafka-check-ignores-{catchUpOnNew}]").TextContent));
        var catchUp = page.Find($"[data-testid=kafka-check-{catchUpOnNew}]");
        Assert.Equal("Upcoming", catchUp.GetAttribute("data-state"));
        Assert.Contains("no record left to read for group billing on the new add-on", catchUp.TextContent);
        Assert.DoesNotContain("shipping on the new", catchUp.TextContent);
        var waiting = page.Find($"[data-testid=kafka-check-{RetentionWait}]");
        Assert.Equal("Waiting", waiting.GetAttribute("data-state"));
        var action = (WaitForRetention)Plan.Steps[RetentionWait].Action;
        Assert.Contains($"until {startedAt + action.LargestRetention + action.Margin:u}", waiting.TextContent);
        Assert.Contains("from the start of double-writing.", waiting.TextContent);
        var passed = page.Find($"[data-testid=kafka-check-{verify.Sequence}]");
        Assert.Equal("Passed", passed.GetAttribute("data-state"));
        Assert.Contains("12 and 12 records", passed.TextContent);
        // Steps that check nothing on Kafka are not listed.
        Assert.Empty(page.FindAll($"[data-testid=kafka-check-{ConsumerSwitch}]"));
        Assert.Equal(Plan.Steps.Count(s => s.Action is WaitForConsumerCatchUp or VerifyDoubleWrite or WaitForRetention or VerifyParity or WatchStrayWrites),
            page.FindAll("[data-testid^=kafka-check-]").Count(e => e.HasAttribute("data-state")));
    }

    [Fact]
    public void A_mirror_runs_copy_is_shown_per_topic_with_lag_rate_and_an_estimate()
    {
        var now = clock.GetUtcNow();
        MirrorPartitionLease Partition(string topic, int partition, long copied, long? end, double rate, string? owner) => new()
        {
            Topic = topic, Partition = partition, CopiedOffset = copied, SourceEnd = end, RecordsPerSecond = rate,
            Owner = owner, ExpiresAt = owner is null ? null : now.AddSeconds(20),
        };
        var progress = MirrorTopicProgress.Of(
        [
            Partition("orders", 0, 600, 1000, 20, "worker-a"), Partition("orders", 1, 400, 1000, 20, "worker-b"),
            Partition("payments", 0, 50, 50, 0, null),
        ], now);

        var orders = progress.Single(p => p.Topic == "orders");
        Assert.Equal((2, 2, 1000L, 2000L, 1000L, 40.0), (orders.Partitions, orders.Copying, orders.Copied, orders.SourceEnd, orders.Lag, orders.RecordsPerSecond));
        Assert.Equal(TimeSpan.FromSeconds(25), orders.Eta);
        Assert.Equal(0.5, orders.Fraction);
        Assert.Equal(TimeSpan.Zero, progress.Single(p => p.Topic == "payments").Eta);

        Monitor.Readings.Enqueue(QueryResult<KafkaPanelReading>.Ok(new(now, [], null, null, progress)));
        var page = RenderRun(Runs.At(Plan, 2, RunStepStatus.Running));

        page.WaitForAssertion(() => Assert.Contains("1,000 behind", page.Find("[data-testid=mirror-topic-orders]").TextContent));
        var text = page.Find("[data-testid=mirror-topic-orders]").TextContent;
        Assert.Contains("1,000 of 2,000", text);
        Assert.Contains("40 records/s", text);
        Assert.Contains("2 of 2 partition(s) being copied", text);
        Assert.Contains("caught up in about 25 s", text);
        Assert.Contains("caught up.", page.Find("[data-testid=mirror-topic-payments]").TextContent);
        // The same figures for a script (the browser test waits on them): records copied and partitions being copied.
        Assert.Equal(("1000", "2"), (page.Find("[data-testid=mirror-topic-orders]").GetAttribute("data-copied"), page.Find("[data-testid=mirror-topic-orders]").GetAttribute("data-copying")));
        Assert.Equal(("50", "0"), (page.Find("[data-testid=mirror-topic-payments]").GetAttribute("data-copied"), page.Find("[data-testid=mirror-topic-payments]").GetAttribute("data-copying")));
    }

    [Fact]
    public void A_group_nothing_consumes_is_named_as_skipped_by_the_checks_and_left_out_of_the_chart()
    {
        var at = clock.GetUtcNow();
        LagSnapshot Lag(string attachment) => new(attachment, at,
            [PartitionLag.Compute("billing", "orders", 0, 90, 0, 100), PartitionLag.Compute("audit-archiver", "orders", 0, null, 0, 100)]);
        KafkaPanelReading Reading() => new(at, [new("old", "old-addon", "KAFKA", Lag("KAFKA"), null, null)], null, null);
        var history = new List<KafkaPanelReading> { Reading(), Reading() };

        var idle = LagHistory.IdleGroups(history[^1]);
        var chart = LagHistory.Of(history, "old", idle, new ViewerTime());

        Assert.Equal(["audit-archiver"], idle);
        Assert.Equal(["billing"], chart.Series.Select(s => s.Group));

        Monitor.Readings.Enqueue(QueryResult<KafkaPanelReading>.Ok(Reading()));
        var page = RenderRun(Runs.At(Plan, 2, RunStepStatus.Running));
        page.WaitForAssertion(() => Assert.Contains("never committed on the old add-on, so the checks do not wait for it",
            page.Find("[data-testid=idle-old-audit-archiver]").TextContent));
        Assert.Empty(page.FindAll("[data-testid=idle-old-billing]"));
    }

    [Fact]
    public void The_current_step_is_scrolled_into_view_on_load_and_when_the_run_moves_on()
    {
        var before = Runs.At(Plan, 2, RunStepStatus.Running);
        var page = RenderRun(before);
        page.WaitForAssertion(() => Assert.Contains(JSInterop.Invocations, i => i.Identifier == "portalScroll.intoView" && (string)i.Arguments[0]! == "[data-testid=step-row-2]"));

        Console.Details = _ => QueryResult<RunDetails>.Ok(Runs.At(Plan, 3, RunStepStatus.AwaitingApproval, MigrationRunStatus.AwaitingApproval));
        Notifier.Publish(new RunChange(before.Run.Id, RunEventKinds.StepDone, 1));

        page.WaitForAssertion(() => Assert.Contains(JSInterop.Invocations, i => i.Identifier == "portalScroll.intoView" && (string)i.Arguments[0]! == "[data-testid=step-row-3]"));
        Assert.Single(JSInterop.Invocations, i => i.Identifier == "portalScroll.intoView" && (string)i.Arguments[0]! == "[data-testid=step-row-2]");
    }

    [Fact]
    public void The_kafka_panel_shows_why_the_clusters_could_not_be_read()
    {
        Monitor.Readings.Enqueue(QueryResult<KafkaPanelReading>.Failed("The clusters could not be read: 503 unavailable: Heroku is down."));
        var page = RenderRun(Runs.At(Plan, 2, RunStepStatus.Running));

        page.WaitForAssertion(() => Assert.Contains("Heroku is down", page.Find("[data-testid=kafka-panel] [data-testid=error]").TextContent));
    }

    private QueryResult<KafkaPanelReading> Reading(long lag, long oldLatest, long newLatest)
    {
        var at = clock.GetUtcNow();
        ClusterReading Cluster(string role, string attachment, long latest, long groupLag) => new(role, $"{role}-addon", attachment,
            new LagSnapshot(attachment, at, [PartitionLag.Compute("billing", "orders", 0, latest - groupLag, 0, latest)]),
            new WatermarkSnapshot(attachment, at, [new PartitionWatermarks("orders", 0, 0, latest)]), null);
        return QueryResult<KafkaPanelReading>.Ok(new(at, [Cluster("old", "OLD_KAFKA", oldLatest, lag), Cluster("new", "KAFKA", newLatest, 0)], null, null));
    }
}
