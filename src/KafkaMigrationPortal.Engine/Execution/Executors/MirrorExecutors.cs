using KafkaMigrationPortal.Engine.KafkaChecks;
using KafkaMigrationPortal.Engine.Mirroring;
using KafkaMigrationPortal.Engine.Planning;

namespace KafkaMigrationPortal.Engine.Execution;

/// <summary>What the mirror's steps read: the copy's progress against the old cluster's live end offsets.</summary>
internal static class MirrorChecks
{
    public sealed record PartitionCopy(MirrorPartition Partition, long Copied, long SourceEnd, double RecordsPerSecond, DateTimeOffset? ReportedAt)
    {
        public long Lag => Math.Max(0, SourceEnd - Copied);
    }

    /// <summary>Every mirrored partition's copied offset beside the old cluster's end offset now; null with why when it cannot be read.</summary>
    public static async Task<(IReadOnlyList<PartitionCopy>? Copies, KafkaCheckResult<WatermarkSnapshot> Source)> ReadAsync(StepContext context, MirrorLeases leases)
    {
        var rows = (await leases.PartitionsAsync(context.Run.Id, context.CancellationToken)).ToDictionary(r => r.Key);
        var partitions = MirrorWorker.Partitions(context.Plan);
        var source = await context.Inspector.GetWatermarksAsync(await context.AttachmentVarsAsync(AddonRole.Source),
            partitions.Select(p => p.Topic).Distinct().ToList(), context.CancellationToken);
        if (!source.IsOk) return (null, source);
        var copies = partitions.Select(p =>
        {
            var row = rows.GetValueOrDefault(p);
            var end = source.Value.Find(p.Topic, p.Partition)?.LatestOffset ?? 0;
            // Records that aged out before the copier reached them count as copied: there is nothing left to copy of them.
            var copied = Math.Max(row?.CopiedOffset ?? 0, source.Value.Find(p.Topic, p.Partition)?.EarliestOffset ?? 0);
            return new PartitionCopy(p, copied, end, row?.RecordsPerSecond ?? 0, row?.ProgressAt);
        }).ToList();
        return (copies, source);
    }

    public static async Task<IReadOnlyList<string>> RunningAsync(StepContext context, IEnumerable<string> processTypes)
    {
        var types = processTypes.ToHashSet(StringComparer.Ordinal);
        var formation = await context.Platform.ListFormationAsync(context.App, context.CancellationToken);
        return formation.Where(f => types.Contains(f.Type) && f.Quantity > 0).Select(f => $"{f.Type}={f.Quantity}").ToList();
    }

    /// <summary>How far the copy is behind, as the caught-up wait and the cutover's approval both word it.</summary>
    public static string Summary(IReadOnlyList<PartitionCopy> copies) =>
        $"{copies.Sum(c => c.Lag)} record(s) left to copy over {copies.Count} partition(s){Worst(copies)}";

    public static async Task<KafkaCheckResult<WatermarkSnapshot>> HeartbeatsAsync(StepContext context) =>
        await context.Inspector.GetWatermarksAsync(await context.AttachmentVarsAsync(AddonRole.Target), [MirrorMaker2Config.HeartbeatsTopic], context.CancellationToken);

    /// <summary>The heartbeats topic's end offset: it grows once a second while MirrorMaker 2 runs.</summary>
    public static long HeartbeatEnd(WatermarkSnapshot beats) => beats.Partitions.Sum(p => p.LatestOffset);

    public static string Worst(IReadOnlyList<PartitionCopy> copies) =>
        copies.MaxBy(c => c.Lag) is { Lag: > 0 } worst ? $"; most behind: {worst.Partition} ({worst.Lag})" : "";
}

/// <summary>Records the run's mirror as active; the job processes' <see cref="MirrorWorker"/>s then copy (or, with
/// MirrorMaker 2, follow its copy once its heartbeats show it runs). Reconcile: active is done.</summary>
public sealed class StartMirrorExecutor(MirrorLeases leases) : StepExecutor<StartMirror>
{
    public sealed record HeartbeatState(long? Baseline, int Failures);

    protected override async Task<StepOutcome> ExecuteAsync(StepContext context, StartMirror action)
    {
        var mirrorMaker = context.Plan.MirrorEngine == MirrorEngine.MirrorMaker2;
        if (context.Run.MirrorStartedAt is not null && context.Run.MirrorStoppedAt is null && !mirrorMaker)
            return Done($"The mirror runs since {context.Run.MirrorStartedAt:O}.");

        var partitions = MirrorWorker.Partitions(context.Plan);
        if (context.Run.MirrorStartedAt is null)
        {
            // The copier continues after the last copied record of each target partition: anything else there would
            // be taken for copies. A mirror started before (then stopped by a rollback) has written only copies.
            var target = await context.Inspector.GetWatermarksAsync(await context.AttachmentVarsAsync(AddonRole.Target),
                partitions.Select(p => p.Topic).Distinct().ToList(), context.CancellationToken);
            if (!target.IsOk) return Failed($"The new add-on's topics could not be read before mirroring ({target.Outcome}: {target.Message}).");
            var written = target.Value.Partitions.Where(p => p.LatestOffset > 0).Select(p => $"{p.Topic}[{p.Partition}]").ToList();
            if (written.Count > 0)
                return Failed($"The new add-on already holds records the mirror did not write ({string.Join(", ", written)}): it must start empty"
                    + (mirrorMaker ? ", so start MirrorMaker 2 only when this step asks for it." : "."));
            var missing = partitions.Where(p => target.Value.Find(p.Topic, p.Partition) is null).Select(p => p.ToString()).ToList();
            if (missing.Count > 0) return Failed($"The new add-on lacks partitions {string.Join(", ", missing)}: its topics must have the old add-on's partition counts.");
        }

        if (context.Run.MirrorStartedAt is null || context.Run.MirrorStoppedAt is not null)
        {
            await leases.EnsurePartitionsAsync(context.Run.Id, partitions, context.CancellationToken);
            context.Run.MirrorStartedAt = context.Now;
            context.Run.MirrorStoppedAt = null;
            await context.SaveAsync();
            await context.LogAsync(RunEventKinds.Recorded, mirrorMaker
                ? $"Mirror started: start MirrorMaker 2 now with the run's configuration; the portal's job processes follow its copy of {partitions.Count} partition(s) of {string.Join(", ", action.Topics)}."
                : $"Mirror started: {partitions.Count} partition(s) of {string.Join(", ", action.Topics)} are copied by the portal's job processes.");
        }
        if (!mirrorMaker) return Done($"The mirror copies {partitions.Count} partition(s).");

        var state = context.State<HeartbeatState>() ?? new HeartbeatState(null, 0);
        var beats = await MirrorChecks.HeartbeatsAsync(context);
        if (!beats.IsOk)
        {
            var failures = state.Failures;
            var outcome = KafkaCheckOutcomes.NotOk(context, "MirrorMaker 2's heartbeats", beats, ref failures);
            context.SetState(state with { Failures = failures });
            return outcome;
        }
        var end = MirrorChecks.HeartbeatEnd(beats.Value);
        context.SetState(new HeartbeatState(state.Baseline ?? end, 0));
        return state.Baseline is { } baseline && end > baseline
            ? Done($"MirrorMaker 2 runs: its heartbeats reach {AttachmentNames.New}; the job processes follow its copy of {partitions.Count} partition(s).")
            : Wait(context, TimeSpan.FromSeconds(2), $"Waiting for MirrorMaker 2: start it with the run's configuration (connect-mirror-maker.sh mm2.properties); no heartbeat on the new add-on's '{MirrorMaker2Config.HeartbeatsTopic}' topic yet.");
    }
}

public sealed class WaitForMirrorCaughtUpExecutor(MirrorLeases leases) : StepExecutor<WaitForMirrorCaughtUp>
{
    public sealed record CaughtUpState(int Failures);

    protected override async Task<StepOutcome> ExecuteAsync(StepContext context, WaitForMirrorCaughtUp action)
    {
        if (context.Run.MirrorStartedAt is null || context.Run.MirrorStoppedAt is not null) return Failed("The mirror is not running.");
        var (copies, source) = await MirrorChecks.ReadAsync(context, leases);
        if (copies is null)
        {
            var failures = (context.State<CaughtUpState>()?.Failures ?? 0);
            var outcome = KafkaCheckOutcomes.NotOk(context, "The old add-on's end offsets", source, ref failures);
            context.SetState(new CaughtUpState(failures));
            return outcome;
        }
        context.SetState(new CaughtUpState(0));
        var summary = MirrorChecks.Summary(copies);
        await context.LogAsync(RunEventKinds.KafkaCheck, $"Mirror: {summary}.");
        var tooMany = copies.Where(c => c.Lag > action.MaxLagRecords).ToList();
        var tooSlow = copies.Where(c => c.Lag > 0 && (c.RecordsPerSecond <= 0 || TimeSpan.FromSeconds(c.Lag / c.RecordsPerSecond) > action.MaxLagTime)).ToList();
        return tooMany.Count == 0 && tooSlow.Count == 0
            ? Done($"The mirror has caught up: {summary}.")
            : Wait(context, context.Options.CatchUpPollInterval, $"The mirror is catching up: {summary}.");
    }
}

/// <summary>With producers at 0: done once, over consecutive checks with the old cluster's end offsets unchanged, every
/// partition's copy has reached them.</summary>
public sealed class WaitForMirrorDrainedExecutor(MirrorLeases leases) : StepExecutor<WaitForMirrorDrained>
{
    public sealed record DrainState(int Passes, int Failures, Dictionary<string, long>? Ends);

    protected override async Task<StepOutcome> ExecuteAsync(StepContext context, WaitForMirrorDrained action)
    {
        if (context.Run.MirrorStartedAt is null || context.Run.MirrorStoppedAt is not null) return Failed("The mirror is not running.");
        var running = await MirrorChecks.RunningAsync(context, context.Plan.ProducerProcessTypes);
        if (running.Count > 0) return Failed($"Producers still run ({string.Join(", ", running)}): the old add-on keeps growing, so the mirror never copies its last record.");
        var state = context.State<DrainState>() ?? new DrainState(0, 0, null);
        var (copies, source) = await MirrorChecks.ReadAsync(context, leases);
        if (copies is null)
        {
            var failures = state.Failures;
            var outcome = KafkaCheckOutcomes.NotOk(context, "The old add-on's end offsets", source, ref failures);
            context.SetState(state with { Failures = failures });
            return outcome;
        }
        var ends = copies.ToDictionary(c => c.Partition.ToString(), c => c.SourceEnd, StringComparer.Ordinal);
        var still = state.Ends is { } before && ends.All(e => before.TryGetValue(e.Key, out var then) && then == e.Value);
        var passed = still && copies.All(c => c.Lag == 0);
        var passes = passed ? state.Passes + 1 : 0;
        context.SetState(new DrainState(passes, 0, ends));
        var summary = $"{copies.Sum(c => c.Lag)} record(s) left to copy{MirrorChecks.Worst(copies)}";
        await context.LogAsync(RunEventKinds.KafkaCheck, $"Mirror drain: {summary}; the old add-on's end offsets {(state.Ends is null ? "first read" : still ? "unchanged" : "moved")}.");
        // As stable as a maintenance window's lag 0: a producer dyno still shutting down after the scale-down writes
        // within that time, and a record it wrote after the drain would be left behind on the old add-on.
        return passes >= context.Options.CatchUpStableChecks
            ? Done($"The mirror has copied every record of {copies.Count} partition(s) up to the old add-on's end ({passes} consecutive checks).")
            : Wait(context, context.Options.CatchUpPollInterval, $"Draining the mirror: {summary}.");
    }
}

/// <summary>Commits each group's translated offsets on the new cluster; a group already as far or further is left alone.</summary>
public sealed class CommitMirroredOffsetsExecutor(MirrorLeases leases) : StepExecutor<CommitMirroredOffsets>
{
    public sealed record CommitState(int Failures);

    protected override async Task<StepOutcome> ExecuteAsync(StepContext context, CommitMirroredOffsets action)
    {
        var running = await MirrorChecks.RunningAsync(context, context.Plan.ConsumerProcessTypes);
        if (running.Count > 0) return Failed($"Consumers still run ({string.Join(", ", running)}): they would move on past the positions carried.");
        var topics = MirrorWorker.Partitions(context.Plan).Select(p => p.Topic).Distinct().ToList();
        var sourceVars = await context.AttachmentVarsAsync(AddonRole.Source);
        var targetVars = await context.AttachmentVarsAsync(AddonRole.Target);
        var onSource = await context.Inspector.GetLagAsync(sourceVars, action.Groups, topics, context.CancellationToken);
        var onTarget = onSource.IsOk ? await context.Inspector.GetLagAsync(targetVars, action.Groups, topics, context.CancellationToken) : onSource;
        if (!onSource.IsOk || !onTarget.IsOk) return Retry(context, onSource.IsOk ? onTarget : onSource);

        var copied = (await leases.PartitionsAsync(context.Run.Id, context.CancellationToken)).ToDictionary(r => r.Key, r => r.CopiedOffset);
        var committed = onSource.Value.Partitions.Where(p => p.CommittedOffset is not null).ToList();
        var uncopied = committed.Where(p => p.CommittedOffset > copied.GetValueOrDefault(new MirrorPartition(p.Topic, p.Partition))).ToList();
        if (uncopied.Count > 0)
            return Failed($"The mirror has not copied up to {string.Join(", ", uncopied.Select(p => $"{p.Group} {p.Topic}[{p.Partition}]"))}: their positions cannot be translated.");

        IReadOnlyList<MirrorTranslation> translations;
        var requests = committed.Select(p => new MirrorTranslationRequest(new MirrorPartition(p.Topic, p.Partition), p.CommittedOffset!.Value)).ToList();
        try
        {
            translations = context.Plan.MirrorEngine == MirrorEngine.MirrorMaker2
                ? await new MirrorMaker2OffsetTranslator().TranslateAsync(sourceVars, targetVars, requests, context.CancellationToken)
                : await new MirrorOffsetTranslator().TranslateAsync(targetVars, requests,
                    await leases.SyncPointsAsync(context.Run.Id, context.CancellationToken), context.CancellationToken);
        }
        catch (KafkaCheckFailedException e)
        {
            return Retry(context, KafkaCheckResult<LagSnapshot>.NotOk(e.Outcome, e.Message));
        }
        catch (MirrorTranslationRefusedException e)
        {
            return Failed($"Nothing was committed: {e.Message}");
        }

        var (toCommit, lines) = Forward(committed.Select(p => p.Group).ToList(), translations, onTarget.Value.Partitions);
        if (toCommit.Count > 0)
        {
            try
            {
                await context.LogAsync(RunEventKinds.HerokuCallIntent, $"Commit {toCommit.Count} translated offset(s) on {targetVars.AttachmentName}");
                await MirrorOffsetCommitter.CommitAsync(targetVars, toCommit, context.CancellationToken);
            }
            catch (KafkaCheckFailedException e)
            {
                return Retry(context, KafkaCheckResult<LagSnapshot>.NotOk(e.Outcome, e.Message));
            }
        }
        var idle = action.Groups.Except(committed.Select(p => p.Group), StringComparer.Ordinal).ToList();
        await context.LogAsync(RunEventKinds.Recorded,
            $"Consumer positions carried to {targetVars.AttachmentName} through the mirror's offset map ({toCommit.Count} partition(s) committed):\n" + string.Join("\n", lines)
            + (idle.Count > 0 ? $"\nNo committed offset on the old add-on, left at the earliest record: {string.Join(", ", idle)}" : ""));
        return Done($"{toCommit.Count} translated offset(s) committed on {targetVars.AttachmentName}.");
    }

    /// <summary>The translated offsets that move a group forward on the new cluster, and a line for each translation.</summary>
    /// <param name="groups">The group of each translation, in order.</param>
    /// <param name="onTarget">The groups' committed offsets on the new cluster now: none is ever moved back.</param>
    public static (List<MirrorGroupOffset> ToCommit, List<string> Lines) Forward(IReadOnlyList<string> groups,
        IReadOnlyList<MirrorTranslation> translations, IEnumerable<PartitionLag> onTarget)
    {
        var already = onTarget.Where(p => p.CommittedOffset is not null).ToDictionary(p => (p.Group, p.Topic, p.Partition), p => p.CommittedOffset!.Value);
        var toCommit = new List<MirrorGroupOffset>();
        var lines = new List<string>();
        for (var i = 0; i < translations.Count; i++)
        {
            var (group, translation) = (groups[i], translations[i]);
            var line = $"{group} {translation.Partition}: {translation.SourceOffset} → {translation.TargetOffset}";
            if (already.TryGetValue((group, translation.Partition.Topic, translation.Partition.Partition), out var there) && there >= translation.TargetOffset)
            {
                lines.Add($"{line}; {there} committed already");
                continue;
            }
            toCommit.Add(new MirrorGroupOffset(group, translation.Partition, translation.TargetOffset));
            lines.Add(line);
        }
        return (toCommit, lines);
    }

    private static StepOutcome Retry<T>(StepContext context, KafkaCheckResult<T> result) where T : class
    {
        var failures = context.State<CommitState>()?.Failures ?? 0;
        var outcome = KafkaCheckOutcomes.NotOk(context, "Carrying the consumer positions", result, ref failures);
        context.SetState(new CommitState(failures));
        return outcome;
    }
}

/// <summary>Records the mirror as stopped, then waits until no worker holds one of its partitions (and, with MirrorMaker
/// 2, until its heartbeats have stopped). Reconcile: stopped is done.</summary>
public sealed class StopMirrorExecutor(MirrorLeases leases) : StepExecutor<StopMirror>
{
    /// <summary>No heartbeat for this long (it beats once a second) counts as MirrorMaker 2 stopped.</summary>
    public static readonly TimeSpan MirrorMakerSilence = TimeSpan.FromSeconds(10);

    public sealed record SilenceState(long End, DateTimeOffset Since, int Failures);

    protected override async Task<StepOutcome> ExecuteAsync(StepContext context, StopMirror action)
    {
        if (context.Run.MirrorStartedAt is null) return Done("No mirror was started.");
        var mirrorMaker = context.Plan.MirrorEngine == MirrorEngine.MirrorMaker2;
        if (context.Run.MirrorStoppedAt is null)
        {
            context.Run.MirrorStoppedAt = context.Now;
            await context.SaveAsync();
            await context.LogAsync(RunEventKinds.Recorded, mirrorMaker
                ? "Mirror stopped: stop MirrorMaker 2 now; the job processes stop following it for this run."
                : "Mirror stopped: the job processes stop copying for this run.");
        }
        var now = context.Now;
        var held = (await leases.PartitionsAsync(context.Run.Id, context.CancellationToken)).Where(l => l.Owner is not null && l.ExpiresAt >= now).ToList();
        if (held.Count > 0) return Wait(context, TimeSpan.FromSeconds(1), $"{held.Count} partition(s) are still being let go of.");
        if (!mirrorMaker) return Done("The mirror is stopped: no job process copies for this run.");

        var state = context.State<SilenceState>();
        var beats = await MirrorChecks.HeartbeatsAsync(context);
        if (!beats.IsOk)
        {
            var failures = state?.Failures ?? 0;
            var outcome = KafkaCheckOutcomes.NotOk(context, "MirrorMaker 2's heartbeats", beats, ref failures);
            if (state is not null) context.SetState(state with { Failures = failures });
            return outcome;
        }
        var end = MirrorChecks.HeartbeatEnd(beats.Value);
        if (state is null || state.End != end)
        {
            context.SetState(new SilenceState(end, now, 0));
            return Wait(context, TimeSpan.FromSeconds(2), $"Stop MirrorMaker 2 now: its heartbeats still reach the new add-on (the step waits for {Durations.InWords(MirrorMakerSilence)} without one).");
        }
        return now - state.Since >= MirrorMakerSilence
            ? Done($"MirrorMaker 2 has stopped: no heartbeat on the new add-on for {Durations.InWords(now - state.Since)}.")
            : Wait(context, TimeSpan.FromSeconds(2), $"No heartbeat from MirrorMaker 2 for {Durations.InWords(now - state.Since)}; waiting until {Durations.InWords(MirrorMakerSilence)} have passed.");
    }
}
