using Bunit;
using KafkaMigrationPortal.Engine.Mirroring;
using KafkaMigrationPortal.Engine.Planning;
using KafkaMigrationPortal.Features.Migrations.Components;
using KafkaMigrationPortal.Tests.Planning;

namespace KafkaMigrationPortal.Tests.Components.Migrations;

public sealed class PlanReviewTests : PortalTestContext
{
    [Fact]
    public void A_maintenance_window_states_its_downtime_and_which_steps_its_one_approval_covers()
    {
        var plan = MigrationPlanBuilder.Build(Requests.MaintenanceToDedicated());
        var window = plan.Steps.First(s => s.ApprovalCoversThrough is not null);

        var review = Render<PlanReview>(p => p.Add(r => r.Plan, plan));

        Assert.Contains($"Expected downtime: producers stopped for {Durations.InWords(plan.ExpectedDowntime.Least)} to {Durations.InWords(plan.ExpectedDowntime.Most)}", review.Find("[data-testid=plan-downtime]").TextContent);
        Assert.Contains($"expected to take {Durations.InWords(plan.ExpectedDuration.Least)} to {Durations.InWords(plan.ExpectedDuration.Most)} from start", review.Find("[data-testid=plan-summary]").TextContent);
        var covered = review.FindAll("[data-testid^=plan-step-covered-]");
        Assert.Equal(window.ApprovalCoversThrough!.Value - window.Index, covered.Count);
        Assert.All(covered, c => Assert.Contains($"Approved with step {window.Index + 1}", c.TextContent));
    }

    [Fact]
    public void A_MirrorMaker_2_plan_shows_its_configuration_unwrapped_with_a_copy_button_the_topics_it_needs_and_when_to_start_and_stop_it()
    {
        var plan = Runs.DedicatedMirrorPlan(MirrorEngine.MirrorMaker2);
        var config = MirrorMaker2Config.For(plan);
        Assert.NotNull(config.Properties);

        var review = Render<PlanReview>(p => p.Add(r => r.Plan, plan));

        Assert.Equal("MirrorMaker2", review.Find("[data-testid=plan-mirror-engine]").GetAttribute("data-engine"));
        Assert.Contains("copied by MirrorMaker 2", review.Find("[data-testid=plan-mirror-engine]").TextContent);
        var file = review.Find("pre[data-testid=mm2-config]");
        Assert.Equal(config.Properties, file.TextContent);
        Assert.Contains("portal-cli", file.ClassList);
        review.Find("[data-testid=copy-mm2-config]").Click();
        Assert.Equal(config.Properties, Assert.Single(JSInterop.Invocations, i => i.Identifier == "portalClipboard.copy").Arguments.Single());
        Assert.Equal(config.TopicsToCreate.Select(t => t.Name), review.FindAll("[data-testid=mm2-topic]").Select(t => t.GetAttribute("data-topic")));
        var instructions = review.Find("[data-testid=mm2-instructions]").TextContent;
        Assert.Contains("config var", instructions);
        Assert.Contains($"“{plan.Single<StartMirror>().Title}” asks", instructions);
        Assert.Contains($"“{plan.Single<StopMirror>().Title}” asks", instructions);
        Assert.Empty(review.FindAll("[data-testid=mm2-ask]"));
    }

    [Fact]
    public void A_mirror_copied_by_the_portal_says_so_and_shows_no_MirrorMaker_2_configuration()
    {
        var review = Render<PlanReview>(p => p.Add(r => r.Plan, Runs.DedicatedMirrorPlan(MirrorEngine.Portal)));

        Assert.Equal("Portal", review.Find("[data-testid=plan-mirror-engine]").GetAttribute("data-engine"));
        Assert.Contains("the portal's copier", review.Find("[data-testid=plan-mirror-engine]").TextContent);
        Assert.Empty(review.FindAll("[data-testid=mm2-setup]"));
        Assert.Empty(review.FindAll("[data-testid=mm2-config]"));
    }

    [Fact]
    public void A_double_write_plan_has_no_downtime()
    {
        var review = Render<PlanReview>(p => p.Add(r => r.Plan, MigrationPlanBuilder.Build(Requests.DoubleWriteToMultiTenant())));

        Assert.Equal("No downtime: producers and consumers never stop.", review.Find("[data-testid=plan-downtime]").TextContent.Trim());
        Assert.Empty(review.FindAll("[data-testid^=plan-step-covered-]"));
    }
}
