using KafkaMigrationPortal.Engine.KafkaChecks;
using KafkaMigrationPortal.Engine.Planning;
using KafkaMigrationPortal.Heroku.Kafka;

namespace KafkaMigrationPortal.Engine.Execution;

public enum LiveCheckResult
{
    Passed,
    Failed,

    /// <summary>The check could not be made (brokers unreachable): the approver's judgement stands, and is recorded.</summary>
    Unavailable,
}

/// <summary>One fact about live state checked when an approval is given.</summary>
public sealed record LiveCheck(string Name, LiveCheckResult Result, string Detail);

/// <summary>
/// What an approver must not be wrong about, checked against live state at the moment of approval: the lag before a
/// switch, parity before consumers move, that the new add-on is ready before a maintenance window opens, where
/// <c>KAFKA</c> points before the app restarts on it or an add-on is destroyed. Steps inside an approved window run the
/// same checks themselves, right before they act.
/// </summary>
internal static class ApprovalChecks
{
    public static async Task<IReadOnlyList<LiveCheck>> RunAsync(StepContext context)
    {
        var plan = context.Plan;
        var primary = plan.PrimaryAttachment;
        var checks = new List<LiveCheck>();
        switch (context.Action)
        {
            // A mirror's consumers stop with records unread on the old add-on: those are copied, and their positions carried.
            case Attach { Addon: AddonRole.Target } attach when attach.As == primary && plan.Strategy == MigrationStrategy.Mirror:
                checks.Add(await NothingRunsAsync(context));
                break;
            case Attach { Addon: AddonRole.Target } attach when attach.As == primary:
                checks.Add(await LagAsync(context, AddonRole.Source, tolerance: 0));
                break;
            case SetConfigVars set when set.Vars.TryGetValue(PinVars.ConsumerAddonName, out var consumer) && consumer == primary:
                checks.Add(await ParityAsync(context));
                break;
            case SetConfigVars set when set.Vars.TryGetValue(PinVars.ProducerAddonNames, out var producers) && producers == primary:
                checks.Add(await ConsumersFollowAsync(context, primary));
                checks.Add(await LagAsync(context, AddonRole.Target, context.Options.ApprovalLagTolerancePerPartition));
                break;
            case DestroyAddon destroy:
                checks.Add(await PrimaryPointsAwayFromAsync(context, destroy.Addon));
                break;
            case ScaleProcesses { Quantity: 0 } when PlanStep(context).ApprovalCoversThrough is not null:
                checks.Add(await TargetReadyAsync(context));
                if (plan.Strategy == MigrationStrategy.Mirror) checks.Add(await MirrorCaughtUpAsync(context));
                break;
            case RestoreFormation when PlanStep(context).PointOfNoReturn:
                checks.Add(await PrimaryPointsAtTargetAsync(context));
                break;
        }

        return checks;
    }

    private static async Task<LiveCheck> LagAsync(StepContext context, AddonRole role, long tolerance)
    {
        var name = $"Consumer lag on the {(role == AddonRole.Source ? "old" : "new")} add-on{(tolerance > 0 ? $" (≤ {tolerance} per partition)" : " is 0")}";
        var vars = await context.AttachmentVarsAsync(role);
        var result = await context.Inspector.GetLagAsync(vars, context.Plan.ConsumerGroups, KafkaCheckOutcomes.Topics(context), context.CancellationToken);
        if (!result.IsOk) return Unavailable(name, result);
        // Groups that never committed on this cluster have no consumer (registered but unused): nothing to wait for.
        var consumed = result.Value.Partitions.GroupBy(p => p.Group).Where(g => g.Any(p => p.HasCommitted)).SelectMany(g => g).ToList();
        var idle = result.Value.Partitions.Select(p => p.Group).Distinct().Except(consumed.Select(p => p.Group)).ToList();
        var worst = consumed.OrderByDescending(p => p.Lag).FirstOrDefault();
        var passed = consumed.All(p => p.Lag <= tolerance);
        return new LiveCheck(name, passed ? LiveCheckResult.Passed : LiveCheckResult.Failed,
            $"{consumed.Sum(p => p.Lag)} record(s) unread on {vars.AttachmentName}" + (worst is { Lag: > 0 } ? $"; most on {worst.Group} {worst.Topic}[{worst.Partition}] ({worst.Lag})" : "")
            + (idle.Count > 0 ? $"; not counted (never committed): {string.Join(", ", idle)}" : ""));
    }

    private static async Task<LiveCheck> NothingRunsAsync(StepContext context)
    {
        const string name = "Producers and consumers are at 0";
        var running = await MirrorChecks.RunningAsync(context, context.Plan.ProducerProcessTypes.Concat(context.Plan.ConsumerProcessTypes));
        return new LiveCheck(name, running.Count == 0 ? LiveCheckResult.Passed : LiveCheckResult.Failed,
            running.Count == 0 ? "Nothing reads or writes either add-on." : $"Still running: {string.Join(", ", running)}.");
    }

    /// <summary>A copier that has not reported for this long is taken for stopped.</summary>
    public static readonly TimeSpan MirrorSilenceLimit = TimeSpan.FromSeconds(15);

    /// <summary>
    /// The window's drain is short only if the mirror is close behind when the producers stop: the caught-up wait's
    /// thresholds, read again at the moment of approval. A partition is behind with more records left than the
    /// threshold, more than its time of copying at the rate measured, or records left and no report from its copier for
    /// <see cref="MirrorSilenceLimit"/>. A trickle the copier has not yet sampled (records left, rate 0, reported just
    /// now) is not behind: the wait before the gate already asked for a measured rate.
    /// </summary>
    private static async Task<LiveCheck> MirrorCaughtUpAsync(StepContext context)
    {
        var wait = context.Plan.Steps.Select(s => s.Action).OfType<WaitForMirrorCaughtUp>().FirstOrDefault();
        var name = wait is null ? "The mirror has caught up"
            : $"The mirror has caught up (≤ {wait.MaxLagRecords} records and ≤ {Durations.InWords(wait.MaxLagTime)} of copying per partition)";
        if (context.Mirror is null || wait is null) return new LiveCheck(name, LiveCheckResult.Unavailable, "The mirror's progress cannot be read here.");
        var (copies, source) = await MirrorChecks.ReadAsync(context, context.Mirror);
        if (copies is null) return Unavailable(name, source);
        var behind = copies.Where(c => c.Lag > wait.MaxLagRecords
            || (c.Lag > 0 && c.RecordsPerSecond > 0 && TimeSpan.FromSeconds(c.Lag / c.RecordsPerSecond) > wait.MaxLagTime)
            || (c.Lag > 0 && (c.ReportedAt is not { } at || context.Now - at > MirrorSilenceLimit))).ToList();
        var summary = MirrorChecks.Summary(copies);
        return new LiveCheck(name, behind.Count == 0 ? LiveCheckResult.Passed : LiveCheckResult.Failed,
            behind.Count == 0 ? $"{summary}." : $"{summary}; {behind.Count} partition(s) further behind than the thresholds.");
    }

    private static async Task<LiveCheck> ParityAsync(StepContext context)
    {
        const string name = "Parity: the old add-on retains nothing older than the double-write start";
        if (context.Run.DoubleWriteStartedAt is not { } start) return new LiveCheck(name, LiveCheckResult.Failed, "The double-write start was never recorded.");
        var topics = context.Plan.Topics.Where(t => t.RetentionTimeMs is not null && !KafkaInternalTopics.IsInternal(t.Name)).Select(t => t.Name).ToList();
        if (topics.Count == 0) return new LiveCheck(name, LiveCheckResult.Passed, "No topic has time-based retention.");
        var vars = await context.AttachmentVarsAsync(AddonRole.Source);
        var result = await context.Inspector.CheckParityAsync(vars, topics, start, context.CancellationToken);
        if (!result.IsOk) return Unavailable(name, result);
        return new LiveCheck(name, result.Value.Holds ? LiveCheckResult.Passed : LiveCheckResult.Failed, result.Value.Summary);
    }

    private static async Task<LiveCheck> ConsumersFollowAsync(StepContext context, string primary)
    {
        var name = $"{PinVars.ConsumerAddonName} is {primary}";
        var vars = await context.Platform.GetConfigVarsAsync(context.App, context.CancellationToken);
        var value = vars.GetValueOrDefault(PinVars.ConsumerAddonName);
        return new LiveCheck(name, value == primary ? LiveCheckResult.Passed : LiveCheckResult.Failed,
            $"{PinVars.ConsumerAddonName}={Redaction.ConfigVarValue(PinVars.ConsumerAddonName, value)}");
    }

    private static Task<LiveCheck> PrimaryPointsAwayFromAsync(StepContext context, AddonRole doomed) =>
        context.AddonId(doomed) is null
            ? Task.FromResult(new LiveCheck($"{context.Plan.PrimaryAttachment} does not point at the add-on to destroy", LiveCheckResult.Passed, "The add-on was never created."))
            : PrimaryAsync(context, doomed, shouldPointAt: false, $"{context.Plan.PrimaryAttachment} does not point at the add-on to destroy");

    private static Task<LiveCheck> PrimaryPointsAtTargetAsync(StepContext context) =>
        PrimaryAsync(context, AddonRole.Target, shouldPointAt: true, $"{context.Plan.PrimaryAttachment} points at the new add-on");

    /// <summary>Whether the primary attachment points at <paramref name="role"/>'s add-on is what <paramref name="shouldPointAt"/> asks; no primary attachment fails.</summary>
    private static async Task<LiveCheck> PrimaryAsync(StepContext context, AddonRole role, bool shouldPointAt, string name)
    {
        var primary = context.Plan.PrimaryAttachment;
        var attachments = await context.Platform.ListAttachmentsAsync(context.App, context.CancellationToken);
        if (attachments.FirstOrDefault(a => a.Name == primary) is not { } current) return new LiveCheck(name, LiveCheckResult.Failed, $"No add-on is attached as {primary}.");
        var pointsAt = context.AddonId(role) is { } id && string.Equals(current.Addon.Id, id.ToString(), StringComparison.OrdinalIgnoreCase);
        return new LiveCheck(name, pointsAt == shouldPointAt ? LiveCheckResult.Passed : LiveCheckResult.Failed, $"{primary} is {current.Addon.Name}.");
    }

    private static PlanStep PlanStep(StepContext context) => context.Plan.Steps[context.Step.PlanStepIndex];

    private static async Task<LiveCheck> TargetReadyAsync(StepContext context)
    {
        const string name = "The new add-on has every topic and consumer group";
        if (context.AddonId(AddonRole.Target) is not { } target) return new LiveCheck(name, LiveCheckResult.Failed, "The new add-on was never created.");
        var cluster = target.ToString();
        var listed = (await context.Kafka.ListTopicsAsync(cluster, context.CancellationToken)).AppTopics()
            .GroupBy(t => t.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Partitions, StringComparer.Ordinal);
        var notReady = context.Plan.Topics.Where(t => !KafkaInternalTopics.IsInternal(t.Name) && listed.GetValueOrDefault(t.Name) != t.Partitions).Select(t => t.Name).ToList();
        // Only multi-tenant clusters list (and need) created groups; dedicated ones answer that creating them is not required.
        List<string> missingGroups = [];
        if (context.Plan.TargetMultiTenant)
        {
            var groups = (await context.Kafka.ListConsumerGroupsAsync(cluster, context.CancellationToken)).ConsumerGroups.Select(g => g.Name).ToHashSet(StringComparer.Ordinal);
            missingGroups = [.. context.Plan.ConsumerGroups.Where(g => !groups.Contains(g))];
        }
        return notReady.Count == 0 && missingGroups.Count == 0
            ? new LiveCheck(name, LiveCheckResult.Passed, $"{context.Plan.Topics.Count} topic(s) with their partitions" + (context.Plan.TargetMultiTenant ? $" and {context.Plan.ConsumerGroups.Count} consumer group(s)." : " (a dedicated cluster needs no consumer groups created)."))
            : new LiveCheck(name, LiveCheckResult.Failed, string.Join("; ",
                new[] { notReady.Count > 0 ? $"topics not ready: {string.Join(", ", notReady)}" : null, missingGroups.Count > 0 ? $"groups missing: {string.Join(", ", missingGroups)}" : null }
                    .Where(t => t is not null)) + ".");
    }

    private static LiveCheck Unavailable<T>(string name, KafkaCheckResult<T> result) where T : class =>
        new(name, result.Outcome == KafkaCheckOutcome.Unreachable ? LiveCheckResult.Unavailable : LiveCheckResult.Failed,
            $"{result.Outcome}: {result.Message}");
}
