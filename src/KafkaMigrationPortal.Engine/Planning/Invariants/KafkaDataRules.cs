using static KafkaMigrationPortal.Engine.Planning.Invariants.SimulatedApp;

namespace KafkaMigrationPortal.Engine.Planning.Invariants;

/// <summary>An add-on has its topics once a ready add-on gets every topic of the plan.</summary>
public sealed class CreateTopicsRule : ActionRule<CreateTopics>
{
    public override void Apply(CreateTopics action, int step, SimulatedApp app)
    {
        if (!app.Ready.Contains(action.Addon)) app.Report(step, InvariantRules.ImpossibleStep, $"Creates topics on the {Describe(action.Addon)} add-on before it is ready.");
        var missing = app.Plan.Topics.Select(t => t.Name).Except(action.Topics.Select(t => t.Name), StringComparer.Ordinal).ToList();
        if (missing.Count > 0) app.Report(step, InvariantRules.ImpossibleStep, $"Topics {string.Join(", ", missing)} are not created on the {Describe(action.Addon)} add-on.");
        else app.HasTopics.Add(action.Addon);
    }
}

/// <summary>An add-on has its consumer groups once a ready add-on gets every group of the plan.</summary>
public sealed class CreateConsumerGroupsRule : ActionRule<CreateConsumerGroups>
{
    public override void Apply(CreateConsumerGroups action, int step, SimulatedApp app)
    {
        if (!app.Ready.Contains(action.Addon)) app.Report(step, InvariantRules.ImpossibleStep, $"Creates consumer groups on the {Describe(action.Addon)} add-on before it is ready.");
        var missing = app.Plan.ConsumerGroups.Except(action.Groups, StringComparer.Ordinal).ToList();
        if (missing.Count > 0) app.Report(step, InvariantRules.ImpossibleStep, $"Consumer groups {string.Join(", ", missing)} are not created on the {Describe(action.Addon)} add-on.");
        else app.HasGroups.Add(action.Addon);
    }
}
