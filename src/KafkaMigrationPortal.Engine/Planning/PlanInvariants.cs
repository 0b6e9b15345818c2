namespace KafkaMigrationPortal.Engine.Planning;

/// <summary>Something a plan would do wrong. <see cref="StepIndex"/> is the step after which it happens (null: before any step or plan-wide).</summary>
public sealed record PlanViolation(int? StepIndex, string Rule, string Message)
{
    public override string ToString() => $"{(StepIndex is { } i ? $"after step {i}" : "plan")}: [{Rule}] {Message}";
}

/// <summary>The rules <see cref="PlanInvariants.Check"/> enforces.</summary>
public static class InvariantRules
{
    /// <summary>Producers run and none of the clusters they write to is read by consumers now or later.</summary>
    public const string StrandedWrites = "stranded-writes";
    /// <summary>Consumers start reading a cluster that may lack messages they have not read on the previous one.</summary>
    public const string UnsafeConsumerSwitch = "unsafe-consumer-switch";
    /// <summary>Producers write to an attachment that does not exist or a cluster without its topics.</summary>
    public const string WritesFail = "writes-fail";
    /// <summary>Consumers read an attachment that does not exist or a cluster without its topics or groups.</summary>
    public const string ReadsFail = "reads-fail";
    /// <summary>An attachment name is already taken and the step does not (or cannot) confirm overwriting it.</summary>
    public const string AttachmentCollision = "attachment-collision";
    /// <summary>A wait or check that can never succeed, or proves nothing, in the state it runs in.</summary>
    public const string ImpossibleStep = "impossible-step";
    /// <summary>A cluster is destroyed while it still holds data nobody has read elsewhere.</summary>
    public const string DestroysLiveCluster = "destroys-live-cluster";
    /// <summary>The app does not end on the new add-on with its formation restored and maintenance off.</summary>
    public const string EndState = "end-state";
    /// <summary>A cutover, the point of no return or a destroy runs without approval.</summary>
    public const string Approval = "approval";
    /// <summary>The point of no return is missing, misplaced, or preceded by an irreversible step.</summary>
    public const string PointOfNoReturn = "point-of-no-return";
}

/// <summary>
/// Simulates the app through every step boundary of a plan — attachments, the pin variables, producer and consumer
/// quantities, maintenance, what each cluster holds — and reports every way the plan could lose data, fail, or end
/// in the wrong place. The central invariant: while producers run, every message reaches a cluster consumers read now
/// or later, and consumers only move to a cluster once nothing unread is left behind (producers stopped and lag 0 on
/// the old cluster, or double-writing for longer than the retention with parity checked).
/// </summary>
public static class PlanInvariants
{
    public static IReadOnlyList<PlanViolation> Check(MigrationPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var simulation = new Simulation(plan);
        simulation.Run();
        return simulation.Violations;
    }

    private enum Copy
    {
        None,
        Started,
        RetentionElapsed,
        ParityVerified,
    }

    private sealed record Boundary(int? After, bool ProducersRunning, IReadOnlySet<AddonRole> Writes, bool ConsumersRunning, AddonRole? Reads, AddonRole? ConsumerTarget);

    private sealed class Simulation(MigrationPlan plan)
    {
        private readonly Dictionary<string, AddonRole> attachments = plan.Source.AttachmentNames.Distinct(StringComparer.Ordinal)
            .ToDictionary(name => name, _ => AddonRole.Source, StringComparer.Ordinal);
        private readonly Dictionary<string, string> config = new(StringComparer.Ordinal);
        private readonly Dictionary<string, int> quantities = plan.ProducerProcessTypes.Concat(plan.ConsumerProcessTypes).Distinct(StringComparer.Ordinal)
            .ToDictionary(type => type, type => plan.Formation?.GetValueOrDefault(type, 1) ?? 1, StringComparer.Ordinal);
        private readonly Dictionary<string, int> recorded = new(StringComparer.Ordinal);
        private readonly HashSet<AddonRole> exists = [AddonRole.Source];
        private readonly HashSet<AddonRole> ready = [AddonRole.Source];
        private readonly HashSet<AddonRole> hasTopics = [AddonRole.Source];
        private readonly HashSet<AddonRole> hasGroups = [AddonRole.Source];
        private readonly HashSet<AddonRole> destroyed = [];
        private readonly HashSet<AddonRole> drained = [];
        private readonly List<Boundary> boundaries = [];
        private bool maintenance;
        private Copy copy = Copy.None;
        private AddonRole? lastRead = AddonRole.Source;
        private int? firstStepLeavingSource;

        public List<PlanViolation> Violations { get; } = [];

        private string Primary => plan.PrimaryAttachment;

        public void Run()
        {
            var initialFormation = new Dictionary<string, int>(quantities, StringComparer.Ordinal);
            CheckIndices();
            Observe(null);
            foreach (var step in plan.Steps)
            {
                var consumerTargetBefore = boundaries[^1].ConsumerTarget;
                Apply(step);
                var boundary = Observe(step.Index);
                if (consumerTargetBefore != boundary.ConsumerTarget && boundary.ConsumerTarget == AddonRole.Target && !step.RequiresApproval)
                    Report(step.Index, InvariantRules.Approval, $"'{step.Title}' points the consumers at the new add-on without approval.");
                if (step.Action is DestroyAddon && !step.RequiresApproval)
                    Report(step.Index, InvariantRules.Approval, $"'{step.Title}' destroys an add-on without approval.");
            }
            CheckStrandedWrites();
            CheckPointOfNoReturn();
            CheckEndState(initialFormation);
        }

        private void Report(int? step, string rule, string message) => Violations.Add(new(step, rule, message));

        private void CheckIndices()
        {
            for (var i = 0; i < plan.Steps.Count; i++)
            {
                if (plan.Steps[i].Index != i) Report(i, InvariantRules.EndState, $"Step at position {i} carries index {plan.Steps[i].Index}.");
            }
        }

        private void Apply(PlanStep step)
        {
            var at = step.Index;
            var before = boundaries[^1];
            switch (step.Action)
            {
                case ProvisionAddon provision:
                    if (exists.Contains(AddonRole.Target)) Report(at, InvariantRules.ImpossibleStep, "A second new add-on is provisioned.");
                    if (attachments.TryGetValue(provision.AttachmentName, out var holder))
                        Report(at, InvariantRules.AttachmentCollision, $"The new add-on is created as {provision.AttachmentName}, a name the {Describe(holder)} add-on still holds: Heroku refuses it, or, as its text assumes, moves the name to the new, empty add-on under a running app.");
                    exists.Add(AddonRole.Target);
                    attachments[provision.AttachmentName] = AddonRole.Target;
                    break;
                case WaitForProvisioning wait:
                    if (!Alive(wait.Addon)) Report(at, InvariantRules.ImpossibleStep, $"Waits for the {Describe(wait.Addon)} add-on, which does not exist.");
                    else ready.Add(wait.Addon);
                    break;
                case CreateTopics create:
                    if (!ready.Contains(create.Addon)) Report(at, InvariantRules.ImpossibleStep, $"Creates topics on the {Describe(create.Addon)} add-on before it is ready.");
                    var missingTopics = plan.Topics.Select(t => t.Name).Except(create.Topics.Select(t => t.Name), StringComparer.Ordinal).ToList();
                    if (missingTopics.Count > 0) Report(at, InvariantRules.ImpossibleStep, $"Topics {string.Join(", ", missingTopics)} are not created on the {Describe(create.Addon)} add-on.");
                    else hasTopics.Add(create.Addon);
                    break;
                case CreateConsumerGroups groups:
                    if (!ready.Contains(groups.Addon)) Report(at, InvariantRules.ImpossibleStep, $"Creates consumer groups on the {Describe(groups.Addon)} add-on before it is ready.");
                    var missingGroups = plan.ConsumerGroups.Except(groups.Groups, StringComparer.Ordinal).ToList();
                    if (missingGroups.Count > 0) Report(at, InvariantRules.ImpossibleStep, $"Consumer groups {string.Join(", ", missingGroups)} are not created on the {Describe(groups.Addon)} add-on.");
                    else hasGroups.Add(groups.Addon);
                    break;
                case ScaleProcesses scale:
                    foreach (var type in scale.ProcessTypes)
                    {
                        var current = quantities.GetValueOrDefault(type);
                        recorded.TryAdd(type, current);
                        quantities[type] = scale.Quantity;
                    }
                    break;
                case RestoreFormation restore:
                    foreach (var type in restore.ProcessTypes)
                    {
                        if (recorded.Remove(type, out var quantity)) quantities[type] = quantity;
                        else Report(at, InvariantRules.ImpossibleStep, $"Restores process type {type}, whose quantity was never recorded.");
                    }
                    break;
                case WaitForConsumerCatchUp catchUp:
                    if (catchUp.Groups.Count == 0)
                        Report(at, InvariantRules.ImpossibleStep, "Waits for consumer lag without naming any consumer group: it would prove nothing.");
                    if (!before.ConsumersRunning || before.Reads != catchUp.Addon)
                        Report(at, InvariantRules.ImpossibleStep, $"Waits for lag 0 on the {Describe(catchUp.Addon)} add-on while no consumer reads it: the wait never ends or proves nothing.");
                    else if (!before.ProducersRunning || !before.Writes.Contains(catchUp.Addon))
                        drained.Add(catchUp.Addon);
                    break;
                case SetMaintenance maintenanceChange:
                    maintenance = maintenanceChange.On;
                    break;
                case Attach attach:
                    if (!Alive(attach.Addon))
                    {
                        Report(at, InvariantRules.ImpossibleStep, $"Attaches the {Describe(attach.Addon)} add-on, which does not exist.");
                        break;
                    }
                    if (attachments.TryGetValue(attach.As, out var owner) && owner != attach.Addon && !attach.Confirm)
                    {
                        Report(at, InvariantRules.AttachmentCollision, $"Attaches as {attach.As}, which the {Describe(owner)} add-on holds, without confirm: Heroku stops the step with confirmation_required.");
                        break;
                    }
                    attachments[attach.As] = attach.Addon;
                    break;
                case Detach detach:
                    if (!attachments.TryGetValue(detach.AttachmentName, out var attached))
                        Report(at, InvariantRules.ImpossibleStep, $"Detaches {detach.AttachmentName}, which is not attached.");
                    else if (attached != detach.Addon)
                        Report(at, InvariantRules.ImpossibleStep, $"Detaches {detach.AttachmentName} from the {Describe(detach.Addon)} add-on, but the name belongs to the {Describe(attached)} one.");
                    else
                        attachments.Remove(detach.AttachmentName);
                    break;
                case SetConfigVars vars:
                    foreach (var (key, value) in vars.Vars)
                    {
                        if (value is null) config.Remove(key);
                        else config[key] = value;
                    }
                    if (vars.RecordsDoubleWriteStart)
                    {
                        var writes = ResolveWrites(at, report: false);
                        if (ProducersRunning && writes.Contains(AddonRole.Source) && writes.Contains(AddonRole.Target)) copy = Copy.Started;
                        else Report(at, InvariantRules.ImpossibleStep, "Records the start of double-writing, but producers do not write to both add-ons.");
                    }
                    break;
                case VerifyDoubleWrite:
                    if (!before.ProducersRunning || !before.Writes.Contains(AddonRole.Source) || !before.Writes.Contains(AddonRole.Target))
                        Report(at, InvariantRules.ImpossibleStep, "Verifies double-writing while producers do not write to both add-ons.");
                    break;
                case WaitForRetention retention:
                    var largest = plan.Topics.Max(t => t.RetentionTimeMs) ?? 0;
                    if (retention.LargestRetention < TimeSpan.FromMilliseconds(largest))
                        Report(at, InvariantRules.UnsafeConsumerSwitch, $"Waits {retention.LargestRetention}, less than the largest topic retention ({TimeSpan.FromMilliseconds(largest)}).");
                    if (copy == Copy.None) Report(at, InvariantRules.ImpossibleStep, "Waits out the retention period without a recorded start of double-writing.");
                    else if (copy == Copy.Started) copy = Copy.RetentionElapsed;
                    break;
                case VerifyParity:
                    if (copy < Copy.RetentionElapsed) Report(at, InvariantRules.ImpossibleStep, "Checks parity before double-writing has outlasted the retention period: it cannot hold.");
                    else copy = Copy.ParityVerified;
                    break;
                case WatchStrayWrites:
                    if (before.ProducersRunning && before.Writes.Contains(AddonRole.Source))
                        Report(at, InvariantRules.ImpossibleStep, "Watches the old add-on for stray writes while producers still write to it.");
                    break;
                case DestroyAddon destroy:
                    if (!Alive(destroy.Addon))
                    {
                        Report(at, InvariantRules.ImpossibleStep, $"Destroys the {Describe(destroy.Addon)} add-on, which does not exist.");
                        break;
                    }
                    if (lastRead == destroy.Addon)
                        Report(at, InvariantRules.DestroysLiveCluster, $"Destroys the {Describe(destroy.Addon)} add-on while it is the cluster the consumers read.");
                    foreach (var name in attachments.Where(a => a.Value == destroy.Addon).Select(a => a.Key).ToList()) attachments.Remove(name);
                    destroyed.Add(destroy.Addon);
                    ready.Remove(destroy.Addon);
                    break;
                default:
                    Report(at, InvariantRules.ImpossibleStep, $"Unknown action {step.Action.GetType().Name}: the checker cannot vouch for it.");
                    break;
            }
        }

        private bool Alive(AddonRole role) => exists.Contains(role) && !destroyed.Contains(role);

        private bool ProducersRunning => plan.ProducerProcessTypes.Any(t => quantities.GetValueOrDefault(t) > 0);

        private bool ConsumersRunning => plan.ConsumerProcessTypes.Any(t => quantities.GetValueOrDefault(t) > 0);

        private HashSet<AddonRole> ResolveWrites(int? at, bool report)
        {
            var names = config.TryGetValue(PinVars.ProducerAddonNames, out var pinned)
                ? pinned.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                : [Primary];
            if (names.Length == 0 && report) Report(at, InvariantRules.WritesFail, $"{PinVars.ProducerAddonNames} is empty: producers have nowhere to write.");
            var writes = new HashSet<AddonRole>();
            foreach (var name in names)
            {
                if (!attachments.TryGetValue(name, out var role))
                {
                    if (report) Report(at, InvariantRules.WritesFail, $"Producers write to {name}, which is not attached: their writes fail.");
                    continue;
                }
                if (report && (!ready.Contains(role) || !hasTopics.Contains(role)))
                    Report(at, InvariantRules.WritesFail, $"Producers write to {name}, the {Describe(role)} add-on, before it is ready with every topic: their writes fail.");
                writes.Add(role);
            }
            return writes;
        }

        private AddonRole? ResolveConsumerTarget() =>
            attachments.TryGetValue(config.GetValueOrDefault(PinVars.ConsumerAddonName, Primary), out var role) ? role : null;

        private Boundary Observe(int? at)
        {
            var producersRunning = ProducersRunning;
            var writes = producersRunning ? ResolveWrites(at, report: true) : [];
            var consumersRunning = ConsumersRunning;
            var consumerName = config.GetValueOrDefault(PinVars.ConsumerAddonName, Primary);
            var consumerTarget = ResolveConsumerTarget();
            AddonRole? reads = null;
            if (consumersRunning)
            {
                if (consumerTarget is not { } role)
                {
                    Report(at, InvariantRules.ReadsFail, $"Consumers read {consumerName}, which is not attached.");
                }
                else
                {
                    reads = role;
                    if (!ready.Contains(role) || !hasTopics.Contains(role) || (plan.ConsumerGroups.Count > 0 && !hasGroups.Contains(role)))
                        Report(at, InvariantRules.ReadsFail, $"Consumers read {consumerName}, the {Describe(role)} add-on, before it is ready with every topic and consumer group.");
                    if (lastRead is { } previous && previous != role && !SafeToSwitch(previous, role))
                        Report(at, InvariantRules.UnsafeConsumerSwitch, $"Consumers move from the {Describe(previous)} add-on to the {Describe(role)} one, which may lack messages they have not read yet (stop producers and wait for lag 0 first, or double-write longer than the retention and check parity).");
                    lastRead = role;
                }
            }
            foreach (var role in writes) drained.Remove(role);
            if (copy != Copy.None && writes.Contains(AddonRole.Source) && !writes.Contains(AddonRole.Target)) copy = Copy.None;
            if (at is not null && firstStepLeavingSource is null && producersRunning && writes.Count > 0 && !writes.Contains(AddonRole.Source))
                firstStepLeavingSource = at;
            var boundary = new Boundary(at, producersRunning, writes, consumersRunning, reads, consumerTarget);
            boundaries.Add(boundary);
            return boundary;
        }

        private bool SafeToSwitch(AddonRole from, AddonRole to) =>
            drained.Contains(from) || (from == AddonRole.Source && to == AddonRole.Target && copy == Copy.ParityVerified);

        private void CheckStrandedWrites()
        {
            for (var i = 0; i < boundaries.Count; i++)
            {
                var boundary = boundaries[i];
                if (!boundary.ProducersRunning || boundary.Writes.Count == 0) continue;
                var readNowOrLater = boundaries.Skip(i).Where(b => b.ConsumersRunning && b.Reads is not null).Select(b => b.Reads!.Value).ToHashSet();
                if (!boundary.Writes.Overlaps(readNowOrLater))
                    Report(boundary.After, InvariantRules.StrandedWrites, $"Producers write only to the {string.Join(" and ", boundary.Writes.Select(Describe))} add-on, which consumers never read again.");
            }
        }

        private void CheckPointOfNoReturn()
        {
            var marked = plan.Steps.Where(s => s.PointOfNoReturn).ToList();
            if (marked.Count != 1)
            {
                Report(null, InvariantRules.PointOfNoReturn, $"The plan marks {marked.Count} points of no return; it needs exactly one.");
                return;
            }
            var pointOfNoReturn = marked[0];
            if (firstStepLeavingSource != pointOfNoReturn.Index)
                Report(pointOfNoReturn.Index, InvariantRules.PointOfNoReturn, $"The point of no return must be the step after which producers stop writing to the old add-on (step {firstStepLeavingSource?.ToString() ?? "none"}), not '{pointOfNoReturn.Title}'.");
            if (!pointOfNoReturn.RequiresApproval)
                Report(pointOfNoReturn.Index, InvariantRules.Approval, $"The point of no return '{pointOfNoReturn.Title}' runs without approval.");
            foreach (var step in plan.Steps.Where(s => s.Index < pointOfNoReturn.Index && !s.Reversible))
                Report(step.Index, InvariantRules.PointOfNoReturn, $"'{step.Title}' cannot be undone, yet comes before the point of no return.");
            foreach (var step in plan.Steps.Where(s => s.Index < pointOfNoReturn.Index && s.Action is DestroyAddon))
                Report(step.Index, InvariantRules.PointOfNoReturn, $"'{step.Title}' destroys an add-on before the point of no return.");
        }

        private void CheckEndState(Dictionary<string, int> initialFormation)
        {
            var end = plan.Steps.Count == 0 ? (int?)null : plan.Steps[^1].Index;
            if (!attachments.TryGetValue(Primary, out var primary) || primary != AddonRole.Target)
                Report(end, InvariantRules.EndState, $"The app does not end with the new add-on attached as {Primary}.");
            var leftovers = attachments.Where(a => a.Value == AddonRole.Target && a.Key != Primary).Select(a => a.Key).ToList();
            if (leftovers.Count > 0) Report(end, InvariantRules.EndState, $"The new add-on is still attached as {string.Join(", ", leftovers)}.");
            if (!destroyed.Contains(AddonRole.Source)) Report(end, InvariantRules.EndState, "The old add-on is never destroyed.");
            if (maintenance) Report(end, InvariantRules.EndState, "Maintenance mode stays on.");
            foreach (var (type, quantity) in initialFormation.Where(f => quantities.GetValueOrDefault(f.Key) != f.Value))
                Report(end, InvariantRules.EndState, $"Process type {type} ends at {quantities.GetValueOrDefault(type)} dynos instead of {quantity}.");
            var last = boundaries[^1];
            if (last.ProducersRunning && !last.Writes.SetEquals([AddonRole.Target]))
                Report(end, InvariantRules.EndState, "Producers do not end writing to the new add-on only.");
            if (last.ConsumersRunning && last.Reads != AddonRole.Target)
                Report(end, InvariantRules.EndState, "Consumers do not end reading the new add-on.");
        }

        private static string Describe(AddonRole role) => role == AddonRole.Source ? "old" : "new";
    }
}
