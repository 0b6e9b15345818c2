using KafkaMigrationPortal.Engine.Execution;
using KafkaMigrationPortal.Engine.Planning;
using KafkaMigrationPortal.Tests.Components.Migrations;

namespace KafkaMigrationPortal.Tests.Execution;

public sealed class ExpectedRemainingTests
{
    private static readonly MigrationPlan Plan = Runs.DoubleWritePlan();
    private static readonly int RetentionWait = Plan.IndexOf<WaitForRetention>();

    private static TimeSpan ExpectedFrom(int index) =>
        Plan.Steps.Where(s => s.Index >= index).Aggregate(TimeSpan.Zero, (sum, s) => sum + s.ExpectedDuration);

    [Fact]
    public void A_step_that_just_started_and_every_later_one_count_in_full_and_done_ones_not_at_all()
    {
        var details = Runs.At(Plan, 3, RunStepStatus.Running);
        var now = details.Steps.Single(s => s.Sequence == 3).StartedAt!.Value;

        Assert.Equal(ExpectedFrom(3), details.ExpectedRemaining(now));
    }

    [Fact]
    public void A_wait_that_ends_later_than_its_step_was_expected_to_take_counts_until_its_end()
    {
        var started = Runs.At(Plan, RetentionWait, RunStepStatus.Waiting).Steps.Single(s => s.Sequence == RetentionWait).StartedAt!.Value;
        var details = Runs.At(Plan, RetentionWait, RunStepStatus.Waiting, MigrationRunStatus.Waiting, waitUntil: started + TimeSpan.FromDays(30));

        Assert.Equal(TimeSpan.FromDays(30) + ExpectedFrom(RetentionWait + 1), details.ExpectedRemaining(started));
    }

    [Fact]
    public void A_step_running_longer_than_expected_counts_as_nothing_left()
    {
        var details = Runs.At(Plan, 3, RunStepStatus.Running);
        var now = details.Steps.Single(s => s.Sequence == 3).StartedAt!.Value + Plan.Steps[3].ExpectedDuration + TimeSpan.FromHours(1);

        Assert.Equal(ExpectedFrom(4), details.ExpectedRemaining(now));
    }

    [Fact]
    public void A_finished_run_expects_nothing()
    {
        var details = Runs.At(Plan, Plan.Steps.Count - 1, RunStepStatus.Done, MigrationRunStatus.Succeeded);

        Assert.Null(details.ExpectedRemaining(DateTimeOffset.UtcNow));
    }
}
