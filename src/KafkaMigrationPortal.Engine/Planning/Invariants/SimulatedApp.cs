namespace KafkaMigrationPortal.Engine.Planning.Invariants;

/// <summary>How far double-writing has got towards letting consumers move to the new add-on without losing messages.</summary>
public enum DoubleWriteProgress
{
    None,
    Started,
    RetentionElapsed,
    ParityVerified,
}

/// <summary>What producers and consumers do once step <see cref="After"/> has run (null: before any step).</summary>
/// <param name="Writes">The add-ons producers write to; empty while none run.</param>
/// <param name="Reads">The add-on running consumers read; null while none run or their attachment is missing.</param>
/// <param name="ConsumerTarget">The add-on consumers would read if they ran.</param>
public sealed record Boundary(int? After, bool ProducersRunning, IReadOnlySet<AddonRole> Writes, bool ConsumersRunning, AddonRole? Reads, AddonRole? ConsumerTarget);

/// <summary>
/// The app and its two add-ons as <see cref="PlanInvariants"/> simulates them through a plan: attachments, config
/// vars, process quantities, maintenance, what each cluster holds and how far double-writing has got. It starts as
/// the plan found the app: the old add-on attached under its names and the formation as read. The
/// <see cref="IActionRule"/>s change it one step at a time; <see cref="Observe"/> records what producers and consumers
/// do at each step boundary and reports what fails or loses data there.
/// </summary>
public sealed class SimulatedApp(MigrationPlan plan)
{
    public MigrationPlan Plan { get; } = plan;

    /// <summary>Attachment name → the add-on it points at.</summary>
    public Dictionary<string, AddonRole> Attachments { get; } = plan.Source.AttachmentNames.Distinct(StringComparer.Ordinal)
        .ToDictionary(name => name, _ => AddonRole.Source, StringComparer.Ordinal);

    public Dictionary<string, string> ConfigVars { get; } = new(StringComparer.Ordinal);

    /// <summary>Dynos per producer and consumer process type.</summary>
    public Dictionary<string, int> Quantities { get; } = plan.ProducerProcessTypes.Concat(plan.ConsumerProcessTypes).Distinct(StringComparer.Ordinal)
        .ToDictionary(type => type, type => plan.Formation?.GetValueOrDefault(type, 1) ?? 1, StringComparer.Ordinal);

    /// <summary>The quantities a scale-down recorded and a restore has not yet taken back.</summary>
    public Dictionary<string, int> RecordedQuantities { get; } = new(StringComparer.Ordinal);

    public HashSet<AddonRole> Provisioned { get; } = [AddonRole.Source];
    public HashSet<AddonRole> Ready { get; } = [AddonRole.Source];
    public HashSet<AddonRole> HasTopics { get; } = [AddonRole.Source];
    public HashSet<AddonRole> HasGroups { get; } = [AddonRole.Source];
    public HashSet<AddonRole> Destroyed { get; } = [];

    /// <summary>Add-ons consumers have read to lag 0 with no producer writing to them since.</summary>
    public HashSet<AddonRole> Drained { get; } = [];

    public bool Maintenance { get; set; }

    /// <summary>The portal's mirror copies the old add-on to the new one.</summary>
    public bool MirrorRunning { get; set; }

    public MirrorCopy Mirrored { get; set; } = MirrorCopy.Behind;

    /// <summary>Every consumer group's position is committed on the new add-on, translated through a complete mirror,
    /// and nobody has consumed the old add-on or written to it since.</summary>
    public bool PositionsCarried { get; set; }

    public DoubleWriteProgress DoubleWrite { get; set; } = DoubleWriteProgress.None;

    /// <summary>The add-on consumers read most recently (the old one until they read another).</summary>
    public AddonRole? LastRead { get; set; } = AddonRole.Source;

    /// <summary>The first step after which producers run and write only to add-ons other than the old one.</summary>
    public int? FirstStepLeavingSource { get; private set; }

    public List<Boundary> Boundaries { get; } = [];

    /// <summary>The most recent boundary: what producers and consumers do before the next step runs.</summary>
    public Boundary LastBoundary => Boundaries[^1];

    public List<PlanViolation> Violations { get; } = [];

    public string PrimaryAttachment => Plan.PrimaryAttachment;

    public bool ProducersRunning => Plan.ProducerProcessTypes.Any(t => Quantities.GetValueOrDefault(t) > 0);

    public bool ConsumersRunning => Plan.ConsumerProcessTypes.Any(t => Quantities.GetValueOrDefault(t) > 0);

    public void Report(int? step, string rule, string message) => Violations.Add(new(step, rule, message));

    public bool IsAlive(AddonRole role) => Provisioned.Contains(role) && !Destroyed.Contains(role);

    public static string Describe(AddonRole role) => role == AddonRole.Source ? "old" : "new";

    /// <summary>The add-ons producers write to, as the pin variable (or the primary attachment) names them; with
    /// <paramref name="report"/>, every name that is missing or not yet usable is a violation at <paramref name="step"/>.</summary>
    public HashSet<AddonRole> ResolveWrites(int? step, bool report)
    {
        var names = ConfigVars.TryGetValue(PinVars.ProducerAddonNames, out var pinned)
            ? pinned.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            : [PrimaryAttachment];
        if (names.Length == 0 && report) Report(step, InvariantRules.WritesFail, $"{PinVars.ProducerAddonNames} is empty: producers have nowhere to write.");
        var writes = new HashSet<AddonRole>();
        foreach (var name in names)
        {
            if (!Attachments.TryGetValue(name, out var role))
            {
                if (report) Report(step, InvariantRules.WritesFail, $"Producers write to {name}, which is not attached: their writes fail.");
                continue;
            }
            if (report && (!Ready.Contains(role) || !HasTopics.Contains(role)))
                Report(step, InvariantRules.WritesFail, $"Producers write to {name}, the {Describe(role)} add-on, before it is ready with every topic: their writes fail.");
            writes.Add(role);
        }
        return writes;
    }

    public AddonRole? ResolveConsumerTarget() =>
        Attachments.TryGetValue(ConfigVars.GetValueOrDefault(PinVars.ConsumerAddonName, PrimaryAttachment), out var role) ? role : null;

    /// <summary>Records what producers and consumers do now that <paramref name="step"/> has run (null: before any step)
    /// and reports writes or reads that fail and consumers that move to a cluster that may lack messages.</summary>
    public Boundary Observe(int? step)
    {
        var producersRunning = ProducersRunning;
        var writes = producersRunning ? ResolveWrites(step, report: true) : [];
        var consumersRunning = ConsumersRunning;
        var consumerName = ConfigVars.GetValueOrDefault(PinVars.ConsumerAddonName, PrimaryAttachment);
        var consumerTarget = ResolveConsumerTarget();
        AddonRole? reads = null;
        if (consumersRunning)
        {
            if (consumerTarget is not { } role)
            {
                Report(step, InvariantRules.ReadsFail, $"Consumers read {consumerName}, which is not attached.");
            }
            else
            {
                reads = role;
                if (!Ready.Contains(role) || !HasTopics.Contains(role) || (Plan.ConsumerGroups.Count > 0 && !HasGroups.Contains(role)))
                    Report(step, InvariantRules.ReadsFail, $"Consumers read {consumerName}, the {Describe(role)} add-on, before it is ready with every topic and consumer group.");
                if (LastRead is { } previous && previous != role && !SafeToSwitch(previous, role))
                    Report(step, InvariantRules.UnsafeConsumerSwitch, $"Consumers move from the {Describe(previous)} add-on to the {Describe(role)} one, which may lack messages they have not read yet (stop producers and wait for lag 0 first, or double-write longer than the retention and check parity).");
                LastRead = role;
            }
        }
        foreach (var role in writes) Drained.Remove(role);
        if (MirrorRunning && Mirrored != MirrorCopy.Complete && writes.Contains(AddonRole.Target))
            Report(step, InvariantRules.MirrorInterleaves, "Producers write to the new add-on while the mirror still copies into it: their records and the copies interleave.");
        if (writes.Contains(AddonRole.Source))
        {
            if (Mirrored == MirrorCopy.Complete) Mirrored = MirrorCopy.CaughtUp;
            PositionsCarried = false;
        }
        if (reads == AddonRole.Source) PositionsCarried = false;
        if (DoubleWrite != DoubleWriteProgress.None && writes.Contains(AddonRole.Source) && !writes.Contains(AddonRole.Target)) DoubleWrite = DoubleWriteProgress.None;
        if (step is not null && FirstStepLeavingSource is null && producersRunning && writes.Count > 0 && !writes.Contains(AddonRole.Source))
            FirstStepLeavingSource = step;
        var boundary = new Boundary(step, producersRunning, writes, consumersRunning, reads, consumerTarget);
        Boundaries.Add(boundary);
        return boundary;
    }

    private bool SafeToSwitch(AddonRole from, AddonRole to) =>
        Drained.Contains(from) || (from == AddonRole.Source && to == AddonRole.Target && (DoubleWrite == DoubleWriteProgress.ParityVerified || PositionsCarried));
}
