using KafkaMigrationPortal.Engine.Planning;
using KafkaMigrationPortal.Engine.Planning.Invariants;

namespace KafkaMigrationPortal.Tests.Planning;

/// <summary>Each action rule on its own: the simulated app before, the action applied, the app and violations after.</summary>
public sealed class PlanRuleTests
{
    private const int Step = 4;

    /// <summary>Producers (2 dynos) and consumers (3) run on the old add-on, attached as KAFKA, with topics orders and payments.</summary>
    private static SimulatedApp App()
    {
        var app = new SimulatedApp(MigrationPlanBuilder.Build(Requests.MaintenanceToDedicated()));
        app.Observe(null);
        Assert.Empty(app.Violations);
        return app;
    }

    /// <summary>The app with the new add-on provisioned as NEW_KAFKA, ready, with every topic and group.</summary>
    private static SimulatedApp AppWithReadyTarget()
    {
        var app = App();
        Apply(app, new ProvisionAddon("heroku-kafka:standard-0", AttachmentNames.New));
        Apply(app, new WaitForProvisioning(AddonRole.Target));
        Apply(app, new CreateTopics(AddonRole.Target, app.Plan.Topics));
        Apply(app, new CreateConsumerGroups(AddonRole.Target, app.Plan.ConsumerGroups));
        Assert.Empty(app.Violations);
        return app;
    }

    private static void Apply(SimulatedApp app, StepAction action) => ActionRules.Apply(action, Step, app);

    private static PlanViolation SingleViolation(SimulatedApp app, string rule, string messagePart)
    {
        var violation = Assert.Single(app.Violations);
        Assert.Equal(Step, violation.StepIndex);
        Assert.Equal(rule, violation.Rule);
        Assert.Contains(messagePart, violation.Message, StringComparison.Ordinal);
        return violation;
    }

    private sealed record UnheardOfAction : StepAction;

    [Fact]
    public void Every_step_action_the_engine_knows_has_its_own_rule()
    {
        var actionTypes = typeof(StepAction).Assembly.GetTypes().Where(t => t.IsSubclassOf(typeof(StepAction)) && !t.IsAbstract).ToList();

        Assert.NotEmpty(actionTypes);
        Assert.All(actionTypes, type => Assert.True(ActionRules.For(type)?.ActionType == type, $"No rule for {type.Name}."));
        Assert.Equal(actionTypes.Count, ActionRules.All.Count);
    }

    [Fact]
    public void An_action_without_a_rule_is_reported_not_ignored()
    {
        var app = App();

        Apply(app, new UnheardOfAction());

        SingleViolation(app, InvariantRules.ImpossibleStep, "Unknown action UnheardOfAction");
        var plan = MigrationPlanBuilder.Build(Requests.MaintenanceToDedicated());
        var withUnknown = plan with { Steps = plan.Steps.Select(s => s.Index == 0 ? s with { Action = new UnheardOfAction() } : s).ToList() };
        Assert.Contains(PlanInvariants.Check(withUnknown), v => v.StepIndex == 0 && v.Rule == InvariantRules.ImpossibleStep && v.Message.Contains("cannot vouch", StringComparison.Ordinal));
    }

    [Fact]
    public void Provisioning_creates_the_new_add_on_under_its_name()
    {
        var app = App();

        Apply(app, new ProvisionAddon("heroku-kafka:standard-0", AttachmentNames.New));

        Assert.Empty(app.Violations);
        Assert.Contains(AddonRole.Target, app.Provisioned);
        Assert.DoesNotContain(AddonRole.Target, app.Ready);
        Assert.Equal(AddonRole.Target, app.Attachments[AttachmentNames.New]);
        Assert.Equal(AddonRole.Source, app.Attachments[AttachmentNames.Primary]);
    }

    [Fact]
    public void Provisioning_under_a_name_the_old_add_on_holds_collides_and_moves_the_name()
    {
        var app = App();

        Apply(app, new ProvisionAddon("heroku-kafka:standard-0", AttachmentNames.Primary));

        SingleViolation(app, InvariantRules.AttachmentCollision, "a name the old add-on still holds");
        Assert.Equal(AddonRole.Target, app.Attachments[AttachmentNames.Primary]);
    }

    [Fact]
    public void Provisioning_a_second_new_add_on_is_impossible()
    {
        var app = App();
        Apply(app, new ProvisionAddon("heroku-kafka:standard-0", AttachmentNames.New));

        Apply(app, new ProvisionAddon("heroku-kafka:standard-0", "OTHER_KAFKA"));

        SingleViolation(app, InvariantRules.ImpossibleStep, "A second new add-on");
    }

    [Fact]
    public void Waiting_for_an_add_on_makes_it_ready_only_once_it_exists()
    {
        var app = App();

        Apply(app, new WaitForProvisioning(AddonRole.Target));

        SingleViolation(app, InvariantRules.ImpossibleStep, "which does not exist");
        Assert.DoesNotContain(AddonRole.Target, app.Ready);

        app.Violations.Clear();
        Apply(app, new ProvisionAddon("heroku-kafka:standard-0", AttachmentNames.New));
        Apply(app, new WaitForProvisioning(AddonRole.Target));

        Assert.Empty(app.Violations);
        Assert.Contains(AddonRole.Target, app.Ready);
    }

    [Fact]
    public void Destroying_the_cluster_consumers_read_is_reported_and_drops_its_attachments()
    {
        var app = App();
        Apply(app, new Attach(AddonRole.Source, AttachmentNames.Old, Confirm: false));

        Apply(app, new DestroyAddon(AddonRole.Source));

        SingleViolation(app, InvariantRules.DestroysLiveCluster, "the cluster the consumers read");
        Assert.DoesNotContain(app.Attachments, a => a.Value == AddonRole.Source);
        Assert.Contains(AddonRole.Source, app.Destroyed);
        Assert.DoesNotContain(AddonRole.Source, app.Ready);
        Assert.False(app.IsAlive(AddonRole.Source));
    }

    [Fact]
    public void Destroying_an_add_on_consumers_have_left_drops_every_name_still_attached_to_it()
    {
        var app = AppWithReadyTarget();
        Apply(app, new Attach(AddonRole.Source, AttachmentNames.Old, Confirm: false));
        Apply(app, new Attach(AddonRole.Target, AttachmentNames.Primary, Confirm: true));
        app.LastRead = AddonRole.Target;

        Apply(app, new DestroyAddon(AddonRole.Source));

        Assert.Empty(app.Violations);
        Assert.Equal(new Dictionary<string, AddonRole> { [AttachmentNames.Primary] = AddonRole.Target, [AttachmentNames.New] = AddonRole.Target }, app.Attachments);
        Assert.Contains(AddonRole.Source, app.Destroyed);
    }

    [Fact]
    public void Destroying_an_add_on_that_does_not_exist_is_impossible()
    {
        var app = App();
        app.LastRead = null;

        Apply(app, new DestroyAddon(AddonRole.Target));

        SingleViolation(app, InvariantRules.ImpossibleStep, "Destroys the new add-on, which does not exist");
        Assert.Empty(app.Destroyed);

        app.Violations.Clear();
        Apply(app, new DestroyAddon(AddonRole.Source));
        Apply(app, new DestroyAddon(AddonRole.Source));

        SingleViolation(app, InvariantRules.ImpossibleStep, "Destroys the old add-on, which does not exist");
    }

    [Fact]
    public void Attaching_over_a_name_the_other_add_on_holds_needs_confirm()
    {
        var app = AppWithReadyTarget();

        Apply(app, new Attach(AddonRole.Target, AttachmentNames.Primary, Confirm: false));

        SingleViolation(app, InvariantRules.AttachmentCollision, "confirmation_required");
        Assert.Equal(AddonRole.Source, app.Attachments[AttachmentNames.Primary]);

        app.Violations.Clear();
        Apply(app, new Attach(AddonRole.Target, AttachmentNames.Primary, Confirm: true));

        Assert.Empty(app.Violations);
        Assert.Equal(AddonRole.Target, app.Attachments[AttachmentNames.Primary]);
    }

    [Fact]
    public void Attaching_a_free_name_or_one_the_add_on_already_holds_needs_no_confirm()
    {
        var app = App();

        Apply(app, new Attach(AddonRole.Source, AttachmentNames.Old, Confirm: false));
        Apply(app, new Attach(AddonRole.Source, AttachmentNames.Primary, Confirm: false));

        Assert.Empty(app.Violations);
        Assert.Equal(AddonRole.Source, app.Attachments[AttachmentNames.Old]);
        Assert.Equal(AddonRole.Source, app.Attachments[AttachmentNames.Primary]);
    }

    [Fact]
    public void Attaching_an_add_on_that_does_not_exist_is_impossible()
    {
        var app = App();

        Apply(app, new Attach(AddonRole.Target, AttachmentNames.New, Confirm: true));

        SingleViolation(app, InvariantRules.ImpossibleStep, "Attaches the new add-on, which does not exist");
        Assert.False(app.Attachments.ContainsKey(AttachmentNames.New));
    }

    [Fact]
    public void Detaching_frees_only_a_name_the_add_on_holds()
    {
        var app = AppWithReadyTarget();

        Apply(app, new Detach(AddonRole.Target, AttachmentNames.Primary));

        SingleViolation(app, InvariantRules.ImpossibleStep, "the name belongs to the old one");
        Assert.Equal(AddonRole.Source, app.Attachments[AttachmentNames.Primary]);

        app.Violations.Clear();
        Apply(app, new Detach(AddonRole.Target, AttachmentNames.New));

        Assert.Empty(app.Violations);
        Assert.False(app.Attachments.ContainsKey(AttachmentNames.New));

        Apply(app, new Detach(AddonRole.Target, AttachmentNames.New));

        SingleViolation(app, InvariantRules.ImpossibleStep, "which is not attached");
    }

    [Fact]
    public void Detaching_the_last_name_producers_and_consumers_use_makes_their_writes_and_reads_fail()
    {
        var app = App();

        Apply(app, new Detach(AddonRole.Source, AttachmentNames.Primary));
        Assert.Empty(app.Violations);
        var boundary = app.Observe(Step);

        Assert.Empty(app.Attachments);
        Assert.Empty(boundary.Writes);
        Assert.Null(boundary.Reads);
        Assert.Contains(app.Violations, v => v.StepIndex == Step && v.Rule == InvariantRules.WritesFail && v.Message.Contains("KAFKA, which is not attached", StringComparison.Ordinal));
        Assert.Contains(app.Violations, v => v.StepIndex == Step && v.Rule == InvariantRules.ReadsFail && v.Message.Contains("KAFKA, which is not attached", StringComparison.Ordinal));
    }

    [Fact]
    public void Topics_count_as_created_only_when_every_topic_of_the_plan_is()
    {
        var app = AppWithReadyTarget();
        app.HasTopics.Remove(AddonRole.Target);

        Apply(app, new CreateTopics(AddonRole.Target, app.Plan.Topics.Skip(1).ToList()));

        SingleViolation(app, InvariantRules.ImpossibleStep, $"Topics {app.Plan.Topics[0].Name} are not created");
        Assert.DoesNotContain(AddonRole.Target, app.HasTopics);
    }

    [Fact]
    public void Creating_topics_or_groups_before_the_add_on_is_ready_is_impossible()
    {
        var app = App();
        Apply(app, new ProvisionAddon("heroku-kafka:standard-0", AttachmentNames.New));

        Apply(app, new CreateTopics(AddonRole.Target, app.Plan.Topics));
        Apply(app, new CreateConsumerGroups(AddonRole.Target, app.Plan.ConsumerGroups));

        Assert.Collection(app.Violations,
            v => Assert.Equal("Creates topics on the new add-on before it is ready.", v.Message),
            v => Assert.Equal("Creates consumer groups on the new add-on before it is ready.", v.Message));
    }

    [Fact]
    public void Groups_count_as_created_only_when_every_group_of_the_plan_is()
    {
        var app = AppWithReadyTarget();
        app.HasGroups.Remove(AddonRole.Target);

        Apply(app, new CreateConsumerGroups(AddonRole.Target, [app.Plan.ConsumerGroups[0]]));

        SingleViolation(app, InvariantRules.ImpossibleStep, $"Consumer groups {string.Join(", ", app.Plan.ConsumerGroups.Skip(1))} are not created");
        Assert.DoesNotContain(AddonRole.Target, app.HasGroups);

        app.Violations.Clear();
        Apply(app, new CreateConsumerGroups(AddonRole.Target, app.Plan.ConsumerGroups));

        Assert.Empty(app.Violations);
        Assert.Contains(AddonRole.Target, app.HasGroups);
    }

    [Fact]
    public void Restoring_takes_back_the_quantity_before_the_first_scale()
    {
        var app = App();

        Apply(app, new ScaleProcesses(["producer"], 1));
        Apply(app, new ScaleProcesses(["producer"], 0));

        Assert.Equal(0, app.Quantities["producer"]);
        Assert.False(app.ProducersRunning);
        Assert.Equal(2, app.RecordedQuantities["producer"]);

        Apply(app, new RestoreFormation(["producer"]));

        Assert.Empty(app.Violations);
        Assert.Equal(2, app.Quantities["producer"]);
        Assert.Empty(app.RecordedQuantities);
        Assert.Equal(3, app.Quantities["consumer"]);
    }

    [Fact]
    public void Restoring_a_type_whose_quantity_was_never_recorded_is_impossible()
    {
        var app = App();
        Apply(app, new ScaleProcesses(["producer"], 0));
        Apply(app, new RestoreFormation(["producer"]));

        Apply(app, new RestoreFormation(["producer"]));

        SingleViolation(app, InvariantRules.ImpossibleStep, "Restores process type producer, whose quantity was never recorded");
        Assert.Equal(2, app.Quantities["producer"]);
    }

    [Fact]
    public void Maintenance_follows_the_last_step_that_sets_it()
    {
        var app = App();

        Apply(app, new SetMaintenance(On: true));
        Assert.True(app.Maintenance);

        Apply(app, new SetMaintenance(On: false));
        Assert.False(app.Maintenance);
        Assert.Empty(app.Violations);
    }

    [Fact]
    public void Config_vars_are_set_and_a_null_value_unsets_them()
    {
        var app = App();

        Apply(app, new SetConfigVars(new Dictionary<string, string?> { [PinVars.ConsumerAddonName] = AttachmentNames.Old, [PinVars.ProducerAddonNames] = AttachmentNames.Primary }));
        Apply(app, new SetConfigVars(new Dictionary<string, string?> { [PinVars.ConsumerAddonName] = null }));

        Assert.Empty(app.Violations);
        Assert.Equal(new Dictionary<string, string> { [PinVars.ProducerAddonNames] = AttachmentNames.Primary }, app.ConfigVars);
    }

    [Fact]
    public void Recording_the_double_write_start_needs_producers_writing_to_both_add_ons()
    {
        var app = AppWithReadyTarget();

        Apply(app, new SetConfigVars(new Dictionary<string, string?> { [PinVars.ProducerAddonNames] = AttachmentNames.Primary }, RecordsDoubleWriteStart: true));

        SingleViolation(app, InvariantRules.ImpossibleStep, "producers do not write to both add-ons");
        Assert.Equal(DoubleWriteProgress.None, app.DoubleWrite);

        app.Violations.Clear();
        Apply(app, new SetConfigVars(new Dictionary<string, string?> { [PinVars.ProducerAddonNames] = $"{AttachmentNames.Primary},{AttachmentNames.New}" }, RecordsDoubleWriteStart: true));

        Assert.Empty(app.Violations);
        Assert.Equal(DoubleWriteProgress.Started, app.DoubleWrite);
    }

    [Fact]
    public void Lag_0_drains_the_old_add_on_only_once_producers_stopped_writing_to_it()
    {
        var app = App();
        var catchUp = new WaitForConsumerCatchUp(AddonRole.Source, app.Plan.ConsumerGroups);

        Apply(app, catchUp);

        Assert.Empty(app.Violations);
        Assert.Empty(app.Drained);

        Apply(app, new ScaleProcesses(["producer"], 0));
        app.Observe(Step);
        Apply(app, catchUp);

        Assert.Empty(app.Violations);
        Assert.Contains(AddonRole.Source, app.Drained);
    }

    [Fact]
    public void Waiting_for_lag_0_without_groups_or_consumers_proves_nothing()
    {
        var app = App();
        Apply(app, new ScaleProcesses(["producer", "consumer"], 0));
        app.Observe(Step);

        Apply(app, new WaitForConsumerCatchUp(AddonRole.Source, []));

        Assert.Collection(app.Violations,
            v => Assert.Contains("without naming any consumer group", v.Message, StringComparison.Ordinal),
            v => Assert.Contains("while no consumer reads it", v.Message, StringComparison.Ordinal));
        Assert.All(app.Violations, v => Assert.Equal(InvariantRules.ImpossibleStep, v.Rule));
        Assert.Empty(app.Drained);
    }

    [Fact]
    public void Verifying_double_writing_needs_producers_writing_to_both_add_ons()
    {
        var app = AppWithReadyTarget();

        Apply(app, new VerifyDoubleWrite(["orders"]));

        SingleViolation(app, InvariantRules.ImpossibleStep, "Verifies double-writing while producers do not write to both add-ons");

        app.Violations.Clear();
        Apply(app, new SetConfigVars(new Dictionary<string, string?> { [PinVars.ProducerAddonNames] = $"{AttachmentNames.Primary},{AttachmentNames.New}" }));
        app.Observe(Step);
        Apply(app, new VerifyDoubleWrite(["orders"]));

        Assert.Empty(app.Violations);
    }

    [Fact]
    public void The_retention_wait_must_outlast_the_largest_retention_after_a_recorded_start()
    {
        var app = App();
        var largest = TimeSpan.FromMilliseconds(app.Plan.Topics.Max(t => t.RetentionTimeMs)!.Value);

        Apply(app, new WaitForRetention(largest, TimeSpan.Zero));

        SingleViolation(app, InvariantRules.ImpossibleStep, "without a recorded start of double-writing");
        Assert.Equal(DoubleWriteProgress.None, app.DoubleWrite);

        app.Violations.Clear();
        app.DoubleWrite = DoubleWriteProgress.Started;
        Apply(app, new WaitForRetention(largest - TimeSpan.FromMinutes(1), TimeSpan.FromHours(1)));

        SingleViolation(app, InvariantRules.UnsafeConsumerSwitch, "less than the largest topic retention");

        app.Violations.Clear();
        app.DoubleWrite = DoubleWriteProgress.Started;
        Apply(app, new WaitForRetention(largest, TimeSpan.Zero));

        Assert.Empty(app.Violations);
        Assert.Equal(DoubleWriteProgress.RetentionElapsed, app.DoubleWrite);
    }

    [Fact]
    public void Parity_holds_only_once_double_writing_has_outlasted_the_retention()
    {
        var app = App();
        app.DoubleWrite = DoubleWriteProgress.Started;

        Apply(app, new VerifyParity(["orders"]));

        SingleViolation(app, InvariantRules.ImpossibleStep, "Checks parity before double-writing has outlasted the retention period");
        Assert.Equal(DoubleWriteProgress.Started, app.DoubleWrite);

        app.Violations.Clear();
        app.DoubleWrite = DoubleWriteProgress.RetentionElapsed;
        Apply(app, new VerifyParity(["orders"]));

        Assert.Empty(app.Violations);
        Assert.Equal(DoubleWriteProgress.ParityVerified, app.DoubleWrite);
    }

    [Fact]
    public void Watching_for_stray_writes_while_producers_still_write_to_the_old_add_on_is_impossible()
    {
        var app = App();
        var watch = new WatchStrayWrites(["orders"], TimeSpan.FromMinutes(5));

        Apply(app, watch);

        SingleViolation(app, InvariantRules.ImpossibleStep, "while producers still write to it");

        app.Violations.Clear();
        Apply(app, new ScaleProcesses(["producer"], 0));
        app.Observe(Step);
        Apply(app, watch);

        Assert.Empty(app.Violations);
    }
}
