using System.Text.Json;
using KafkaMigrationPortal.Features.Migrations;
using KafkaMigrationPortal.Engine.Execution;
using KafkaMigrationPortal.Engine.Planning;

namespace KafkaMigrationPortal.Tests.Planning;

public sealed class MigrationPlanBuilderTests
{
    [Fact]
    public void Maintenance_window_follows_the_design_order()
    {
        var plan = MigrationPlanBuilder.Build(Requests.MaintenanceToDedicated());

        Assert.Equal(
        [
            "ProvisionAddon NEW_KAFKA", "WaitForProvisioning Target", "CreateTopics Target", "CreateConsumerGroups Target",
            "ScaleProcesses producer=0", "WaitForConsumerCatchUp Source", "ScaleProcesses consumer=0", "SetMaintenance on",
            "Attach Source as OLD_KAFKA", "Attach Target as KAFKA confirm", "Detach Target NEW_KAFKA",
            "RestoreFormation consumer,producer", "SetMaintenance off", "DestroyAddon Source",
        ], plan.Steps.Select(s => Describe(s.Action)));
        Assert.Equal(Enumerable.Range(0, plan.Steps.Count), plan.Steps.Select(s => s.Index));
    }

    [Fact]
    public void Mirror_follows_the_design_order()
    {
        var plan = MigrationPlanBuilder.Build(Requests.MirrorToDedicated());

        Assert.Equal(
        [
            "ProvisionAddon NEW_KAFKA", "WaitForProvisioning Target", "CreateTopics Target", "CreateConsumerGroups Target",
            "StartMirror orders,payments", "WaitForMirrorCaughtUp 1000 00:00:30", "ScaleProcesses consumer,producer=0",
            "WaitForMirrorDrained orders,payments", "CommitMirroredOffsets billing,shipping",
            "Attach Source as OLD_KAFKA", "Attach Target as KAFKA confirm", "Detach Target NEW_KAFKA",
            "RestoreFormation consumer,producer", "StopMirror", "WatchStrayWrites", "DestroyAddon Source",
        ], plan.Steps.Select(s => Describe(s.Action)));
        Assert.Empty(PlanInvariants.Check(plan));
        // The mirror keeps partition numbers: the topics are created with the old add-on's partition counts.
        Assert.Equal([8, 4], Assert.IsType<CreateTopics>(plan.Single<CreateTopics>().Action).Topics.Select(t => t.Partitions));
    }

    [Fact]
    public void Mirror_approves_the_cutover_once_covering_everything_through_the_restart_and_states_its_downtime()
    {
        var plan = MigrationPlanBuilder.Build(Requests.MirrorToDedicated() with { MirrorCaughtUpLag = TimeSpan.FromMinutes(2) });

        Assert.Equal(["ScaleProcesses", "DestroyAddon"], plan.Steps.Where(s => s.RequiresApproval).Select(s => s.Action.GetType().Name));
        var cutover = plan.Steps.First(s => s.RequiresApproval);
        var restart = plan.Single<RestoreFormation>();
        Assert.Equal(restart.Index, cutover.ApprovalCoversThrough);
        Assert.Equal(restart.Index, plan.PointOfNoReturn);
        Assert.All(plan.Steps.Where(s => s.Index > cutover.Index && s.Index <= restart.Index), s => Assert.Same(cutover, plan.WindowGateCovering(s)));
        Assert.Null(plan.WindowGateCovering(plan.Single<StopMirror>()));
        Assert.All(plan.Steps.Where(s => s.Index < restart.Index), s => Assert.True(s.Reversible, s.Title));
        Assert.Equal([new StopMirror()], plan.Single<StartMirror>().CompensatingActions!);
        Assert.Equal(["consumer", "producer"], Assert.IsType<RestoreFormation>(Assert.Single(cutover.CompensatingActions!)).ProcessTypes);

        var window = plan.Steps.Where(s => s.Index >= cutover.Index && s.Index <= restart.Index).ToList();
        Assert.Equal(window.Aggregate(default(DurationRange), (sum, s) => sum + s.ExpectedRange), plan.ExpectedDowntime);
        // The downtime is the final drain (bounded by the caught-up threshold) plus API calls and one release.
        var drain = plan.Single<WaitForMirrorDrained>().ExpectedRange;
        Assert.True(drain.Most >= TimeSpan.FromMinutes(2), drain.InWords());
        Assert.True(plan.ExpectedDowntime.Most >= drain.Most + PlanTimings.Heroku.Release.Most);
        Assert.True(plan.ExpectedDowntime.Most < MigrationPlanBuilder.Build(Requests.MaintenanceToDedicated()).ExpectedDuration.Most);
        Assert.Equal(plan.Steps.Aggregate(default(DurationRange), (sum, s) => sum + s.ExpectedRange), plan.ExpectedDuration);
    }

    [Fact]
    public void Mirror_says_where_no_heroku_command_exists_and_warns_only_about_what_it_does_not_carry()
    {
        var plan = MigrationPlanBuilder.Build(Requests.DoubleWriteToMultiTenant() with { Strategy = MigrationStrategy.Mirror });

        foreach (var step in plan.Steps.Where(s => s.Action is StartMirror or WaitForMirrorCaughtUp or WaitForMirrorDrained or CommitMirroredOffsets or StopMirror))
            Assert.StartsWith("# no Heroku CLI equivalent: the portal", step.CliCommand, StringComparison.Ordinal);
        Assert.Contains("customers, orders, payments", plan.Single<StartMirror>().CliCommand, StringComparison.Ordinal);
        Assert.Equal("heroku ps:scale consumer=0 producer=0 -a mackerel", plan.Single<ScaleProcesses>().CliCommand);
        Assert.Equal("heroku ps:scale consumer=3 producer=2 -a mackerel", plan.Single<RestoreFormation>().CliCommand);
        // The mirror copies the compacted log as it is: no "keys are lost" warning, only the multi-tenant retention note.
        Assert.DoesNotContain(plan.Warnings, w => w.Contains("starts empty", StringComparison.Ordinal) || w.Contains("not brought across", StringComparison.Ordinal));
        Assert.Contains(plan.Warnings, w => w.StartsWith("Topic 'customers' is compacted.", StringComparison.Ordinal) && w.Contains("multi-tenant", StringComparison.Ordinal));
        Assert.Contains(plan.Warnings, w => w.StartsWith("Offsets differ on the new add-on", StringComparison.Ordinal));
    }

    [Fact]
    public void Kafka_internal_topics_in_a_request_are_never_created_counted_or_checked()
    {
        var request = Requests.DoubleWriteToMultiTenant();
        var withInternal = request with
        {
            Topics = [.. request.Topics, new TopicSpec("__consumer_offsets", 50, 3, 604_800_000, true), new TopicSpec("__transaction_state", 50, 3, null, true)],
        };

        var plan = MigrationPlanBuilder.Build(withInternal);

        Assert.Equal(PlanSerialization.Serialize(MigrationPlanBuilder.Build(request)), PlanSerialization.Serialize(plan));
    }

    [Fact]
    public void Double_write_pins_the_app_and_frees_KAFKA_before_creating_the_new_add_on_as_KAFKA()
    {
        var plan = MigrationPlanBuilder.Build(Requests.DoubleWriteToMultiTenant());

        Assert.Equal(
        [
            "Attach Source as OLD_KAFKA", "SetConfigVars PRODUCER_ADDON_NAMES=OLD_KAFKA CONSUMER_ADDON_NAME=OLD_KAFKA",
            "Detach Source KAFKA", "ProvisionAddon KAFKA", "WaitForProvisioning Target", "CreateTopics Target", "CreateConsumerGroups Target",
            "SetConfigVars PRODUCER_ADDON_NAMES=OLD_KAFKA,KAFKA (start)", "VerifyDoubleWrite", "WaitForRetention", "VerifyParity",
            "SetConfigVars CONSUMER_ADDON_NAME=KAFKA", "WaitForConsumerCatchUp Target", "SetConfigVars PRODUCER_ADDON_NAMES=KAFKA",
            "WatchStrayWrites", "DestroyAddon Source", "SetConfigVars PRODUCER_ADDON_NAMES=- CONSUMER_ADDON_NAME=-",
        ], plan.Steps.Select(s => Describe(s.Action)));
    }

    [Fact]
    public void Cli_commands_are_the_ones_a_person_would_type()
    {
        var maintenance = MigrationPlanBuilder.Build(Requests.MaintenanceToDedicated());
        Assert.Equal("heroku addons:create heroku-kafka:standard-0 --as NEW_KAFKA --name mackerel-kafka-6c2b3a52 -a mackerel", maintenance.Single<ProvisionAddon>().CliCommand);
        Assert.Equal("heroku kafka:wait NEW_KAFKA -a mackerel", maintenance.Single<WaitForProvisioning>().CliCommand);
        Assert.Equal(
            "heroku kafka:topics:create orders --partitions 8 --replication-factor 3 --retention-time 86400000 NEW_KAFKA -a mackerel\n"
            + "heroku kafka:topics:create payments --partitions 4 --replication-factor 3 --retention-time 259200000 NEW_KAFKA -a mackerel",
            maintenance.Single<CreateTopics>().CliCommand);
        Assert.Equal(
            "heroku kafka:consumer-groups:create billing NEW_KAFKA -a mackerel\nheroku kafka:consumer-groups:create shipping NEW_KAFKA -a mackerel",
            maintenance.Single<CreateConsumerGroups>().CliCommand);
        Assert.Equal("heroku ps:scale producer=0 -a mackerel", maintenance.Single<ScaleProcesses>(a => a.ProcessTypes.Contains("producer")).CliCommand);
        Assert.Equal("heroku maintenance:on -a mackerel", maintenance.Single<SetMaintenance>(a => a.On).CliCommand);
        Assert.Equal("heroku addons:attach kafka-symmetrical-26061 --as OLD_KAFKA -a mackerel", maintenance.Single<Attach>(a => a.Addon == AddonRole.Source).CliCommand);
        // addons:attach takes the add-on (its planned name), not the NEW_KAFKA attachment.
        Assert.Equal("heroku addons:attach mackerel-kafka-6c2b3a52 --as KAFKA --confirm mackerel -a mackerel", maintenance.Single<Attach>(a => a.Addon == AddonRole.Target).CliCommand);
        Assert.Equal("heroku addons:detach NEW_KAFKA -a mackerel", maintenance.Single<Detach>().CliCommand);
        Assert.Equal("heroku ps:scale consumer=3 producer=2 -a mackerel", maintenance.Single<RestoreFormation>().CliCommand);
        Assert.Equal("heroku addons:destroy kafka-symmetrical-26061 -a mackerel --confirm mackerel", maintenance.Single<DestroyAddon>().CliCommand);
        Assert.StartsWith("(portal check: lag 0 on every partition of billing, shipping on KAFKA", maintenance.Single<WaitForConsumerCatchUp>().CliCommand);

        var doubleWrite = MigrationPlanBuilder.Build(Requests.DoubleWriteToMultiTenant());
        Assert.Equal("heroku addons:create heroku-kafka:basic-0 --as KAFKA --name mackerel-kafka-6c2b3a52 -a mackerel", doubleWrite.Single<ProvisionAddon>().CliCommand);
        Assert.Equal("heroku addons:detach KAFKA -a mackerel", doubleWrite.Single<Detach>().CliCommand);
        Assert.Equal("heroku config:set PRODUCER_ADDON_NAMES=OLD_KAFKA,KAFKA -a mackerel", doubleWrite.Single<SetConfigVars>(a => a.RecordsDoubleWriteStart).CliCommand);
        Assert.Equal("heroku config:set CONSUMER_ADDON_NAME=KAFKA -a mackerel", doubleWrite.Single<SetConfigVars>(a => a.Vars.Count == 1 && a.Vars.ContainsKey(PinVars.ConsumerAddonName)).CliCommand);
        Assert.Equal("heroku config:unset PRODUCER_ADDON_NAMES CONSUMER_ADDON_NAME -a mackerel", doubleWrite.Steps[^1].CliCommand);
        // Multi-tenant target: Heroku picks the replication factor; a compacted topic without retention gets no --retention-time.
        Assert.Equal(
            "heroku kafka:topics:create customers --partitions 2 --compaction KAFKA -a mackerel\n"
            + "heroku kafka:topics:create orders --partitions 8 --retention-time 86400000 KAFKA -a mackerel\n"
            + "heroku kafka:topics:create payments --partitions 4 --retention-time 259200000 KAFKA -a mackerel",
            doubleWrite.Single<CreateTopics>().CliCommand);
        Assert.False(doubleWrite.Single<CreateTopics>().Action is CreateTopics { SendReplicationFactor: true });
    }

    [Fact]
    public void Maintenance_window_is_approved_before_the_producers_stop_covering_the_cutover_and_the_destroy_has_its_own_gate()
    {
        var plan = MigrationPlanBuilder.Build(Requests.MaintenanceToDedicated());

        Assert.Equal(["ScaleProcesses", "DestroyAddon"], plan.Steps.Where(s => s.RequiresApproval).Select(s => s.Action.GetType().Name));
        var window = plan.Steps.First(s => s.RequiresApproval);
        var pointOfNoReturn = plan.Single<RestoreFormation>();
        // No person decides between the producers stopping and the app restarting on the new add-on: not the swap, not
        // the restart. The window's approval covers both, and each checks live what an approver would have seen.
        Assert.Equal(pointOfNoReturn.Index, window.ApprovalCoversThrough);
        Assert.All(plan.Steps.Where(s => s.Index > window.Index && s.Index <= pointOfNoReturn.Index), s => Assert.Same(window, plan.WindowGateCovering(s)));
        Assert.Null(plan.WindowGateCovering(plan.Single<DestroyAddon>()));
        Assert.True(plan.IsApproved(plan.Single<Attach>(a => a.Addon == AddonRole.Target)));
        var windowSteps = plan.Steps.Where(s => s.Index >= window.Index && s.Index <= pointOfNoReturn.Index).ToList();
        Assert.Equal(windowSteps.Aggregate(TimeSpan.Zero, (sum, s) => sum + s.ExpectedDuration), plan.ExpectedDowntime.Least);
        Assert.Equal(windowSteps.Aggregate(TimeSpan.Zero, (sum, s) => sum + s.LongestDuration!.Value), plan.ExpectedDowntime.Most);
        Assert.Equal(default, MigrationPlanBuilder.Build(Requests.DoubleWriteToMultiTenant()).ExpectedDowntime);
        Assert.True(pointOfNoReturn.PointOfNoReturn);
        Assert.Equal(pointOfNoReturn.Index, plan.PointOfNoReturn);
        Assert.All(plan.Steps.Where(s => s.Index < pointOfNoReturn.Index), s => Assert.True(s.Reversible, s.Title));
        Assert.False(plan.Single<DestroyAddon>().Reversible);
        Assert.Equal([new Attach(AddonRole.Source, "KAFKA", Confirm: true)], plan.Single<Attach>(a => a.Addon == AddonRole.Target).CompensatingActions!);
        Assert.Equal([new DestroyAddon(AddonRole.Target)], plan.Single<ProvisionAddon>().CompensatingActions!);
    }

    [Fact]
    public void Double_write_gates_the_consumer_switch_the_producer_cutover_and_the_destroy()
    {
        var plan = MigrationPlanBuilder.Build(Requests.DoubleWriteToMultiTenant());

        var gated = plan.Steps.Where(s => s.RequiresApproval).ToList();
        Assert.Equal(3, gated.Count);
        Assert.Equal("KAFKA", Assert.IsType<SetConfigVars>(gated[0].Action).Vars[PinVars.ConsumerAddonName]);
        Assert.Equal("KAFKA", Assert.IsType<SetConfigVars>(gated[1].Action).Vars[PinVars.ProducerAddonNames]);
        Assert.IsType<DestroyAddon>(gated[2].Action);
        Assert.True(gated[1].PointOfNoReturn);
        Assert.Equal(gated[1].Index, plan.PointOfNoReturn);
        Assert.Single(plan.Steps, s => s.PointOfNoReturn);
        Assert.True(gated[0].Reversible);
        Assert.Equal("OLD_KAFKA", Assert.IsType<SetConfigVars>(Assert.Single(gated[0].CompensatingActions!)).Vars[PinVars.ConsumerAddonName]);
    }

    [Fact]
    public void Retention_wait_lasts_the_largest_retention_plus_the_margin()
    {
        var plan = MigrationPlanBuilder.Build(Requests.DoubleWriteToMultiTenant());

        var step = plan.Single<WaitForRetention>();
        var wait = Assert.IsType<WaitForRetention>(step.Action);
        Assert.Equal(TimeSpan.FromDays(3), wait.LargestRetention);
        Assert.Equal(TimeSpan.FromHours(1), wait.Margin);
        Assert.Equal(TimeSpan.FromDays(3) + TimeSpan.FromHours(1), step.ExpectedDuration);
        // The compacted topic without time-based retention can never show parity; it is left out of that check.
        Assert.Equal(["orders", "payments"], Assert.IsType<VerifyParity>(plan.Single<VerifyParity>().Action).Topics);
    }

    [Fact]
    public void A_compacted_topic_without_retention_is_warned_to_get_a_retention_on_a_multi_tenant_target()
    {
        var toBasic = MigrationPlanBuilder.Build(Requests.DoubleWriteToMultiTenant());
        Assert.Contains(toBasic.Warnings, w => w.Contains("'customers'", StringComparison.Ordinal) && w.Contains("default retention", StringComparison.Ordinal));

        var toDedicated = MigrationPlanBuilder.Build(Requests.DoubleWriteToMultiTenant() with { TargetPlan = "heroku-kafka:standard-0", TargetMultiTenant = false });
        Assert.DoesNotContain(toDedicated.Warnings, w => w.Contains("default retention", StringComparison.Ordinal));
    }

    [Fact]
    public void Double_write_warns_that_compacted_topics_lose_their_old_keys()
    {
        var plan = MigrationPlanBuilder.Build(Requests.DoubleWriteToMultiTenant());

        var warning = Assert.Single(plan.Warnings, w => w.Contains("'customers'", StringComparison.Ordinal));
        Assert.Contains("compacted", warning, StringComparison.Ordinal);
        Assert.Contains("not brought across", warning, StringComparison.Ordinal);
        Assert.DoesNotContain(plan.Warnings, w => w.Contains("'orders'", StringComparison.Ordinal));

        var withoutCompaction = MigrationPlanBuilder.Build(Requests.DoubleWriteToMultiTenant() with { Topics = [Requests.Orders] });
        Assert.DoesNotContain(withoutCompaction.Warnings, w => w.Contains("compacted", StringComparison.Ordinal));
    }

    [Fact]
    public void Names_are_mapped_between_prefixed_and_unprefixed_clusters()
    {
        var toDedicated = MigrationPlanBuilder.Build(Requests.MaintenanceToDedicated());

        // The request mixed prefixed and unprefixed names from the multi-tenant source; the plan speaks the data API's.
        Assert.Equal(["orders", "payments"], toDedicated.Topics.Select(t => t.Name));
        Assert.Equal(["billing", "shipping"], toDedicated.ConsumerGroups);
        var orders = toDedicated.NameMappings.Single(n => n is { Kind: NameKind.Topic, Name: "orders" });
        Assert.Equal("wabash-12345.orders", orders.SourceKafkaName);
        Assert.Equal("orders", orders.TargetKafkaName(targetPrefix: null));
        var billing = toDedicated.NameMappings.Single(n => n is { Kind: NameKind.ConsumerGroup, Name: "billing" });
        Assert.Equal("wabash-12345.billing", billing.SourceKafkaName);
        Assert.Equal("billing", billing.TargetKafkaName(null));
        Assert.Contains(toDedicated.Warnings, w => w.Contains("dedicated", StringComparison.Ordinal));

        var toMultiTenant = MigrationPlanBuilder.Build(Requests.DoubleWriteToMultiTenant());
        var payments = toMultiTenant.NameMappings.Single(n => n is { Kind: NameKind.Topic, Name: "payments" });
        Assert.Equal("payments", payments.SourceKafkaName);
        Assert.Equal("hostile-4242.payments", payments.TargetKafkaName("hostile-4242."));
        Assert.Throws<InvalidOperationException>(() => payments.TargetKafkaName(null));
        Assert.Equal(5, toMultiTenant.NameMappings.Count);
    }

    [Fact]
    public void Same_request_gives_the_same_plan_whatever_the_order_of_names()
    {
        var request = Requests.DoubleWriteToMultiTenant();
        var shuffled = request with
        {
            Topics = request.Topics.Reverse().ToList(),
            ConsumerGroups = ["shipping", "billing", "billing"],
        };

        Assert.Equal(Json(MigrationPlanBuilder.Build(request)), Json(MigrationPlanBuilder.Build(shuffled)));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Plan_round_trips_through_System_Text_Json(bool webDefaults)
    {
        var options = webDefaults ? new JsonSerializerOptions(JsonSerializerDefaults.Web) : new JsonSerializerOptions();
        foreach (var plan in new[] { MigrationPlanBuilder.Build(Requests.MaintenanceToDedicated()), MigrationPlanBuilder.Build(Requests.DoubleWriteToMultiTenant()), MigrationPlanBuilder.Build(Requests.MirrorToDedicated()) })
        {
            var json = JsonSerializer.Serialize(plan, options);
            var copy = JsonSerializer.Deserialize<MigrationPlan>(json, options)!;

            Assert.Equal(json, JsonSerializer.Serialize(copy, options));
            Assert.Equal(plan.Steps.Select(s => s.Action.GetType()), copy.Steps.Select(s => s.Action.GetType()));
            Assert.Equal(plan.PointOfNoReturn, copy.PointOfNoReturn);
            Assert.Equal(plan.Steps.Select(s => s.ExpectedDuration), copy.Steps.Select(s => s.ExpectedDuration));
            Assert.Contains("\"$action\":\"provision-addon\"", json, StringComparison.Ordinal);
            Assert.Empty(PlanInvariants.Check(copy));
        }
    }

    private static string Json(MigrationPlan plan) => JsonSerializer.Serialize(plan);

    private static string Describe(StepAction action) => action switch
    {
        ProvisionAddon a => $"ProvisionAddon {a.AttachmentName}",
        WaitForProvisioning a => $"WaitForProvisioning {a.Addon}",
        CreateTopics a => $"CreateTopics {a.Addon}",
        CreateConsumerGroups a => $"CreateConsumerGroups {a.Addon}",
        ScaleProcesses a => $"ScaleProcesses {string.Join(",", a.ProcessTypes)}={a.Quantity}",
        RestoreFormation a => $"RestoreFormation {string.Join(",", a.ProcessTypes)}",
        WaitForConsumerCatchUp a => $"WaitForConsumerCatchUp {a.Addon}",
        SetMaintenance a => $"SetMaintenance {(a.On ? "on" : "off")}",
        Attach a => $"Attach {a.Addon} as {a.As}{(a.Confirm ? " confirm" : "")}",
        Detach a => $"Detach {a.Addon} {a.AttachmentName}",
        SetConfigVars a => $"SetConfigVars {string.Join(" ", a.Vars.Select(v => $"{v.Key}={v.Value ?? "-"}"))}{(a.RecordsDoubleWriteStart ? " (start)" : "")}",
        DestroyAddon a => $"DestroyAddon {a.Addon}",
        StartMirror a => $"StartMirror {string.Join(",", a.Topics)}",
        WaitForMirrorCaughtUp a => $"WaitForMirrorCaughtUp {a.MaxLagRecords} {a.MaxLagTime}",
        WaitForMirrorDrained a => $"WaitForMirrorDrained {string.Join(",", a.Topics)}",
        CommitMirroredOffsets a => $"CommitMirroredOffsets {string.Join(",", a.Groups)}",
        _ => action.GetType().Name,
    };

    [Fact]
    public void The_expected_duration_is_a_range_with_every_wait_in_it()
    {
        var plan = MigrationPlanBuilder.Build(Requests.DoubleWriteToMultiTenant());
        var retention = plan.Single<WaitForRetention>();
        var wait = ((WaitForRetention)retention.Action).LargestRetention + ((WaitForRetention)retention.Action).Margin;

        // The retention wait is exact: both ends of its range, and the plan's least is at least it and every other step's least.
        Assert.Equal(DurationRange.Exactly(wait), retention.ExpectedRange);
        Assert.Equal(plan.Steps.Aggregate(TimeSpan.Zero, (sum, s) => sum + s.ExpectedDuration), plan.ExpectedDuration.Least);
        Assert.Equal(plan.Steps.Aggregate(TimeSpan.Zero, (sum, s) => sum + s.LongestDuration!.Value), plan.ExpectedDuration.Most);
        Assert.True(plan.ExpectedDuration.Most > plan.ExpectedDuration.Least);
        Assert.All(plan.Steps, s => Assert.True(s.LongestDuration >= s.ExpectedDuration, s.Title));
    }

    [Fact]
    public void Timings_follow_the_mode_and_the_target_plan()
    {
        var onHeroku = MigrationPlanBuilder.Build(Requests.MaintenanceToDedicated());
        var inSandbox = MigrationPlanBuilder.Build(Requests.MaintenanceToDedicated() with { Timings = PlanTimings.Sandbox });
        var toMultiTenant = MigrationPlanBuilder.Build(Requests.DoubleWriteToMultiTenant());

        Assert.Equal(PlanTimings.Heroku.ProvisioningDedicated, onHeroku.Single<WaitForProvisioning>().ExpectedRange);
        Assert.Equal(PlanTimings.Heroku.ProvisioningMultiTenant, toMultiTenant.Single<WaitForProvisioning>().ExpectedRange);
        Assert.Equal(PlanTimings.Sandbox.ProvisioningDedicated, inSandbox.Single<WaitForProvisioning>().ExpectedRange);
        // The sandbox shortens Heroku's waits, never the plan's own (the steps are the same, in the same order).
        Assert.Equal(onHeroku.Steps.Select(s => s.Title), inSandbox.Steps.Select(s => s.Title));
        Assert.True(inSandbox.ExpectedDuration.Most < onHeroku.ExpectedDuration.Least);
    }

    [Fact]
    public void A_plan_stored_before_ranges_reads_its_one_duration_as_both_ends()
    {
        var step = MigrationPlanBuilder.Build(Requests.DoubleWriteToMultiTenant()).Steps[0] with { LongestDuration = null };

        Assert.Equal(DurationRange.Exactly(step.ExpectedDuration), step.ExpectedRange);
    }
}
