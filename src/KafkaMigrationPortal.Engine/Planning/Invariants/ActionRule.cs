using System.Collections.Frozen;

namespace KafkaMigrationPortal.Engine.Planning.Invariants;

/// <summary>What one kind of step action does to the <see cref="SimulatedApp"/>, and what it reports when it cannot
/// work in the state it runs in.</summary>
public interface IActionRule
{
    Type ActionType { get; }

    /// <param name="step">The index of the step carrying <paramref name="action"/>, where violations are reported.</param>
    void Apply(StepAction action, int step, SimulatedApp app);
}

public abstract class ActionRule<TAction> : IActionRule where TAction : StepAction
{
    public Type ActionType => typeof(TAction);

    void IActionRule.Apply(StepAction action, int step, SimulatedApp app) => Apply((TAction)action, step, app);

    public abstract void Apply(TAction action, int step, SimulatedApp app);
}

/// <summary>The rule for every step action the engine knows; an action without one is reported, never assumed harmless.</summary>
public static class ActionRules
{
    private static readonly FrozenDictionary<Type, IActionRule> ByActionType = new IActionRule[]
    {
        new ProvisionAddonRule(),
        new WaitForProvisioningRule(),
        new DestroyAddonRule(),
        new AttachRule(),
        new DetachRule(),
        new CreateTopicsRule(),
        new CreateConsumerGroupsRule(),
        new ScaleProcessesRule(),
        new RestoreFormationRule(),
        new SetMaintenanceRule(),
        new SetConfigVarsRule(),
        new WaitForConsumerCatchUpRule(),
        new VerifyDoubleWriteRule(),
        new WaitForRetentionRule(),
        new VerifyParityRule(),
        new WatchStrayWritesRule(),
        new StartMirrorRule(),
        new WaitForMirrorCaughtUpRule(),
        new WaitForMirrorDrainedRule(),
        new CommitMirroredOffsetsRule(),
        new StopMirrorRule(),
    }.ToFrozenDictionary(rule => rule.ActionType);

    public static IReadOnlyCollection<IActionRule> All => ByActionType.Values;

    public static IActionRule? For(Type actionType) => ByActionType.GetValueOrDefault(actionType);

    /// <summary>Applies the action's rule, or reports the action as one the checker cannot vouch for.</summary>
    public static void Apply(StepAction action, int step, SimulatedApp app)
    {
        if (For(action.GetType()) is { } rule) rule.Apply(action, step, app);
        else app.Report(step, InvariantRules.ImpossibleStep, $"Unknown action {action.GetType().Name}: the checker cannot vouch for it.");
    }
}
