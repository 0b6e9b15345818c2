using System.Text.Json.Serialization;
using KafkaMigrationPortal.Heroku.Platform;

namespace KafkaMigrationPortal.Engine.Planning;

/// <summary>
/// An ordered list of steps that moves one app from its current Kafka add-on to a new one. Built by the plan
/// builder from what was read off Heroku; stored with the run (as JSON) and executed one step at a time.
/// </summary>
public sealed record MigrationPlan(
    string App,
    MigrationStrategy Strategy,
    AddonSnapshot Source,
    string TargetPlan,
    IReadOnlyList<string> ProducerProcessTypes,
    IReadOnlyList<string> ConsumerProcessTypes,
    IReadOnlyList<TopicSpec> Topics,
    IReadOnlyList<string> ConsumerGroups,
    IReadOnlyList<PlanStep> Steps,
    IReadOnlyList<string> Warnings,
    bool TargetMultiTenant = false,
    string PrimaryAttachment = AttachmentNames.Primary,
    IReadOnlyList<NameMapping>? Names = null,
    IReadOnlyDictionary<string, int>? Formation = null,
    MirrorEngine MirrorEngine = MirrorEngine.Portal)
{
    /// <summary>Index of the first step after which the old add-on can no longer take the app back; null if none.</summary>
    [JsonIgnore]
    public int? PointOfNoReturn => Steps.FirstOrDefault(s => s.PointOfNoReturn)?.Index;

    /// <summary>The gate whose approval covers <paramref name="step"/> when it has none of its own (a window's cutover).</summary>
    public PlanStep? WindowGateCovering(PlanStep step) => step.RequiresApproval ? null
        : Steps.LastOrDefault(g => g.RequiresApproval && g.Index < step.Index && g.ApprovalCoversThrough >= step.Index);

    /// <summary>The step is approved by a person: by its own gate, or by the window gate before it that covers it.</summary>
    public bool IsApproved(PlanStep step) => step.RequiresApproval || WindowGateCovering(step) is not null;

    /// <summary>
    /// How long the app's producers are expected to be stopped: from the window gate's first step to the end of what it
    /// covers (every step there runs without waiting for anyone). Zero when no window is planned (double-write).
    /// </summary>
    [JsonIgnore]
    public DurationRange ExpectedDowntime => Steps.FirstOrDefault(s => s.ApprovalCoversThrough is not null) is { ApprovalCoversThrough: { } end } gate
        ? Steps.Where(s => s.Index >= gate.Index && s.Index <= end).Aggregate(default(DurationRange), (sum, s) => sum + s.ExpectedRange)
        : default;

    /// <summary>From start to the last step, every wait included, people's decisions excluded.</summary>
    [JsonIgnore]
    public DurationRange ExpectedDuration => Steps.Aggregate(default(DurationRange), (sum, s) => sum + s.ExpectedRange);

    /// <summary>How every topic and consumer group is named on each cluster (data API vs Kafka protocol).</summary>
    [JsonIgnore]
    public IReadOnlyList<NameMapping> NameMappings => Names ?? [];
}

/// <summary>The attachment names a plan uses. The primary one is what the app reads by default (<c>KAFKA_URL</c>, ...).</summary>
public static class AttachmentNames
{
    public const string Primary = "KAFKA";
    public const string Old = "OLD_KAFKA";
    public const string New = "NEW_KAFKA";

    /// <summary>
    /// The attachment through which the portal reads an add-on's cluster: the plan's primary name, else OLD_KAFKA or
    /// NEW_KAFKA, else the first by name; null when the add-on is not attached to the app.
    /// </summary>
    public static string? ToInspect(string primary, IEnumerable<HerokuAttachment> attachments, Guid addonId)
    {
        var names = attachments.Where(a => string.Equals(a.Addon.Id, addonId.ToString(), StringComparison.OrdinalIgnoreCase)).Select(a => a.Name).ToList();
        return new[] { primary, Old, New }.FirstOrDefault(names.Contains) ?? names.Order(StringComparer.Ordinal).FirstOrDefault();
    }
}

/// <summary>The two config vars an app prepared for double-write follows (Heroku's procedure names them).</summary>
public static class PinVars
{
    public const string ProducerAddonNames = "PRODUCER_ADDON_NAMES";
    public const string ConsumerAddonName = "CONSUMER_ADDON_NAME";
}

/// <param name="Id">The add-on's UUID (also the Kafka data API cluster id).</param>
/// <param name="Name">Heroku's add-on name, e.g. <c>kafka-symmetrical-26061</c>.</param>
/// <param name="TopicPrefix">Multi-tenant plans' prefix (e.g. <c>wabash-12345.</c>); null on dedicated plans.</param>
/// <param name="AlsoAttachedTo">Other apps the add-on is attached to, as planning read them; destroying it removes it
/// from them too (Heroku wants <c>force</c>). Null or empty: none.</param>
public sealed record AddonSnapshot(Guid Id, string Name, string Plan, IReadOnlyList<string> AttachmentNames, string? TopicPrefix, IReadOnlyList<string>? AlsoAttachedTo = null)
{
    public bool IsMultiTenant => TopicPrefix is not null;
}

/// <summary>A topic as the data API names it (without prefix).</summary>
/// <param name="RetentionTimeMs">Time-based retention; null when the topic has none (compacted only, dedicated plans).</param>
public sealed record TopicSpec(string Name, int Partitions, int ReplicationFactor, long? RetentionTimeMs, bool Compacted);

/// <summary>Which of the two add-ons a step acts on; the target's id is known only once it is created.</summary>
public enum AddonRole
{
    Source,
    Target,
}

/// <param name="Index">Position in the plan, from 0.</param>
/// <param name="Title">Short imperative, e.g. "Provision the new add-on".</param>
/// <param name="Changes">What it changes on Heroku or in the app, in a sentence.</param>
/// <param name="CliCommand">What a person would have typed, e.g. <c>heroku addons:create heroku-kafka:standard-0 --as NEW_KAFKA -a mackerel</c>.</param>
/// <param name="Precondition">What must hold before it runs, in a sentence; checked against live state.</param>
/// <param name="Compensation">How a rollback undoes it (a sentence; the engine derives the actions), or null when irreversible or nothing to undo.</param>
/// <param name="ExpectedDuration">The least it is expected to take (waits on people excluded).</param>
/// <param name="LongestDuration">The most it is expected to take; null in plans made before ranges (then the least).</param>
/// <param name="PointOfNoReturn">After this step runs, rolling back would lose data or is impossible.</param>
/// <param name="CompensatingActions">What a rollback runs, in order, to undo this step (a <see cref="DestroyAddon"/> among
/// them still needs approval); null when there is nothing to undo or the step is irreversible.</param>
/// <param name="ApprovalCoversThrough">On a gate that opens a window (a maintenance window's cutover): the index of the
/// last step its approval covers. Those steps run without waiting for anyone, each checking live, before it acts, what
/// an approver would have checked; a failed check pauses the run.</param>
public sealed record PlanStep(
    int Index,
    StepAction Action,
    string Title,
    string Changes,
    string CliCommand,
    string Precondition,
    bool RequiresApproval,
    bool Reversible,
    string? Compensation,
    TimeSpan ExpectedDuration,
    bool PointOfNoReturn = false,
    IReadOnlyList<StepAction>? CompensatingActions = null,
    int? ApprovalCoversThrough = null,
    TimeSpan? LongestDuration = null)
{
    [JsonIgnore]
    public DurationRange ExpectedRange => new(ExpectedDuration, LongestDuration ?? ExpectedDuration);
}

/// <summary>What a step does, with everything needed to do it again idempotently.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "$action")]
[JsonDerivedType(typeof(ProvisionAddon), "provision-addon")]
[JsonDerivedType(typeof(WaitForProvisioning), "wait-for-provisioning")]
[JsonDerivedType(typeof(CreateTopics), "create-topics")]
[JsonDerivedType(typeof(CreateConsumerGroups), "create-consumer-groups")]
[JsonDerivedType(typeof(ScaleProcesses), "scale-processes")]
[JsonDerivedType(typeof(RestoreFormation), "restore-formation")]
[JsonDerivedType(typeof(WaitForConsumerCatchUp), "wait-for-consumer-catch-up")]
[JsonDerivedType(typeof(SetMaintenance), "set-maintenance")]
[JsonDerivedType(typeof(Attach), "attach")]
[JsonDerivedType(typeof(Detach), "detach")]
[JsonDerivedType(typeof(SetConfigVars), "set-config-vars")]
[JsonDerivedType(typeof(VerifyDoubleWrite), "verify-double-write")]
[JsonDerivedType(typeof(WaitForRetention), "wait-for-retention")]
[JsonDerivedType(typeof(VerifyParity), "verify-parity")]
[JsonDerivedType(typeof(WatchStrayWrites), "watch-stray-writes")]
[JsonDerivedType(typeof(DestroyAddon), "destroy-addon")]
[JsonDerivedType(typeof(StartMirror), "start-mirror")]
[JsonDerivedType(typeof(WaitForMirrorCaughtUp), "wait-for-mirror-caught-up")]
[JsonDerivedType(typeof(WaitForMirrorDrained), "wait-for-mirror-drained")]
[JsonDerivedType(typeof(CommitMirroredOffsets), "commit-mirrored-offsets")]
[JsonDerivedType(typeof(StopMirror), "stop-mirror")]
public abstract record StepAction;

/// <summary><c>addons:create PLAN --as NAME [--name ADDON]</c>. Reconcile: an add-on already attached under NAME with that plan is it.</summary>
/// <param name="AddonName">The new add-on's (globally unique) name, chosen by the plan so that its CLI text can name it
/// (<c>addons:attach</c> takes an add-on, not an attachment); null in plans made before, where Heroku chose it.</param>
public sealed record ProvisionAddon(string Plan, string AttachmentName, string? AddonName = null) : StepAction;

/// <summary>Poll the add-on's state and the data API's wait status until ready; a durable wait.</summary>
public sealed record WaitForProvisioning(AddonRole Addon) : StepAction;

/// <summary>Create on the target every topic of the source (names without prefix), same partitions, retention, compaction.
/// Reconcile: a topic already listed with the same name is done.</summary>
/// <param name="SendReplicationFactor">False on multi-tenant targets, where Heroku chooses the replication factor.</param>
public sealed record CreateTopics(AddonRole Addon, IReadOnlyList<TopicSpec> Topics, bool SendReplicationFactor = true) : StepAction;

public sealed record CreateConsumerGroups(AddonRole Addon, IReadOnlyList<string> Groups) : StepAction;

/// <summary><c>ps:scale TYPE=QUANTITY</c>; the quantities before the change are recorded with the run.</summary>
public sealed record ScaleProcesses(IReadOnlyList<string> ProcessTypes, int Quantity) : StepAction;

/// <summary>Scale the given process types back to the quantities recorded when they were scaled down.</summary>
public sealed record RestoreFormation(IReadOnlyList<string> ProcessTypes) : StepAction;

/// <summary>Lag 0 on every group and partition of the add-on, stable across consecutive checks; a durable wait.</summary>
public sealed record WaitForConsumerCatchUp(AddonRole Addon, IReadOnlyList<string> Groups) : StepAction;

public sealed record SetMaintenance(bool On) : StepAction;

/// <summary><c>addons:attach ADDON --as NAME</c>; <paramref name="Confirm"/> overwrites an attachment of that name (never decided at run time).</summary>
public sealed record Attach(AddonRole Addon, string As, bool Confirm) : StepAction;

/// <summary><c>addons:detach NAME</c> (only the attachment; the add-on stays). Reconcile: done when no attachment of that
/// name points at <paramref name="Addon"/>; never detach the name when it points at the other add-on.</summary>
public sealed record Detach(AddonRole Addon, string AttachmentName) : StepAction;

/// <summary><c>config:set</c>; a null value unsets the key. Reconcile: skip when every key already has its value.</summary>
/// <param name="CarriesPositionsOf">Consumer groups whose positions on the old add-on are committed on the new one right
/// before the vars change (the consumer switch), so the consumers resume where they stopped.</param>
public sealed record SetConfigVars(IReadOnlyDictionary<string, string?> Vars, bool RecordsDoubleWriteStart = false,
    IReadOnlyList<string>? CarriesPositionsOf = null) : StepAction;

/// <summary>Both clusters' high watermarks grow on every topic within a window.</summary>
public sealed record VerifyDoubleWrite(IReadOnlyList<string> Topics) : StepAction;

/// <summary>Wait until the recorded double-write start plus the largest retention (plus a margin) has passed; a durable wait.</summary>
public sealed record WaitForRetention(TimeSpan LargestRetention, TimeSpan Margin) : StepAction;

/// <summary>On every partition of the source, the oldest retained message is newer than the double-write start.</summary>
public sealed record VerifyParity(IReadOnlyList<string> Topics) : StepAction;

/// <summary>The source's watermarks stop growing for a window: nothing still writes to the old cluster.</summary>
public sealed record WatchStrayWrites(IReadOnlyList<string> Topics, TimeSpan QuietWindow) : StepAction;

/// <summary><c>addons:destroy</c>: irreversible, the add-on's data is gone. Heroku may destroy it in the background; the
/// step is done once the add-on is gone. Reconcile: already deprovisioning → wait; gone → done.</summary>
/// <param name="AlsoAttachedTo">The other apps the add-on is attached to, named in the plan and shown at the approval:
/// the destroy is forced for them and for no others (an app found attached at run time that is not named stops the step).</param>
public sealed record DestroyAddon(AddonRole Addon, IReadOnlyList<string>? AlsoAttachedTo = null) : StepAction
{
    public IReadOnlyList<string> OtherApps => AlsoAttachedTo ?? [];
}

/// <summary>Records the run's mirror as active: the portal's job processes copy every partition of <paramref name="Topics"/>
/// from the old cluster to the same partition of the new one. Reconcile: an active mirror of the run is it.</summary>
public sealed record StartMirror(IReadOnlyList<string> Topics) : StepAction;

/// <summary>A durable wait until the mirror's lag is at most <paramref name="MaxLagRecords"/> records on every partition
/// and what is left would be copied within <paramref name="MaxLagTime"/> at the measured copy rate.</summary>
public sealed record WaitForMirrorCaughtUp(long MaxLagRecords, TimeSpan MaxLagTime) : StepAction;

/// <summary>A durable wait, with producers at 0, until the mirror has copied the last record of every partition of
/// <paramref name="Topics"/> (copied offset = the source's end offset).</summary>
public sealed record WaitForMirrorDrained(IReadOnlyList<string> Topics) : StepAction;

/// <summary>Commits each group's offsets on the new cluster, translated exactly from its committed offsets on the old one
/// through the mirror's offset map; never moves a group backwards. Reconcile: a group already there (or further) is done.</summary>
public sealed record CommitMirroredOffsets(IReadOnlyList<string> Groups) : StepAction;

/// <summary>Records the run's mirror as stopped: no job process copies for it any more. Reconcile: stopped is done.</summary>
public sealed record StopMirror : StepAction;
