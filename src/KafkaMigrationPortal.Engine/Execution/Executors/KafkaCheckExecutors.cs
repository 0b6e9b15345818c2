using KafkaMigrationPortal.Engine.KafkaChecks;
using KafkaMigrationPortal.Engine.Planning;
using KafkaMigrationPortal.Heroku.Kafka;

namespace KafkaMigrationPortal.Engine.Execution;

/// <summary>Shared handling of a Kafka check that did not answer Ok.</summary>
internal static class KafkaCheckOutcomes
{
    /// <summary>Unreachable brokers make the step a human confirmation; other failures are retried a bounded number of times.</summary>
    public static StepOutcome NotOk<T>(StepContext context, string check, KafkaCheckResult<T> result, ref int failures) where T : class
    {
        if (result.Outcome == KafkaCheckOutcome.Unreachable)
        {
            return new StepOutcome.NeedsHuman($"{check}: the brokers cannot be reached from the portal ({result.Message}). Confirm it by other means.");
        }

        failures++;
        return failures > context.Options.CheckRetries
            ? new StepOutcome.Failed($"{check} failed {failures} times: {result.Message}")
            : new StepOutcome.Wait(context.Now + context.Options.CheckRetryInterval, $"{check} did not answer ({result.Outcome}: {result.Message}); trying again.");
    }

    /// <summary>The step's topics, else the plan's; never Kafka's internal ones (a plan stored before they were left out may list them).</summary>
    public static IReadOnlyList<string> Topics(StepContext context, IReadOnlyList<string>? topics = null) =>
        (topics is { Count: > 0 } ? topics : context.Plan.Topics.Select(t => t.Name)).Where(t => !KafkaInternalTopics.IsInternal(t)).ToList();
}

public sealed class WaitForConsumerCatchUpExecutor : StepExecutor<WaitForConsumerCatchUp>
{
    /// <param name="ActiveGroups">Groups with committed offsets on the old add-on: the ones something consumes. Decided once.</param>
    public sealed record CatchUpState(int Passes, int Failures, Dictionary<string, long>? EndOffsets, List<string>? ActiveGroups = null);

    protected override async Task<StepOutcome> ExecuteAsync(StepContext context, WaitForConsumerCatchUp action)
    {
        var state = context.State<CatchUpState>() ?? new CatchUpState(0, 0, null);
        var vars = await context.AttachmentVarsAsync(action.Addon);
        var topics = KafkaCheckOutcomes.Topics(context);
        var result = await context.Inspector.GetLagAsync(vars, action.Groups, topics, context.CancellationToken);
        if (!result.IsOk) return NotOk(context, state, $"Lag of {string.Join(", ", action.Groups)} on {vars.AttachmentName}", result);

        if (state.ActiveGroups is null)
        {
            // A group that never committed on the old add-on has no consumer (a group registered but unused): waiting
            // for it would wait for retention to empty the topics. Which groups are live is judged on the old add-on,
            // where consumers have been running, never on the new one, where they may not have committed yet.
            var old = action.Addon == AddonRole.Source
                ? result
                : await context.Inspector.GetLagAsync(await context.AttachmentVarsAsync(AddonRole.Source), action.Groups, topics, context.CancellationToken);
            if (!old.IsOk) return NotOk(context, state, "Lag on the old add-on (to find the groups in use)", old);
            var active = action.Groups.Where(g => old.Value.Partitions.Any(p => p.Group == g && p.HasCommitted)).ToList();
            var idle = action.Groups.Except(active, StringComparer.Ordinal).ToList();
            if (idle.Count > 0)
            {
                await context.LogAsync(RunEventKinds.KafkaCheck, $"Not waiting for {string.Join(", ", idle)}: no committed offset on the old add-on, so nothing consumes them.");
            }

            state = state with { ActiveGroups = active };
        }

        var activeGroups = state.ActiveGroups.ToHashSet(StringComparer.Ordinal);
        var partitions = result.Value.Partitions.Where(p => activeGroups.Contains(p.Group)).ToList();
        var snapshot = result.Value with { Partitions = partitions };
        var ends = partitions.ToDictionary(Key, p => p.EndOffset, StringComparer.Ordinal);
        // With producers stopped (maintenance window) lag must be 0 and the logs still; while producers keep writing
        // (double-write, new cluster) lag is never 0 for long, so a check passes when every group has read at least
        // everything that existed at the previous check.
        var producersStopped = context.Plan.Strategy == MigrationStrategy.MaintenanceWindow;
        var previous = state.EndOffsets;
        var passed = producersStopped
            ? snapshot.IsCaughtUp && (previous is null || ends.All(e => previous.TryGetValue(e.Key, out var before) && before == e.Value))
            : snapshot.IsCaughtUp || (previous is not null && partitions.All(p =>
                (p.CommittedOffset ?? p.EarliestOffset) >= previous.GetValueOrDefault(Key(p), long.MaxValue)));
        var passes = passed ? state.Passes + 1 : 0;
        context.SetState(state with { Passes = passes, Failures = 0, EndOffsets = ends });
        await context.LogAsync(RunEventKinds.KafkaCheck,
            $"Lag on {vars.AttachmentName}: {snapshot.TotalLag} record(s) over {partitions.Count} group partition(s); check {(passed ? "passed" : "not passed")} ({passes}/{context.Options.CatchUpStableChecks}).",
            result: string.Join(", ", snapshot.LagByGroup.Select(g => $"{g.Key}={g.Value}")));
        return passes >= context.Options.CatchUpStableChecks
            ? Done($"Consumers caught up on {vars.AttachmentName} ({passes} consecutive checks; groups {string.Join(", ", activeGroups.Order(StringComparer.Ordinal))}).")
            : Wait(context, context.Options.CatchUpPollInterval, $"Consumers have {snapshot.TotalLag} record(s) to read on {vars.AttachmentName}.");
    }

    private static StepOutcome NotOk<T>(StepContext context, CatchUpState state, string check, KafkaChecks.KafkaCheckResult<T> result) where T : class
    {
        var failures = state.Failures;
        var outcome = KafkaCheckOutcomes.NotOk(context, check, result, ref failures);
        context.SetState(state with { Failures = failures });
        return outcome;
    }

    private static string Key(PartitionLag p) => $"{p.Group}|{p.Topic}|{p.Partition}";
}

public sealed class VerifyDoubleWriteExecutor : StepExecutor<VerifyDoubleWrite>
{
    public sealed record DoubleWriteState(WatermarkSnapshot? Old, WatermarkSnapshot? New, int Failures);

    protected override async Task<StepOutcome> ExecuteAsync(StepContext context, VerifyDoubleWrite action)
    {
        var state = context.State<DoubleWriteState>() ?? new DoubleWriteState(null, null, 0);
        var topics = KafkaCheckOutcomes.Topics(context, action.Topics);
        var oldVars = await context.AttachmentVarsAsync(AddonRole.Source);
        var newVars = await context.AttachmentVarsAsync(AddonRole.Target);
        var oldNow = await context.Inspector.GetWatermarksAsync(oldVars, topics, context.CancellationToken);
        var newNow = await context.Inspector.GetWatermarksAsync(newVars, topics, context.CancellationToken);
        foreach (var (result, name) in new[] { (oldNow, oldVars.AttachmentName), (newNow, newVars.AttachmentName) })
        {
            if (!result.IsOk)
            {
                var failures = state.Failures;
                var outcome = KafkaCheckOutcomes.NotOk(context, $"Watermarks of {name}", result, ref failures);
                context.SetState(state with { Failures = failures });
                return outcome;
            }
        }

        if (state.Old is null || state.New is null)
        {
            context.SetState(new DoubleWriteState(oldNow.Value, newNow.Value, state.Failures));
            return Wait(context, context.Options.DoubleWriteVerifyWindow, "Watching both clusters' watermarks grow.");
        }

        var oldActivity = WriteActivity.Compare(state.Old, oldNow.Value!);
        var newActivity = WriteActivity.Compare(state.New, newNow.Value!);
        var missingOnNew = oldActivity.TopicsWritten.Except(newActivity.TopicsWritten, StringComparer.Ordinal).ToList();
        await context.LogAsync(RunEventKinds.KafkaCheck,
            $"Writes in {(newNow.Value!.TakenAt - state.New.TakenAt).TotalSeconds:0} s: {oldActivity.RecordsWritten} on {oldVars.AttachmentName}, {newActivity.RecordsWritten} on {newVars.AttachmentName}.");
        if (oldActivity.ReceivedWrites && newActivity.ReceivedWrites && missingOnNew.Count == 0)
        {
            // From here on every producer demonstrably writes to both: count retention and parity from this moment,
            // later than the config change, so that records written only to the old cluster before it all age out.
            var start = newNow.Value!.TakenAt;
            if (context.Run.DoubleWriteStartedAt is null || context.Run.DoubleWriteStartedAt < start)
            {
                context.Run.DoubleWriteStartedAt = start;
                await context.SaveAsync();
                await context.LogAsync(RunEventKinds.Recorded, $"Double-write start recorded as {start:O}, when both clusters were seen receiving writes.");
            }

            return Done($"Both clusters receive writes ({oldActivity.RecordsWritten} and {newActivity.RecordsWritten} records in the window).");
        }

        var failuresSoFar = state.Failures + 1;
        var why = !newActivity.ReceivedWrites ? $"{newVars.AttachmentName} received no writes"
            : !oldActivity.ReceivedWrites ? $"{oldVars.AttachmentName} received no writes"
            : $"topics {string.Join(", ", missingOnNew)} were written on {oldVars.AttachmentName} only";
        if (failuresSoFar > context.Options.CheckRetries) return Failed($"Double-writing is not confirmed: {why}.");
        context.SetState(new DoubleWriteState(oldNow.Value, newNow.Value, failuresSoFar));
        return Wait(context, context.Options.DoubleWriteVerifyWindow, $"Not yet: {why}.");
    }
}

public sealed class WaitForRetentionExecutor : StepExecutor<WaitForRetention>
{
    protected override Task<StepOutcome> ExecuteAsync(StepContext context, WaitForRetention action)
    {
        if (context.Run.DoubleWriteStartedAt is not { } start)
        {
            return Task.FromResult(Failed("The start of double-writing was never recorded: the retention wait has nothing to count from."));
        }

        var until = start + action.LargestRetention + action.Margin;
        return Task.FromResult(context.Now >= until
            ? Done($"The retention period has passed since double-writing began ({start:O}).")
            : new StepOutcome.Wait(until, $"The largest topic retention ({Durations.InWords(action.LargestRetention)}) plus a margin ({Durations.InWords(action.Margin)}) from the start of double-writing, so that the new add-on holds everything the old one still retains."));
    }
}

public sealed class VerifyParityExecutor : StepExecutor<VerifyParity>
{
    /// <param name="WaitingSince">When parity was first found not to hold: the segment allowance counts from there.</param>
    /// <param name="Rechecks">Checks since then, each pause twice the one before.</param>
    public sealed record ParityState(int Failures, DateTimeOffset? WaitingSince = null, int Rechecks = 0);

    protected override async Task<StepOutcome> ExecuteAsync(StepContext context, VerifyParity action)
    {
        if (action.Topics.Count == 0) return Done("No topic has time-based retention: nothing to compare.");
        if (context.Run.DoubleWriteStartedAt is not { } start) return Failed("The start of double-writing was never recorded.");
        var state = context.State<ParityState>() ?? new ParityState(0);
        var oldVars = await context.AttachmentVarsAsync(AddonRole.Source);
        var result = await context.Inspector.CheckParityAsync(oldVars, action.Topics, start, context.CancellationToken);
        if (!result.IsOk)
        {
            var failures = state.Failures;
            var outcome = KafkaCheckOutcomes.NotOk(context, $"Parity on {oldVars.AttachmentName}", result, ref failures);
            context.SetState(state with { Failures = failures });
            return outcome;
        }

        await context.LogAsync(RunEventKinds.KafkaCheck, result.Value.Summary);
        if (result.Value.Holds) return Done(result.Value.Summary);

        // Kafka deletes whole segments: records from before double-writing stay until the newest record of their segment
        // is older than the retention. Wait for that, re-checking, as long as a segment can outlive the retention.
        // Whole seconds, so that the give-up time survives storage exactly (the database keeps less than a tick).
        var since = state.WaitingSince ?? new DateTimeOffset(context.Now.UtcTicks - context.Now.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
        var allowance = context.Options.SegmentRollAllowance;
        if (context.Now - since >= allowance)
        {
            return Failed($"{result.Value.Summary} Still so {allowance:g} after the retention wait, longer than a segment can outlive it: something wrote old records to the old add-on, or its segments roll more slowly than Execution:SegmentRollAllowance says.");
        }

        var pause = TimeSpan.FromTicks(Math.Min(context.Options.ParityRecheckMax.Ticks,
            context.Options.CheckRetryInterval.Ticks * (1L << Math.Min(state.Rechecks, 20))));
        var giveUpAt = since + allowance;
        context.SetState(state with { WaitingSince = since, Rechecks = state.Rechecks + 1 });
        return new StepOutcome.Wait(context.Now + pause < giveUpAt ? context.Now + pause : giveUpAt,
            $"Waiting for the old add-on's segments holding records from before the double-write start to age out (until {giveUpAt:u} at the latest). {result.Value.Summary}");
    }
}

public sealed class WatchStrayWritesExecutor : StepExecutor<WatchStrayWrites>
{
    public sealed record StrayState(WatermarkSnapshot? Before, int Failures);

    protected override async Task<StepOutcome> ExecuteAsync(StepContext context, WatchStrayWrites action)
    {
        var state = context.State<StrayState>() ?? new StrayState(null, 0);
        var oldVars = await context.AttachmentVarsAsync(AddonRole.Source);
        var now = await context.Inspector.GetWatermarksAsync(oldVars, KafkaCheckOutcomes.Topics(context, action.Topics), context.CancellationToken);
        if (!now.IsOk)
        {
            var failures = state.Failures;
            var outcome = KafkaCheckOutcomes.NotOk(context, $"Watermarks of {oldVars.AttachmentName}", now, ref failures);
            context.SetState(state with { Failures = failures });
            return outcome;
        }

        if (state.Before is null)
        {
            context.SetState(new StrayState(now.Value, state.Failures));
            return Wait(context, action.QuietWindow, $"Watching {oldVars.AttachmentName} for writes during {action.QuietWindow}.");
        }

        var activity = WriteActivity.Compare(state.Before, now.Value);
        if (!activity.ReceivedWrites) return Done($"No write reached {oldVars.AttachmentName} during {activity.To - activity.From:g}.");
        var message = $"{activity.RecordsWritten} stray record(s) written to {oldVars.AttachmentName} on {string.Join(", ", activity.TopicsWritten)}";
        await context.LogAsync(RunEventKinds.KafkaCheck, message);
        var failed = state.Failures + 1;
        if (failed > context.Options.CheckRetries) return Failed(message + ": something still writes to the old add-on.");
        context.SetState(new StrayState(now.Value, failed));
        return Wait(context, action.QuietWindow, message + "; watching again.");
    }
}
