using static KafkaMigrationPortal.Engine.Planning.Invariants.SimulatedApp;

namespace KafkaMigrationPortal.Engine.Planning.Invariants;

/// <summary>Lag 0 drains an add-on only if consumers read it and no producer still writes to it; waiting on no group proves nothing.</summary>
public sealed class WaitForConsumerCatchUpRule : ActionRule<WaitForConsumerCatchUp>
{
    public override void Apply(WaitForConsumerCatchUp action, int step, SimulatedApp app)
    {
        var before = app.LastBoundary;
        if (action.Groups.Count == 0)
            app.Report(step, InvariantRules.ImpossibleStep, "Waits for consumer lag without naming any consumer group: it would prove nothing.");
        if (!before.ConsumersRunning || before.Reads != action.Addon)
            app.Report(step, InvariantRules.ImpossibleStep, $"Waits for lag 0 on the {Describe(action.Addon)} add-on while no consumer reads it: the wait never ends or proves nothing.");
        else if (!before.ProducersRunning || !before.Writes.Contains(action.Addon))
            app.Drained.Add(action.Addon);
    }
}

public sealed class VerifyDoubleWriteRule : ActionRule<VerifyDoubleWrite>
{
    public override void Apply(VerifyDoubleWrite action, int step, SimulatedApp app)
    {
        var before = app.LastBoundary;
        if (!before.ProducersRunning || !before.Writes.Contains(AddonRole.Source) || !before.Writes.Contains(AddonRole.Target))
            app.Report(step, InvariantRules.ImpossibleStep, "Verifies double-writing while producers do not write to both add-ons.");
    }
}

/// <summary>Waiting out at least the largest retention after a recorded double-write start lets the old cluster hold nothing the new one lacks.</summary>
public sealed class WaitForRetentionRule : ActionRule<WaitForRetention>
{
    public override void Apply(WaitForRetention action, int step, SimulatedApp app)
    {
        var largest = app.Plan.Topics.Max(t => t.RetentionTimeMs) ?? 0;
        if (action.LargestRetention < TimeSpan.FromMilliseconds(largest))
            app.Report(step, InvariantRules.UnsafeConsumerSwitch, $"Waits {action.LargestRetention}, less than the largest topic retention ({TimeSpan.FromMilliseconds(largest)}).");
        if (app.DoubleWrite == DoubleWriteProgress.None) app.Report(step, InvariantRules.ImpossibleStep, "Waits out the retention period without a recorded start of double-writing.");
        else if (app.DoubleWrite == DoubleWriteProgress.Started) app.DoubleWrite = DoubleWriteProgress.RetentionElapsed;
    }
}

public sealed class VerifyParityRule : ActionRule<VerifyParity>
{
    public override void Apply(VerifyParity action, int step, SimulatedApp app)
    {
        if (app.DoubleWrite < DoubleWriteProgress.RetentionElapsed) app.Report(step, InvariantRules.ImpossibleStep, "Checks parity before double-writing has outlasted the retention period: it cannot hold.");
        else app.DoubleWrite = DoubleWriteProgress.ParityVerified;
    }
}

public sealed class WatchStrayWritesRule : ActionRule<WatchStrayWrites>
{
    public override void Apply(WatchStrayWrites action, int step, SimulatedApp app)
    {
        var before = app.LastBoundary;
        if (before.ProducersRunning && before.Writes.Contains(AddonRole.Source))
            app.Report(step, InvariantRules.ImpossibleStep, "Watches the old add-on for stray writes while producers still write to it.");
    }
}
