using Bunit;
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
    public void A_double_write_plan_has_no_downtime()
    {
        var review = Render<PlanReview>(p => p.Add(r => r.Plan, MigrationPlanBuilder.Build(Requests.DoubleWriteToMultiTenant())));

        Assert.Equal("No downtime: producers and consumers never stop.", review.Find("[data-testid=plan-downtime]").TextContent.Trim());
        Assert.Empty(review.FindAll("[data-testid^=plan-step-covered-]"));
    }
}
