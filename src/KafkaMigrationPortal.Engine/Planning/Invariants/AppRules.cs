namespace KafkaMigrationPortal.Engine.Planning.Invariants;

/// <summary>Scaling sets the quantity and records the one before the first change, for a restore to take back.</summary>
public sealed class ScaleProcessesRule : ActionRule<ScaleProcesses>
{
    public override void Apply(ScaleProcesses action, int step, SimulatedApp app)
    {
        foreach (var type in action.ProcessTypes)
        {
            app.RecordedQuantities.TryAdd(type, app.Quantities.GetValueOrDefault(type));
            app.Quantities[type] = action.Quantity;
        }
    }
}

/// <summary>Restoring takes back the recorded quantity; a type never scaled has none to take back.</summary>
public sealed class RestoreFormationRule : ActionRule<RestoreFormation>
{
    public override void Apply(RestoreFormation action, int step, SimulatedApp app)
    {
        foreach (var type in action.ProcessTypes)
        {
            if (app.RecordedQuantities.Remove(type, out var quantity)) app.Quantities[type] = quantity;
            else app.Report(step, InvariantRules.ImpossibleStep, $"Restores process type {type}, whose quantity was never recorded.");
        }
    }
}

public sealed class SetMaintenanceRule : ActionRule<SetMaintenance>
{
    public override void Apply(SetMaintenance action, int step, SimulatedApp app) => app.Maintenance = action.On;
}

/// <summary>Sets and unsets config vars; a step that records the start of double-writing must find producers writing to both add-ons.</summary>
public sealed class SetConfigVarsRule : ActionRule<SetConfigVars>
{
    public override void Apply(SetConfigVars action, int step, SimulatedApp app)
    {
        foreach (var (key, value) in action.Vars)
        {
            if (value is null) app.ConfigVars.Remove(key);
            else app.ConfigVars[key] = value;
        }
        if (!action.RecordsDoubleWriteStart) return;
        var writes = app.ResolveWrites(step, report: false);
        if (app.ProducersRunning && writes.Contains(AddonRole.Source) && writes.Contains(AddonRole.Target)) app.DoubleWrite = DoubleWriteProgress.Started;
        else app.Report(step, InvariantRules.ImpossibleStep, "Records the start of double-writing, but producers do not write to both add-ons.");
    }
}
