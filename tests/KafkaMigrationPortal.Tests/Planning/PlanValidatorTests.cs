using KafkaMigrationPortal.Features.Migrations;
using KafkaMigrationPortal.Engine.Planning;
using KafkaMigrationPortal.Engine.Execution;

namespace KafkaMigrationPortal.Tests.Planning;

public sealed class PlanValidatorTests
{
    private static readonly AppAddon Kafka = new(Requests.SourceId, "kafka-symmetrical-26061", "heroku-kafka", "heroku-kafka:basic-0", ["KAFKA"], Requests.Prefix);
    private static readonly AppAddon Postgres = new(Guid.Parse("0a2c7e8e-3ad4-4d6b-9b0e-5f3b2f0f7c11"), "postgresql-shallow-123", "heroku-postgresql", "heroku-postgresql:essential-0", ["DATABASE"]);

    private static PlanningContext Context() => new(
        Requests.App,
        AppExists: true,
        [Kafka, Postgres],
        Requests.Formation,
        [Requests.Orders, Requests.Payments],
        ["billing", "shipping"],
        [],
        ["global"],
        KafkaPlanLimits.ForPlan("heroku-kafka:standard-0"),
        []);

    private static MigrationRequest Request() => new(
        Requests.App, "KAFKA", "standard-0", MigrationStrategy.MaintenanceWindow, ["producer"], ["consumer"], TimeSpan.FromHours(1));

    [Fact]
    public void A_sound_request_is_accepted_and_handed_to_the_builder()
    {
        var result = PlanValidator.Validate(Context(), Request());

        Assert.Empty(result.Refusals);
        Assert.True(result.IsValid);
        var request = result.Request!;
        Assert.Equal("heroku-kafka:standard-0", request.TargetPlan);
        Assert.False(request.TargetMultiTenant);
        Assert.Equal(Requests.SourceId, request.Source.Id);
        Assert.Equal(Requests.Prefix, request.Source.TopicPrefix);
        Assert.Equal(["billing", "shipping"], request.ConsumerGroups);
        Assert.Empty(PlanInvariants.Check(MigrationPlanBuilder.Build(request)));
    }

    [Fact]
    public void Unknown_app_is_refused()
    {
        var result = PlanValidator.Validate(PlanningContext.UnknownApp("mackerel", [], ["global"]), Request());

        AssertRefused(result, RefusalCodes.UnknownApp, "'mackerel'");
    }

    [Fact]
    public void Source_add_on_that_is_not_Kafka_is_refused()
    {
        var result = PlanValidator.Validate(Context(), Request() with { SourceAttachment = "DATABASE" });

        AssertRefused(result, RefusalCodes.SourceNotKafka, "postgresql-shallow-123");
    }

    [Fact]
    public void Source_attachment_that_does_not_exist_is_refused()
    {
        var result = PlanValidator.Validate(Context(), Request() with { SourceAttachment = "HEROKU_KAFKA_RED" });

        AssertRefused(result, RefusalCodes.SourceNotFound, "HEROKU_KAFKA_RED");
    }

    [Theory]
    [InlineData("basic-0")]
    [InlineData("heroku-kafka:basic-0")]
    [InlineData(" HEROKU-KAFKA:Basic-0 ")]
    public void Target_plan_equal_to_the_sources_is_refused(string target)
    {
        var result = PlanValidator.Validate(Context(), Request() with { TargetPlan = target });

        AssertRefused(result, RefusalCodes.SameTargetPlan, "heroku-kafka:basic-0");
    }

    [Fact]
    public void Target_plan_of_another_service_is_refused()
    {
        var result = PlanValidator.Validate(Context() with { TargetLimits = KafkaPlanLimits.Unknown }, Request() with { TargetPlan = "heroku-redis:mini" });

        AssertRefused(result, RefusalCodes.TargetNotKafka, "heroku-redis:mini");
    }

    [Fact]
    public void No_producer_process_type_is_refused()
    {
        var result = PlanValidator.Validate(Context(), Request() with { ProducerProcessTypes = [] });

        AssertRefused(result, RefusalCodes.NoProducers, "producer");
    }

    [Fact]
    public void No_consumer_process_type_is_refused()
    {
        var result = PlanValidator.Validate(Context(), Request() with { ConsumerProcessTypes = [] });

        AssertRefused(result, RefusalCodes.NoConsumers, "consumer");
    }

    [Fact]
    public void Process_type_the_app_does_not_have_is_refused()
    {
        var result = PlanValidator.Validate(Context(), Request() with { ConsumerProcessTypes = ["listener"] });

        AssertRefused(result, RefusalCodes.UnknownProcessType, "'listener'");
    }

    [Fact]
    public void Maintenance_window_refuses_a_type_that_both_produces_and_consumes_but_double_write_accepts_it()
    {
        var both = Request() with { ProducerProcessTypes = ["producer", "consumer"] };

        AssertRefused(PlanValidator.Validate(Context(), both), RefusalCodes.ProcessTypeInBothRoles, "'consumer'");
        Assert.True(PlanValidator.Validate(Context(), both with { Strategy = MigrationStrategy.DoubleWrite }).IsValid);
    }

    [Fact]
    public void Mirror_accepts_a_type_that_both_produces_and_consumes_and_plans_a_safe_run()
    {
        var both = Request() with { Strategy = MigrationStrategy.Mirror, ProducerProcessTypes = ["producer", "consumer"] };

        var result = PlanValidator.Validate(Context(), both);

        Assert.True(result.IsValid, string.Join("; ", result.Refusals.Select(r => r.Message)));
        Assert.Equal(MigrationStrategy.Mirror, result.Request!.Strategy);
        Assert.Empty(PlanInvariants.Check(MigrationPlanBuilder.Build(result.Request)));
    }

    [Fact]
    public void Mirror_refuses_a_target_that_cannot_keep_every_topics_partition_count()
    {
        var mirror = Request() with { Strategy = MigrationStrategy.Mirror };
        var tooWide = Context() with { SourceTopics = [Requests.Orders with { Partitions = 300 }] };
        var tooMany = Context() with
        {
            Addons = [Kafka with { Plan = "heroku-kafka:standard-0", TopicPrefix = null }],
            SourceTopics = [Requests.Orders with { Partitions = 200 }, Requests.Payments with { Partitions = 100 }],
            TargetLimits = KafkaPlanLimits.ForPlan("basic-0"),
        };

        AssertRefused(PlanValidator.Validate(tooWide, mirror), RefusalCodes.TargetPartitionsPerTopic, "same partition number");
        AssertRefused(PlanValidator.Validate(tooMany, mirror with { TargetPlan = "basic-0" }), RefusalCodes.TargetTotalPartitions, "300 partitions");
    }

    [Theory]
    [InlineData("OLD_KAFKA")]
    [InlineData("NEW_KAFKA")]
    public void Mirror_refuses_when_an_attachment_name_it_needs_is_taken(string name)
    {
        var context = Context() with { Addons = [Kafka, Postgres with { AttachmentNames = ["DATABASE", name] }] };

        AssertRefused(PlanValidator.Validate(context, Request() with { Strategy = MigrationStrategy.Mirror }), RefusalCodes.AttachmentNameInUse, name);
    }

    [Fact]
    public void Another_active_migration_of_the_app_is_refused()
    {
        var runId = Guid.Parse("c0ffee00-0000-4000-8000-000000000001");
        var context = Context() with { ActiveMigrations = [new(runId, "kafka-symmetrical-26061", "heroku-kafka:standard-1", MigrationRunStatus.AwaitingApproval)] };

        AssertRefused(PlanValidator.Validate(context, Request()), RefusalCodes.MigrationAlreadyActive, runId.ToString());
    }

    [Fact]
    public void Target_with_fewer_topics_than_the_source_is_refused()
    {
        var context = Context() with { TargetLimits = new KafkaPlanLimits(MaxTopics: 1) };

        AssertRefused(PlanValidator.Validate(context, Request()), RefusalCodes.TargetTooFewTopics, "2 topics");
    }

    [Fact]
    public void Topic_with_more_partitions_than_a_dedicated_target_allows_is_refused()
    {
        var context = Context() with { SourceTopics = [Requests.Orders with { Partitions = 300 }] };

        AssertRefused(PlanValidator.Validate(context, Request()), RefusalCodes.TargetPartitionsPerTopic, "'orders' has 300 partitions");
    }

    [Fact]
    public void More_partitions_than_a_basic_plan_holds_is_refused()
    {
        var context = Context() with
        {
            Addons = [Kafka with { Plan = "heroku-kafka:standard-0", TopicPrefix = null }],
            SourceTopics = [Requests.Orders with { Partitions = 200 }, Requests.Payments with { Partitions = 100 }],
            TargetLimits = KafkaPlanLimits.ForPlan("basic-0"),
        };

        AssertRefused(PlanValidator.Validate(context, Request() with { TargetPlan = "basic-0" }), RefusalCodes.TargetTotalPartitions, "300 partitions");
    }

    [Fact]
    public void Retention_longer_than_the_target_keeps_is_refused()
    {
        var context = Context() with { SourceTopics = [Requests.Orders with { RetentionTimeMs = (long)TimeSpan.FromDays(21).TotalMilliseconds }] };

        AssertRefused(PlanValidator.Validate(context, Request()), RefusalCodes.TargetRetentionTooLong, "21 days");
        // An extended plan keeps six weeks: the same topic fits.
        Assert.True(PlanValidator.Validate(context with { TargetLimits = KafkaPlanLimits.ForPlan("extended-0") }, Request() with { TargetPlan = "extended-0" }).IsValid);
    }

    [Fact]
    public void Retention_shorter_than_the_target_keeps_is_raised_to_its_minimum_and_said_so()
    {
        var context = Context() with { SourceTopics = [Requests.Orders with { RetentionTimeMs = (long)TimeSpan.FromHours(2).TotalMilliseconds }] };

        var validation = PlanValidator.Validate(context, Request());

        Assert.True(validation.IsValid, string.Join("; ", validation.Refusals.Select(r => r.Message)));
        var plan = MigrationPlanBuilder.Build(validation.Request!);
        var sixHours = (long)TimeSpan.FromHours(6).TotalMilliseconds;
        Assert.Contains(plan.Warnings, w => w.Contains("keeps messages for 2 hours", StringComparison.Ordinal) && w.Contains("at least 6 hours, so it is created there with that", StringComparison.Ordinal));
        Assert.Contains($"--retention-time {sixHours}", plan.Steps.Single(s => s.Action is CreateTopics).CliCommand);
        // What the run sends is decided from the limits the new add-on reports, here Heroku's published ones.
        var orders = Assert.Single(((CreateTopics)plan.Steps.Single(s => s.Action is CreateTopics).Action).Topics);
        Assert.Equal(sixHours, KafkaPlanLimits.ForPlan(Request().TargetPlan).RetentionToSend(orders, multiTenant: false));
        // The retention wait still counts the old add-on's retention: that is what it must outlast.
        Assert.Equal(TimeSpan.FromHours(2), Assert.IsType<WaitForRetention>(MigrationPlanBuilder.Build(validation.Request! with { Strategy = MigrationStrategy.DoubleWrite })
            .Steps.Single(s => s.Action is WaitForRetention).Action).LargestRetention);
    }

    [Fact]
    public void A_basic_target_raises_a_demo_length_retention_to_a_day_and_says_so()
    {
        var context = Context() with
        {
            SourceTopics = [Requests.Orders with { RetentionTimeMs = (long)TimeSpan.FromMinutes(2).TotalMilliseconds }],
            TargetLimits = KafkaPlanLimits.ForPlan("basic-1"),
        };

        var validation = PlanValidator.Validate(context, Request() with { TargetPlan = "basic-1" });

        Assert.True(validation.IsValid, string.Join("; ", validation.Refusals.Select(r => r.Message)));
        var plan = MigrationPlanBuilder.Build(validation.Request!);
        Assert.Contains(plan.Warnings, w => w.Contains("keeps messages for 2 minutes", StringComparison.Ordinal) && w.Contains("at least 1 day", StringComparison.Ordinal));
        var orders = Assert.Single(((CreateTopics)plan.Steps.Single(s => s.Action is CreateTopics).Action).Topics);
        Assert.Equal((long)TimeSpan.FromDays(1).TotalMilliseconds, KafkaPlanLimits.ForPlan("basic-1").RetentionToSend(orders, multiTenant: true));
    }

    [Fact]
    public void Replication_factor_outside_a_dedicated_targets_range_is_refused()
    {
        var context = Context() with { SourceTopics = [Requests.Orders with { ReplicationFactor = 2 }] };

        AssertRefused(PlanValidator.Validate(context, Request()), RefusalCodes.TargetReplicationFactor, "replication factor 2");
    }

    [Theory]
    [InlineData("read", "write")]
    [InlineData("identity")]
    [InlineData]
    public void Token_without_write_protected_or_global_scope_is_refused(params string[] scopes)
    {
        var result = PlanValidator.Validate(Context() with { TokenScopes = scopes }, Request());

        AssertRefused(result, RefusalCodes.MissingTokenScope, "write-protected");
        Assert.True(PlanValidator.Validate(Context() with { TokenScopes = ["read", "write-protected"] }, Request()).IsValid);
    }

    [Fact]
    public void Attachment_name_the_plan_needs_being_taken_is_refused()
    {
        var context = Context() with { Addons = [Kafka, Postgres with { AttachmentNames = ["DATABASE", "OLD_KAFKA"] }] };

        AssertRefused(PlanValidator.Validate(context, Request()), RefusalCodes.AttachmentNameInUse, "postgresql-shallow-123");
    }

    [Fact]
    public void An_add_on_already_named_as_the_plan_names_the_new_one_is_refused()
    {
        var leftover = new AppAddon(Guid.NewGuid(), MigrationPlanBuilder.TargetAddonName(Requests.App, Requests.SourceId), "heroku-kafka", "heroku-kafka:standard-0", []);
        var context = Context() with { Addons = [Kafka, Postgres, leftover] };

        AssertRefused(PlanValidator.Validate(context, Request()), RefusalCodes.TargetNameInUse, leftover.Name);
        Assert.Equal("mackerel-kafka-6c2b3a52", leftover.Name);
    }

    [Fact]
    public void No_known_consumer_group_is_refused_unless_the_user_names_them()
    {
        var context = Context() with { SourceConsumerGroups = [] };

        AssertRefused(PlanValidator.Validate(context, Request()), RefusalCodes.NoConsumerGroups, "kafka-symmetrical-26061");
        var named = PlanValidator.Validate(context, Request() with { ConsumerGroups = [Requests.Prefix + "billing"] });
        Assert.True(named.IsValid);
        Assert.Equal(["billing"], named.Request!.ConsumerGroups);
    }

    [Fact]
    public void Source_that_could_not_be_read_is_refused_with_the_reason()
    {
        var context = Context() with { ReadProblems = ["The Kafka data API refused to list the topics of kafka-symmetrical-26061: Forbidden."] };

        AssertRefused(PlanValidator.Validate(context, Request()), RefusalCodes.SourceUnreadable, "Forbidden");
    }

    private static void AssertRefused(PlanValidationResult result, string code, string cause)
    {
        Assert.False(result.IsValid);
        Assert.Null(result.Request);
        var refusal = Assert.Single(result.Refusals);
        Assert.Equal(code, refusal.Code);
        Assert.Contains(cause, refusal.Message, StringComparison.Ordinal);
    }
}
