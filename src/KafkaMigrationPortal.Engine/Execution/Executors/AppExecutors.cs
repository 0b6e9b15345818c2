using KafkaMigrationPortal.Engine.Planning;
using KafkaMigrationPortal.Heroku.Platform;

namespace KafkaMigrationPortal.Engine.Execution;

public sealed class SetConfigVarsExecutor : StepExecutor<SetConfigVars>
{
    protected override async Task<StepOutcome> ExecuteAsync(StepContext context, SetConfigVars action)
    {
        var current = await context.Platform.GetConfigVarsAsync(context.App, context.CancellationToken);
        var pending = action.Vars.Where(v => !Holds(current, v.Key, v.Value)).ToDictionary(v => v.Key, v => v.Value, StringComparer.Ordinal);
        if (pending.Count == 0)
        {
            await context.LogAsync(RunEventKinds.Reconciled, $"Config vars already set: {Redaction.ConfigVars(action.Vars)}.");
        }
        else
        {
            if (action.CarriesPositionsOf is { Count: > 0 } groups && await CarryPositionsAsync(context, groups) is { } notYet) return notYet;
            await context.MutateAsync(
                "Set config vars",
                $"PATCH /apps/{context.App}/config-vars {Redaction.ConfigVars(pending)}",
                ct => context.Platform.UpdateConfigVarsAsync(context.App, pending, ct),
                result => $"{Redaction.ConfigVars(pending.Keys.Select(k => KeyValuePair.Create(k, result.GetValueOrDefault(k))))}");
        }

        if (action.RecordsDoubleWriteStart && context.Run.DoubleWriteStartedAt is null)
        {
            // After the release (or after finding it made): a start recorded late only makes the retention wait longer.
            context.Run.DoubleWriteStartedAt = context.Now;
            await context.SaveAsync();
            await context.LogAsync(RunEventKinds.Recorded, $"Double-writing began at {context.Run.DoubleWriteStartedAt:O} (provisional; the double-write check moves it to when both clusters were seen receiving writes).");
        }

        return Done(pending.Count == 0 ? $"Already set: {Redaction.ConfigVars(action.Vars)}." : $"Set {Redaction.ConfigVars(pending)}.");
    }

    public sealed record CarryState(int Failures);

    /// <summary>
    /// As late as possible before the switch (after its approval, and again on a re-run until the vars are set): commits
    /// each group's position on the new add-on. Null when the switch may go ahead.
    /// </summary>
    private static async Task<StepOutcome?> CarryPositionsAsync(StepContext context, IReadOnlyList<string> groups)
    {
        var old = await context.AttachmentVarsAsync(AddonRole.Source);
        var target = await context.AttachmentVarsAsync(AddonRole.Target);
        var result = await context.Inspector.CarryConsumerPositionsAsync(old, target, groups, KafkaCheckOutcomes.Topics(context), context.CancellationToken);
        if (result.IsOk)
        {
            var report = result.Value;
            await context.LogAsync(RunEventKinds.Recorded,
                $"Consumer positions carried to {target.AttachmentName} ({report.Committed} partition(s) committed, clock-skew margin {report.ClockSkewMargin.TotalSeconds:0.#} s):\n" +
                string.Join("\n", report.Lines()));
            return null;
        }

        if (result.Outcome == KafkaChecks.KafkaCheckOutcome.Unreachable)
        {
            // Switching without positions replays, it never loses: the groups start at the new add-on's earliest record.
            await context.LogAsync(RunEventKinds.KafkaCheck,
                $"Consumer positions could not be carried ({result.Message}): the consumers start at the earliest record {target.AttachmentName} retains and see those messages again.");
            return null;
        }

        var failures = (context.State<CarryState>()?.Failures ?? 0) + 1;
        context.SetState(new CarryState(failures));
        return failures > context.Options.CheckRetries
            ? new StepOutcome.Failed($"Consumer positions could not be carried {failures} times ({result.Message}); the consumers were not switched.")
            : new StepOutcome.Wait(context.Now + context.Options.CheckRetryInterval, $"Carrying consumer positions did not work ({result.Message}); trying again.");
    }

    private static bool Holds(IReadOnlyDictionary<string, string> current, string key, string? value) =>
        value is null ? !current.ContainsKey(key) : current.TryGetValue(key, out var now) && now == value;
}

public sealed class SetMaintenanceExecutor : StepExecutor<SetMaintenance>
{
    protected override async Task<StepOutcome> ExecuteAsync(StepContext context, SetMaintenance action)
    {
        var app = await context.Platform.GetAppAsync(context.App, context.CancellationToken);
        var state = action.On ? "on" : "off";
        if (app.Maintenance == action.On)
        {
            await context.LogAsync(RunEventKinds.Reconciled, $"Maintenance mode is already {state}.");
            return Done($"Maintenance mode was already {state}.");
        }

        await context.MutateAsync(
            "Set maintenance mode",
            $"PATCH /apps/{context.App} maintenance={state}",
            ct => context.Platform.UpdateAppAsync(context.App, new HerokuAppUpdate(action.On), ct),
            a => $"maintenance={(a.Maintenance ? "on" : "off")}");
        return Done($"Maintenance mode {state}.");
    }
}

public sealed class ScaleProcessesExecutor : StepExecutor<ScaleProcesses>
{
    protected override async Task<StepOutcome> ExecuteAsync(StepContext context, ScaleProcesses action)
    {
        var formation = await context.Platform.ListFormationAsync(context.App, context.CancellationToken);
        var recorded = new Dictionary<string, int>(context.RecordedFormation, StringComparer.Ordinal);
        var newlyRecorded = new List<string>();
        foreach (var type in action.ProcessTypes)
        {
            // Once only: a re-run after the scale-down must not record the 0 it finds.
            if (!recorded.ContainsKey(type) && formation.FirstOrDefault(f => f.Type == type) is { } process)
            {
                recorded[type] = process.Quantity;
                newlyRecorded.Add($"{type}={process.Quantity}");
            }
        }

        if (newlyRecorded.Count > 0)
        {
            context.Run.RecordedFormationJson = PlanSerialization.SerializeValue(recorded);
            await context.SaveAsync();
            await context.LogAsync(RunEventKinds.Recorded, $"Recorded dyno counts before scaling: {string.Join(", ", newlyRecorded)}.");
        }

        var missing = action.ProcessTypes.Where(t => formation.All(f => f.Type != t)).ToList();
        if (missing.Count > 0) return Failed($"{context.App} has no process type {string.Join(", ", missing)}.");

        var updates = action.ProcessTypes
            .Where(t => formation.First(f => f.Type == t).Quantity != action.Quantity)
            .Select(t => new HerokuFormationUpdate(t, action.Quantity))
            .ToList();
        return await FormationScaling.ApplyAsync(context, updates, $"{string.Join(", ", action.ProcessTypes)} at {action.Quantity}");
    }
}

public sealed class RestoreFormationExecutor : StepExecutor<RestoreFormation>
{
    protected override async Task<StepOutcome> ExecuteAsync(StepContext context, RestoreFormation action)
    {
        var formation = await context.Platform.ListFormationAsync(context.App, context.CancellationToken);
        var recorded = context.RecordedFormation;
        var updates = new List<HerokuFormationUpdate>();
        foreach (var type in action.ProcessTypes)
        {
            if (!recorded.TryGetValue(type, out var quantity) && context.Plan.Formation?.TryGetValue(type, out quantity) != true)
            {
                continue; // Never recorded: this run never scaled it.
            }

            if (formation.FirstOrDefault(f => f.Type == type) is { } process && process.Quantity != quantity)
            {
                updates.Add(new HerokuFormationUpdate(type, quantity));
            }
        }

        return await FormationScaling.ApplyAsync(context, updates,
            string.Join(", ", action.ProcessTypes.Select(t => $"{t}={(recorded.TryGetValue(t, out var q) ? q : context.Plan.Formation?.GetValueOrDefault(t))}")));
    }
}

internal static class FormationScaling
{
    public static async Task<StepOutcome> ApplyAsync(StepContext context, IReadOnlyList<HerokuFormationUpdate> updates, string target)
    {
        if (updates.Count == 0)
        {
            await context.LogAsync(RunEventKinds.Reconciled, $"Dyno formation already has {target}.");
            return new StepOutcome.Done($"Already {target}.");
        }

        await context.MutateAsync(
            "Scale dynos",
            $"PATCH /apps/{context.App}/formation {string.Join(", ", updates.Select(u => $"{u.Type}={u.Quantity}"))}",
            ct => context.Platform.UpdateFormationAsync(context.App, new HerokuFormationBatchUpdate(updates), ct),
            result => string.Join(", ", result.Select(f => $"{f.Type}={f.Quantity}")));
        return new StepOutcome.Done($"Scaled to {target}.");
    }
}
