using KafkaMigrationPortal.Engine.Planning.Invariants;

namespace KafkaMigrationPortal.Engine.Planning;

/// <summary>Something a plan would do wrong. <see cref="StepIndex"/> is the step after which it happens (null: before any step or plan-wide).</summary>
public sealed record PlanViolation(int? StepIndex, string Rule, string Message)
{
    public override string ToString() => $"{(StepIndex is { } i ? $"after step {i}" : "plan")}: [{Rule}] {Message}";
}

/// <summary>One rollback of a plan's run: the steps up to <see cref="LastAttempted"/> were attempted (all took effect
/// but maybe the last), then <see cref="Compensations"/> run, each with the index of the step it undoes.</summary>
public sealed record RollbackPath(int LastAttempted, bool LastTookEffect, IReadOnlyList<(int Step, StepAction Action)> Compensations);

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
    /// <summary>A step, forward or in a rollback, detaches or replaces the last attachment of an add-on that still exists
    /// (Heroku refuses: "… is the last billing attachment …").</summary>
    public const string LastBillingAttachment = "last-billing-attachment";
    /// <summary>A cutover, the point of no return or a destroy runs without approval.</summary>
    public const string Approval = "approval";
    /// <summary>Producers write to the new add-on while the mirror is still copying into it: copies and new records
    /// interleave on its partitions.</summary>
    public const string MirrorInterleaves = "mirror-interleaves";
    /// <summary>The point of no return is missing, misplaced, or preceded by an irreversible step.</summary>
    public const string PointOfNoReturn = "point-of-no-return";
}

/// <summary>
/// Simulates the app through every step boundary of a plan — attachments, the pin variables, producer and consumer
/// quantities, maintenance, what each cluster holds — and reports every way the plan could lose data, fail, or end
/// in the wrong place. The central invariant: while producers run, every message reaches a cluster consumers read now
/// or later, and consumers only move to a cluster once nothing unread is left behind (producers stopped and lag 0 on
/// the old cluster, or double-writing for longer than the retention with parity checked, or every record mirrored and every group's position carried). Every rollback the plan
/// allows (<see cref="RollbackPaths"/>) is simulated too, for the steps Heroku would refuse in it.
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

    /// <summary>
    /// Every rollback a run of the plan can make, as <c>MigrationRunService.RollbackAsync</c> builds it: before the point
    /// of no return, the attempted steps newest first, each by its compensating actions in order. The last attempted
    /// step either took effect or not (it failed, or was stopped before it acted).
    /// </summary>
    public static IEnumerable<RollbackPath> RollbackPaths(MigrationPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var end = plan.PointOfNoReturn ?? plan.Steps.Count;
        for (var last = 0; last < end; last++)
        {
            var compensations = plan.Steps.Take(last + 1).Reverse()
                .SelectMany(step => (step.CompensatingActions ?? []).Select(action => (step.Index, action)))
                .ToList();
            foreach (var lastTookEffect in new[] { true, false })
                yield return new RollbackPath(last, lastTookEffect, compensations);
        }
    }

    /// <summary>Simulates the plan's steps up to a rollback's start, then the rollback, checking the steps Heroku refuses
    /// (<see cref="BillingAttachmentRule"/>); returns what the rollback's own steps violate.</summary>
    public static IReadOnlyList<PlanViolation> CheckRollback(MigrationPlan plan, RollbackPath path)
    {
        var app = new SimulatedApp(plan);
        app.Observe(null);
        foreach (var step in plan.Steps.Take(path.LastTookEffect ? path.LastAttempted + 1 : path.LastAttempted))
        {
            ActionRules.Apply(step.Action, step.Index, app);
            app.Observe(step.Index);
        }

        var forward = app.Violations.Count;
        var during = $"Rolling back after '{plan.Steps[path.LastAttempted].Title}'{(path.LastTookEffect ? "" : " (which did not take effect)")}: ";
        foreach (var (index, action) in path.Compensations)
        {
            var held = BillingAttachmentRule.Held(app);
            ActionRules.Apply(action, index, app);
            BillingAttachmentRule.Check(app, index, held, during);
            app.Observe(index);
        }

        return app.Violations.Skip(forward).Where(v => v.Rule == InvariantRules.LastBillingAttachment).ToList();
    }

    /// <summary>Runs the plan's steps through their <see cref="ActionRules"/> and checks what only the whole run shows.</summary>
    private sealed class Simulation(MigrationPlan plan)
    {
        private readonly SimulatedApp app = new(plan);

        public List<PlanViolation> Violations => app.Violations;

        public void Run()
        {
            var initialFormation = new Dictionary<string, int>(app.Quantities, StringComparer.Ordinal);
            CheckIndices();
            app.Observe(null);
            foreach (var step in plan.Steps)
            {
                var consumerTargetBefore = app.LastBoundary.ConsumerTarget;
                var held = BillingAttachmentRule.Held(app);
                ActionRules.Apply(step.Action, step.Index, app);
                BillingAttachmentRule.Check(app, step.Index, held);
                var boundary = app.Observe(step.Index);
                if (consumerTargetBefore != boundary.ConsumerTarget && boundary.ConsumerTarget == AddonRole.Target && !plan.IsApproved(step))
                    Report(step.Index, InvariantRules.Approval, $"'{step.Title}' points the consumers at the new add-on without approval.");
                if (step.Action is DestroyAddon && !step.RequiresApproval)
                    Report(step.Index, InvariantRules.Approval, $"'{step.Title}' destroys an add-on without approval.");
            }
            CheckStrandedWrites();
            CheckPointOfNoReturn();
            CheckEndState(initialFormation);
            foreach (var path in RollbackPaths(plan))
            {
                Violations.AddRange(CheckRollback(plan, path));
            }
        }

        private string Primary => plan.PrimaryAttachment;

        private void Report(int? step, string rule, string message) => app.Report(step, rule, message);

        private void CheckIndices()
        {
            for (var i = 0; i < plan.Steps.Count; i++)
            {
                if (plan.Steps[i].Index != i) Report(i, InvariantRules.EndState, $"Step at position {i} carries index {plan.Steps[i].Index}.");
            }
        }

        private void CheckStrandedWrites()
        {
            var boundaries = app.Boundaries;
            for (var i = 0; i < boundaries.Count; i++)
            {
                var boundary = boundaries[i];
                if (!boundary.ProducersRunning || boundary.Writes.Count == 0) continue;
                var readNowOrLater = boundaries.Skip(i).Where(b => b.ConsumersRunning && b.Reads is not null).Select(b => b.Reads!.Value).ToHashSet();
                if (!boundary.Writes.Overlaps(readNowOrLater))
                    Report(boundary.After, InvariantRules.StrandedWrites, $"Producers write only to the {string.Join(" and ", boundary.Writes.Select(SimulatedApp.Describe))} add-on, which consumers never read again.");
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
            if (app.FirstStepLeavingSource != pointOfNoReturn.Index)
                Report(pointOfNoReturn.Index, InvariantRules.PointOfNoReturn, $"The point of no return must be the step after which producers stop writing to the old add-on (step {app.FirstStepLeavingSource?.ToString() ?? "none"}), not '{pointOfNoReturn.Title}'.");
            if (!plan.IsApproved(pointOfNoReturn))
                Report(pointOfNoReturn.Index, InvariantRules.Approval, $"The point of no return '{pointOfNoReturn.Title}' runs without approval.");
            foreach (var gate in plan.Steps.Where(s => s.ApprovalCoversThrough is { } end && (end <= s.Index || end >= plan.Steps.Count || !s.RequiresApproval)))
                Report(gate.Index, InvariantRules.Approval, $"'{gate.Title}' covers steps up to {gate.ApprovalCoversThrough}, which is no window after an approval of its own.");
            foreach (var step in plan.Steps.Where(s => s.Index < pointOfNoReturn.Index && !s.Reversible))
                Report(step.Index, InvariantRules.PointOfNoReturn, $"'{step.Title}' cannot be undone, yet comes before the point of no return.");
            foreach (var step in plan.Steps.Where(s => s.Index < pointOfNoReturn.Index && s.Action is DestroyAddon))
                Report(step.Index, InvariantRules.PointOfNoReturn, $"'{step.Title}' destroys an add-on before the point of no return.");
        }

        private void CheckEndState(Dictionary<string, int> initialFormation)
        {
            var end = plan.Steps.Count == 0 ? (int?)null : plan.Steps[^1].Index;
            if (!app.Attachments.TryGetValue(Primary, out var primary) || primary != AddonRole.Target)
                Report(end, InvariantRules.EndState, $"The app does not end with the new add-on attached as {Primary}.");
            var leftovers = app.Attachments.Where(a => a.Value == AddonRole.Target && a.Key != Primary).Select(a => a.Key).ToList();
            if (leftovers.Count > 0) Report(end, InvariantRules.EndState, $"The new add-on is still attached as {string.Join(", ", leftovers)}.");
            if (!app.Destroyed.Contains(AddonRole.Source)) Report(end, InvariantRules.EndState, "The old add-on is never destroyed.");
            if (app.Maintenance) Report(end, InvariantRules.EndState, "Maintenance mode stays on.");
            if (app.MirrorRunning) Report(end, InvariantRules.EndState, "The mirror is never stopped.");
            foreach (var (type, quantity) in initialFormation.Where(f => app.Quantities.GetValueOrDefault(f.Key) != f.Value))
                Report(end, InvariantRules.EndState, $"Process type {type} ends at {app.Quantities.GetValueOrDefault(type)} dynos instead of {quantity}.");
            var last = app.LastBoundary;
            if (last.ProducersRunning && !last.Writes.SetEquals([AddonRole.Target]))
                Report(end, InvariantRules.EndState, "Producers do not end writing to the new add-on only.");
            if (last.ConsumersRunning && last.Reads != AddonRole.Target)
                Report(end, InvariantRules.EndState, "Consumers do not end reading the new add-on.");
        }
    }
}
