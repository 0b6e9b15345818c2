using CsCheck;
using KafkaMigrationPortal.Features.Migrations;
using KafkaMigrationPortal.Engine.Planning;

namespace KafkaMigrationPortal.Tests.Planning;

public sealed class PlanInvariantsTests
{
    private const long Hour = 3_600_000;

    private static readonly Gen<TopicSpec> GenTopic =
        Gen.Select(
            Gen.Int[0, 9999],
            Gen.Int[1, 64],
            Gen.Int[3, 5],
            Gen.OneOf<long?>(6 * Hour, 24 * Hour, 3 * 24 * Hour, 7 * 24 * Hour, 14 * 24 * Hour, null),
            Gen.Bool,
            (n, partitions, replication, retention, compacted) =>
                new TopicSpec($"topic-{n}", partitions, replication, compacted ? retention : retention ?? 24 * Hour, compacted));

    private static readonly Gen<AddonSnapshot> GenSource =
        Gen.Select(Gen.Bool, Gen.OneOf("KAFKA", "HEROKU_KAFKA"), Gen.Bool, (multiTenant, primary, extraAttachment) =>
            new AddonSnapshot(
                Requests.SourceId,
                multiTenant ? "kafka-symmetrical-26061" : "kafka-parallel-2019",
                multiTenant ? "heroku-kafka:basic-1" : "heroku-kafka:standard-1",
                extraAttachment ? [primary, "KAFKA_ANALYTICS"] : [primary],
                multiTenant ? "wabash-12345." : null));

    /// <summary>Strategies, multi-tenant and dedicated both ways, 1–3 producer and consumer types (some at 0 dynos),
    /// topics with assorted retention and compaction, groups named with or without the source prefix.</summary>
    private static readonly Gen<PlanRequest> GenRequest =
        from strategy in Gen.OneOf(MigrationStrategy.MaintenanceWindow, MigrationStrategy.DoubleWrite, MigrationStrategy.Mirror)
        from source in GenSource
        from targetMultiTenant in Gen.Bool
        from producerCount in Gen.Int[1, 3]
        from consumerCount in Gen.Int[1, 3]
        from quantities in Gen.Int[0, 4].Array[6]
        from topics in GenTopic.List[1, 6]
        from groupNumbers in Gen.Int[0, 99].List[1, 4]
        from prefixGroups in Gen.Bool
        from marginMinutes in Gen.Int[0, 180]
        let producers = Enumerable.Range(0, producerCount).Select(i => $"producer{i}").ToList()
        let consumers = Enumerable.Range(0, consumerCount).Select(i => $"consumer{i}").ToList()
        let formation = producers.Concat(consumers).Append("web").Select((type, i) => (type, quantity: Math.Max(quantities[i % 6], i == 0 || i == producerCount ? 1 : 0)))
            .ToDictionary(p => p.type, p => p.quantity)
        select new PlanRequest(
            "mackerel",
            source,
            targetMultiTenant ? "heroku-kafka:basic-2" : "heroku-kafka:extended-0",
            targetMultiTenant,
            strategy,
            producers,
            consumers,
            formation,
            topics,
            groupNumbers.Select(n => (prefixGroups && source.TopicPrefix is { } prefix ? prefix : "") + $"group-{n}").ToList(),
            TimeSpan.FromMinutes(marginMinutes),
            source.AttachmentNames[0]);

    [Fact]
    public void Every_generated_plan_passes_the_invariants()
    {
        GenRequest.Sample(request =>
        {
            var plan = MigrationPlanBuilder.Build(request);
            var violations = PlanInvariants.Check(plan);
            Assert.True(violations.Count == 0, string.Join(Environment.NewLine, violations));
        }, iter: 2000);
    }

    [Fact]
    public void Herokus_literal_double_write_order_is_caught()
    {
        // Heroku's text: attach old as OLD_KAFKA, create the new one as KAFKA, topics, then set both pin variables.
        GenRequest.Where(r => r.Strategy == MigrationStrategy.DoubleWrite).Sample(request =>
        {
            var plan = MigrationPlanBuilder.Build(request);
            var pin = plan.Steps.First(s => s.Action is SetConfigVars);
            var freeName = plan.Single<Detach>();
            var provisioning = plan.Steps.Where(s => s.Action is ProvisionAddon or WaitForProvisioning or CreateTopics or CreateConsumerGroups).ToList();
            var literal = Reorder(plan, steps =>
            {
                steps.Remove(freeName);
                steps.Remove(pin);
                steps.RemoveAll(provisioning.Contains);
                steps.InsertRange(1, provisioning);
                steps.Insert(1 + provisioning.Count, pin);
            });

            var violations = PlanInvariants.Check(literal);

            Assert.Contains(violations, v => v.Rule == InvariantRules.AttachmentCollision);
            Assert.Contains(violations, v => v.Rule == InvariantRules.UnsafeConsumerSwitch);
            Assert.Contains(violations, v => v.Rule == InvariantRules.WritesFail);
        }, iter: 200);
    }

    [Fact]
    public void Switching_consumers_before_the_retention_wait_is_caught()
    {
        GenRequest.Where(r => r.Strategy == MigrationStrategy.DoubleWrite).Sample(request =>
        {
            var plan = MigrationPlanBuilder.Build(request);
            var consumerSwitch = plan.Single<SetConfigVars>(a => a.Vars.Count == 1 && a.Vars.GetValueOrDefault(PinVars.ConsumerAddonName) == plan.PrimaryAttachment);
            var retentionWait = plan.Single<WaitForRetention>();
            var early = Reorder(plan, steps =>
            {
                steps.Remove(consumerSwitch);
                steps.Insert(steps.IndexOf(retentionWait), consumerSwitch);
            });

            var violation = Assert.Single(PlanInvariants.Check(early), v => v.Rule == InvariantRules.UnsafeConsumerSwitch);
            Assert.True(retentionWait.Index == violation.StepIndex, string.Join("\n", early.Steps.Select(s => $"{s.Index} {s.Title}")) + "\n" + string.Join("\n", PlanInvariants.Check(early)));
        }, iter: 200);
    }

    [Fact]
    public void Skipping_the_parity_check_or_shortening_the_wait_is_caught()
    {
        var plan = MigrationPlanBuilder.Build(Requests.DoubleWriteToMultiTenant());

        var noParity = Reorder(plan, steps => steps.RemoveAll(s => s.Action is VerifyParity));
        Assert.Contains(PlanInvariants.Check(noParity), v => v.Rule == InvariantRules.UnsafeConsumerSwitch);

        var shortWait = Reorder(plan, steps =>
        {
            var i = steps.FindIndex(s => s.Action is WaitForRetention);
            steps[i] = steps[i] with { Action = new WaitForRetention(TimeSpan.FromHours(1), TimeSpan.Zero) };
        });
        Assert.Contains(PlanInvariants.Check(shortWait), v => v.Rule == InvariantRules.UnsafeConsumerSwitch && v.Message.Contains("less than the largest", StringComparison.Ordinal));
    }

    [Fact]
    public void Maintenance_window_without_waiting_for_lag_0_is_caught()
    {
        GenRequest.Where(r => r.Strategy == MigrationStrategy.MaintenanceWindow).Sample(request =>
        {
            var plan = MigrationPlanBuilder.Build(request);
            var hasty = Reorder(plan, steps => steps.RemoveAll(s => s.Action is WaitForConsumerCatchUp));

            Assert.Contains(PlanInvariants.Check(hasty), v => v.Rule == InvariantRules.UnsafeConsumerSwitch && v.StepIndex == plan.PointOfNoReturn - 1);
        }, iter: 200);
    }

    [Fact]
    public void Stopping_consumers_before_producers_is_caught()
    {
        var plan = MigrationPlanBuilder.Build(Requests.MaintenanceToDedicated());
        var stopProducers = plan.Single<ScaleProcesses>(a => a.ProcessTypes.Contains("producer"));
        var stopConsumers = plan.Single<ScaleProcesses>(a => a.ProcessTypes.Contains("consumer"));
        var swapped = Reorder(plan, steps =>
        {
            var (p, c) = (steps.IndexOf(stopProducers), steps.IndexOf(stopConsumers));
            (steps[p], steps[c]) = (stopConsumers, stopProducers);
        });

        var violations = PlanInvariants.Check(swapped);

        Assert.Contains(violations, v => v.Rule == InvariantRules.ImpossibleStep && v.Message.Contains("no consumer reads it", StringComparison.Ordinal));
        Assert.Contains(violations, v => v.Rule == InvariantRules.StrandedWrites);
        Assert.Contains(violations, v => v.Rule == InvariantRules.UnsafeConsumerSwitch);
    }

    [Fact]
    public void Swapping_without_confirm_destroying_early_or_without_approval_is_caught()
    {
        var plan = MigrationPlanBuilder.Build(Requests.MaintenanceToDedicated());

        var unconfirmed = Reorder(plan, steps =>
        {
            var i = steps.FindIndex(s => s.Action is Attach { Addon: AddonRole.Target });
            steps[i] = steps[i] with { Action = new Attach(AddonRole.Target, "KAFKA", Confirm: false) };
        });
        Assert.Contains(PlanInvariants.Check(unconfirmed), v => v.Rule == InvariantRules.AttachmentCollision);

        var destroyFirst = Reorder(plan, steps =>
        {
            var destroy = steps.Single(s => s.Action is DestroyAddon);
            steps.Remove(destroy);
            steps.Insert(0, destroy);
        });
        var destroyViolations = PlanInvariants.Check(destroyFirst);
        Assert.Contains(destroyViolations, v => v.Rule == InvariantRules.DestroysLiveCluster && v.StepIndex == 0);
        Assert.Contains(destroyViolations, v => v.Rule == InvariantRules.PointOfNoReturn);

        var ungated = Reorder(plan, steps =>
        {
            for (var i = 0; i < steps.Count; i++) steps[i] = steps[i] with { RequiresApproval = false };
        });
        // The swap onto the new add-on, the point of no return and the destroy, and the window claiming to cover them.
        var approvals = PlanInvariants.Check(ungated).Where(v => v.Rule == InvariantRules.Approval).ToList();
        Assert.Equal(4, approvals.Count);
        Assert.Contains(approvals, v => v.Message.Contains("no window after an approval of its own", StringComparison.Ordinal));

        var windowWithoutEnd = Reorder(plan, steps =>
        {
            var i = steps.FindIndex(s => s.ApprovalCoversThrough is not null);
            steps[i] = steps[i] with { ApprovalCoversThrough = null };
        });
        Assert.Equal(2, PlanInvariants.Check(windowWithoutEnd).Count(v => v.Rule == InvariantRules.Approval));
    }

    [Fact]
    public void Point_of_no_return_must_mark_where_the_old_add_on_stops_receiving_writes()
    {
        var plan = MigrationPlanBuilder.Build(Requests.DoubleWriteToMultiTenant());
        var misplaced = Reorder(plan, steps =>
        {
            for (var i = 0; i < steps.Count; i++) steps[i] = steps[i] with { PointOfNoReturn = steps[i].Action is WatchStrayWrites };
        });

        Assert.Contains(PlanInvariants.Check(misplaced), v => v.Rule == InvariantRules.PointOfNoReturn && v.Message.Contains("stop writing to the old add-on", StringComparison.Ordinal));
    }

    [Fact]
    public void Plan_that_never_finishes_the_move_is_caught()
    {
        var plan = MigrationPlanBuilder.Build(Requests.MaintenanceToDedicated());
        var unfinished = Reorder(plan, steps => steps.RemoveAll(s => s.Action is DestroyAddon or SetMaintenance { On: false } or Detach));

        var endState = PlanInvariants.Check(unfinished).Where(v => v.Rule == InvariantRules.EndState).Select(v => v.Message).ToList();

        Assert.Contains(endState, m => m.Contains("never destroyed", StringComparison.Ordinal));
        Assert.Contains(endState, m => m.Contains("Maintenance mode stays on", StringComparison.Ordinal));
        Assert.Contains(endState, m => m.Contains("still attached as NEW_KAFKA", StringComparison.Ordinal));
    }

    [Fact]
    public void Mirror_cutover_without_the_drain_or_the_carried_positions_is_caught()
    {
        GenRequest.Where(r => r.Strategy == MigrationStrategy.Mirror).Sample(request =>
        {
            var plan = MigrationPlanBuilder.Build(request);
            var carry = plan.Single<CommitMirroredOffsets>();

            var undrained = Reorder(plan, steps => steps.RemoveAll(s => s.Action is WaitForMirrorDrained));
            var undrainedViolations = PlanInvariants.Check(undrained);
            Assert.Contains(undrainedViolations, v => v.Rule == InvariantRules.ImpossibleStep && v.StepIndex == carry.Index - 1 && v.Message.Contains("before the mirror has copied every record", StringComparison.Ordinal));
            Assert.Contains(undrainedViolations, v => v.Rule == InvariantRules.UnsafeConsumerSwitch);

            var uncarried = Reorder(plan, steps => steps.RemoveAll(s => s.Action is CommitMirroredOffsets));
            Assert.Contains(PlanInvariants.Check(uncarried), v => v.Rule == InvariantRules.UnsafeConsumerSwitch && v.StepIndex == plan.PointOfNoReturn - 1);
        }, iter: 200);
    }

    [Fact]
    public void Mirror_that_copies_while_producers_write_to_the_new_add_on_or_is_never_stopped_is_caught()
    {
        var plan = MigrationPlanBuilder.Build(Requests.MirrorToDedicated());
        Assert.Empty(PlanInvariants.Check(plan));

        // Restarting the app on the new add-on before the drain: its records and the copies interleave there.
        var restartEarly = Reorder(plan, steps =>
        {
            var drained = steps.Single(s => s.Action is WaitForMirrorDrained);
            steps.Remove(drained);
            steps.Insert(steps.FindIndex(s => s.Action is RestoreFormation) + 1, drained);
            var carry = steps.Single(s => s.Action is CommitMirroredOffsets);
            steps.Remove(carry);
            steps.Insert(steps.IndexOf(drained) + 1, carry);
        });
        Assert.Contains(PlanInvariants.Check(restartEarly), v => v.Rule == InvariantRules.MirrorInterleaves);

        var neverStopped = Reorder(plan, steps => steps.RemoveAll(s => s.Action is StopMirror));
        Assert.Contains(PlanInvariants.Check(neverStopped), v => v.Rule == InvariantRules.EndState && v.Message.Contains("mirror is never stopped", StringComparison.Ordinal));

        // Draining with the producers still running never ends; carrying positions with the consumers running is undone at once.
        var producersRun = Reorder(plan, steps => steps.RemoveAll(s => s.Action is ScaleProcesses or RestoreFormation));
        var producersRunViolations = PlanInvariants.Check(producersRun);
        Assert.Contains(producersRunViolations, v => v.Rule == InvariantRules.ImpossibleStep && v.Message.Contains("there is always a next record", StringComparison.Ordinal));
        Assert.Contains(producersRunViolations, v => v.Rule == InvariantRules.UnsafeConsumerSwitch);
    }

    /// <summary>A copy of the plan with its steps rearranged by <paramref name="change"/> and renumbered.</summary>
    private static MigrationPlan Reorder(MigrationPlan plan, Action<List<PlanStep>> change)
    {
        var steps = plan.Steps.ToList();
        change(steps);
        return plan with { Steps = steps.Select((s, i) => s with { Index = i }).ToList() };
    }
}
