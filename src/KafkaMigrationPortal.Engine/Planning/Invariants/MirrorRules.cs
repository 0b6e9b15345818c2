using static KafkaMigrationPortal.Engine.Planning.Invariants.SimulatedApp;

namespace KafkaMigrationPortal.Engine.Planning.Invariants;

/// <summary>How much of the old cluster the mirror has put on the new one.</summary>
public enum MirrorCopy
{
    Behind,
    CaughtUp,

    /// <summary>Every record the old cluster holds is on the new one, and nothing has written to the old one since.</summary>
    Complete,
}

/// <summary>A mirror copies into a new add-on that has every topic (same partitions), and only one mirror runs.</summary>
public sealed class StartMirrorRule : ActionRule<StartMirror>
{
    public override void Apply(StartMirror action, int step, SimulatedApp app)
    {
        if (app.MirrorRunning) app.Report(step, InvariantRules.ImpossibleStep, "Starts a second mirror.");
        if (!app.Ready.Contains(AddonRole.Target) || !app.HasTopics.Contains(AddonRole.Target))
            app.Report(step, InvariantRules.ImpossibleStep, "Starts the mirror before the new add-on is ready with every topic.");
        var missing = app.Plan.Topics.Select(t => t.Name).Except(action.Topics, StringComparer.Ordinal).ToList();
        if (missing.Count > 0) app.Report(step, InvariantRules.ImpossibleStep, $"The mirror leaves out topics {string.Join(", ", missing)}: their records never reach the new add-on.");
        if (app.LastBoundary is { ProducersRunning: true } before && before.Writes.Contains(AddonRole.Target))
            app.Report(step, InvariantRules.MirrorInterleaves, "Starts the mirror into the new add-on while producers write to it: copies and new records interleave.");
        app.MirrorRunning = true;
        app.Mirrored = MirrorCopy.Behind;
    }
}

public sealed class WaitForMirrorCaughtUpRule : ActionRule<WaitForMirrorCaughtUp>
{
    public override void Apply(WaitForMirrorCaughtUp action, int step, SimulatedApp app)
    {
        if (!app.MirrorRunning) app.Report(step, InvariantRules.ImpossibleStep, "Waits for the mirror to catch up while no mirror runs: the wait never ends.");
        else if (app.Mirrored == MirrorCopy.Behind) app.Mirrored = MirrorCopy.CaughtUp;
    }
}

/// <summary>The mirror has copied everything only once nothing writes to the old cluster any more.</summary>
public sealed class WaitForMirrorDrainedRule : ActionRule<WaitForMirrorDrained>
{
    public override void Apply(WaitForMirrorDrained action, int step, SimulatedApp app)
    {
        var before = app.LastBoundary;
        var missing = app.Plan.Topics.Select(t => t.Name).Except(action.Topics, StringComparer.Ordinal).ToList();
        if (!app.MirrorRunning)
            app.Report(step, InvariantRules.ImpossibleStep, "Waits for the mirror to copy the last record while no mirror runs: the wait never ends.");
        else if (before.ProducersRunning && before.Writes.Contains(AddonRole.Source))
            app.Report(step, InvariantRules.ImpossibleStep, "Waits for the mirror to copy the last record while producers still write to the old add-on: there is always a next record.");
        else if (missing.Count > 0)
            app.Report(step, InvariantRules.ImpossibleStep, $"Waits for the mirror without topics {string.Join(", ", missing)}: it proves nothing about them.");
        else
            app.Mirrored = MirrorCopy.Complete;
    }
}

/// <summary>Positions translate exactly only for records the mirror has copied, and hold only while nobody consumes the old cluster.</summary>
public sealed class CommitMirroredOffsetsRule : ActionRule<CommitMirroredOffsets>
{
    public override void Apply(CommitMirroredOffsets action, int step, SimulatedApp app)
    {
        var before = app.LastBoundary;
        var missing = app.Plan.ConsumerGroups.Except(action.Groups, StringComparer.Ordinal).ToList();
        if (missing.Count > 0)
            app.Report(step, InvariantRules.ImpossibleStep, $"Consumer groups {string.Join(", ", missing)} get no position on the new add-on: they would start at its earliest record.");
        else if (app.Mirrored != MirrorCopy.Complete)
            app.Report(step, InvariantRules.ImpossibleStep, "Carries the groups' positions before the mirror has copied every record: positions past the copy cannot be translated.");
        else if (before.ConsumersRunning && before.Reads == AddonRole.Source)
            app.Report(step, InvariantRules.ImpossibleStep, "Carries the groups' positions while consumers still read the old add-on: they move on past what was carried.");
        else
            app.PositionsCarried = true;
    }
}

public sealed class StopMirrorRule : ActionRule<StopMirror>
{
    public override void Apply(StopMirror action, int step, SimulatedApp app)
    {
        if (!app.MirrorRunning) app.Report(step, InvariantRules.ImpossibleStep, "Stops a mirror that does not run.");
        app.MirrorRunning = false;
    }
}
