using KafkaMigrationPortal.Engine.Execution;
using KafkaMigrationPortal.Engine.Planning;

namespace KafkaMigrationPortal.Features.Migrations.Components;

public enum KafkaCheckState
{
    Upcoming,
    Checking,
    Waiting,
    Passed,
    Failed,
    Skipped,
    NeedsPerson,
}

/// <summary>One Kafka check of the run as the panel lists it: what it waits for, and where it stands.</summary>
/// <param name="WaitsFor">What must hold for it to pass, in this run's names.</param>
/// <param name="Now">Its latest word: the reason it waits, what it found when it passed, or why it failed.</param>
/// <param name="Ignores">Groups it does not wait for, and why; null when it ignores none.</param>
public sealed record KafkaCheckItem(int Sequence, string Title, KafkaCheckState State, string WaitsFor, string? Now, string? Ignores);

public static class KafkaCheckList
{
    /// <summary>The run's forward Kafka checks in order; <paramref name="idleGroups"/> are the groups nothing consumes.</summary>
    public static IReadOnlyList<KafkaCheckItem> Of(RunDetails details, IReadOnlyCollection<string> idleGroups) =>
        [.. details.Steps
            .Where(s => s.Kind == RunStepKind.Forward)
            .OrderBy(s => s.Sequence)
            .Select(s => (Step: s, Action: PlanSerialization.DeserializeAction(s.ActionJson)))
            .Select(s => (s.Step, s.Action, WaitsFor: WaitsFor(s.Action, details.Run, idleGroups)))
            .Where(s => s.WaitsFor is not null)
            .Select(s => new KafkaCheckItem(s.Step.Sequence, s.Step.Title, StateOf(s.Step), s.WaitsFor!,
                LatestWord(s.Step), s.Action is WaitForConsumerCatchUp catchUp ? Ignored(catchUp, idleGroups) : null))];

    private static string? WaitsFor(StepAction action, MigrationRun run, IReadOnlyCollection<string> idleGroups) => action switch
    {
        WaitForConsumerCatchUp c => $"no record left to read for {GroupList(c.Groups.Where(g => !idleGroups.Contains(g)))} on the {Side(c.Addon)}, " +
                                    "on every partition, in consecutive readings",
        VerifyDoubleWrite d => $"both add-ons' watermarks growing on {TopicList(d.Topics)} within one window: the app writes to both",
        WaitForRetention r => $"{Durations.InWords(r.LargestRetention)} (the largest topic retention) plus a {Durations.InWords(r.Margin)} margin " +
                              (run.DoubleWriteStartedAt is { } start ? $"after double-writing began, until {start + r.LargestRetention + r.Margin:u}" : "after double-writing begins"),
        VerifyParity p => $"the oldest record on every partition of {TopicList(p.Topics)} on the old add-on being newer than the start of double-writing",
        WatchStrayWrites w => $"no write reaching the old add-on on {TopicList(w.Topics)} for {Durations.InWords(w.QuietWindow)}",
        _ => null,
    };

    private static string? Ignored(WaitForConsumerCatchUp check, IReadOnlyCollection<string> idleGroups)
    {
        var ignored = check.Groups.Where(idleGroups.Contains).Order(StringComparer.Ordinal).ToList();
        return ignored.Count == 0 ? null
            : $"{string.Join(", ", ignored)}: never committed on the old add-on, so nothing consumes {(ignored.Count == 1 ? "it" : "them")}";
    }

    private static KafkaCheckState StateOf(RunStep step) => step.Status switch
    {
        RunStepStatus.Done => KafkaCheckState.Passed,
        RunStepStatus.Failed => KafkaCheckState.Failed,
        RunStepStatus.Skipped or RunStepStatus.RolledBack => KafkaCheckState.Skipped,
        RunStepStatus.Waiting => KafkaCheckState.Waiting,
        RunStepStatus.NeedsHumanConfirmation => KafkaCheckState.NeedsPerson,
        RunStepStatus.Running or RunStepStatus.AwaitingApproval => KafkaCheckState.Checking,
        _ => KafkaCheckState.Upcoming,
    };

    private static string? LatestWord(RunStep step) => step.Status switch
    {
        RunStepStatus.Done => step.Outcome,
        RunStepStatus.Failed => step.Error,
        _ => step.WaitReason,
    };

    private static string Side(AddonRole addon) => addon == AddonRole.Source ? "old add-on" : "new add-on";

    private static string GroupList(IEnumerable<string> groups)
    {
        var list = groups.Order(StringComparer.Ordinal).ToList();
        return list.Count == 0 ? "any consumer group (none is consumed)" : $"group{(list.Count == 1 ? "" : "s")} {string.Join(", ", list)}";
    }

    private static string TopicList(IReadOnlyList<string> topics) =>
        topics.Count == 0 ? "every topic" : topics.Count <= 3 ? string.Join(", ", topics) : $"{topics.Count} topics";
}
