using KafkaMigrationPortal.Engine.Execution;
using KafkaMigrationPortal.Engine.Planning;

namespace KafkaMigrationPortal.Tests.Planning;

/// <summary>The validator's checks of a target's quota, capacity, replication and cleanup policy (facts sheet §4, §5).</summary>
public sealed class TargetFitTests
{
    private const long KiB = 1024;
    private const long GiB = 1024L * 1024 * 1024;
    private static readonly AppAddon Kafka = new(Requests.SourceId, "kafka-symmetrical-26061", "heroku-kafka", "heroku-kafka:extended-2", ["KAFKA"]);

    private static PlanningContext Context(string targetPlan, params TopicSpec[] topics) => new(
        Requests.App, AppExists: true, [Kafka], Requests.Formation, topics.Length == 0 ? [Requests.Orders] : topics, ["billing"], [], ["global"],
        KafkaPlanLimits.ForPlan(targetPlan), []);

    private static MigrationRequest Request(string targetPlan) => new(
        Requests.App, "KAFKA", targetPlan, MigrationStrategy.DoubleWrite, ["producer"], ["consumer"], TimeSpan.FromHours(1));

    private static PlanRefusal Refused(PlanValidationResult result, string code)
    {
        Assert.False(result.IsValid);
        return Assert.Single(result.Refusals, r => r.Code == code);
    }

    [Fact]
    public void Writes_beyond_a_basic_targets_produce_quota_are_refused_with_both_rates()
    {
        var context = Context("basic-0") with { SourceLoad = new SourceLoad(200 * KiB, null) };

        var refusal = Refused(PlanValidator.Validate(context, Request("basic-0")), RefusalCodes.TargetProduceQuota);
        Assert.Contains("200 KB/s", refusal.Message);
        Assert.Contains("64 KB/s", refusal.Message);
        // basic-2 takes 4096 KB/s: the same load fits.
        Assert.True(PlanValidator.Validate(Context("basic-2") with { SourceLoad = context.SourceLoad }, Request("basic-2")).IsValid);
    }

    [Fact]
    public void More_data_than_a_basic_target_holds_is_refused_with_both_sizes()
    {
        var context = Context("basic-0") with { SourceLoad = new SourceLoad(null, 5 * GiB) };

        var refusal = Refused(PlanValidator.Validate(context, Request("basic-0")), RefusalCodes.TargetDataSize);
        Assert.Contains("holds 5 GB", refusal.Message);
        Assert.Contains("holds 4 GB", refusal.Message);
        Assert.True(PlanValidator.Validate(Context("basic-1") with { SourceLoad = context.SourceLoad }, Request("basic-1")).IsValid);
    }

    [Fact]
    public void A_standard_target_takes_replication_up_to_three_and_an_extended_one_up_to_eight()
    {
        var topic = Requests.Orders with { ReplicationFactor = 5 };

        var refusal = Refused(PlanValidator.Validate(Context("standard-0", topic), Request("standard-0")), RefusalCodes.TargetReplicationFactor);
        Assert.Contains("accepts 3–3", refusal.Message);
        Assert.True(PlanValidator.Validate(Context("extended-0", topic), Request("extended-0")).IsValid);
    }

    [Fact]
    public void Compaction_with_time_retention_is_refused_where_the_target_does_not_support_mixed_cleanup()
    {
        var withRetention = Requests.Customers with { RetentionTimeMs = 86_400_000 };
        var context = Context("standard-1", withRetention) with { TargetLimits = KafkaPlanLimits.ForPlan("standard-1") with { SupportsMixedCleanupPolicy = false } };

        var refusal = Refused(PlanValidator.Validate(context, Request("standard-1")), RefusalCodes.TargetMixedCleanup);
        Assert.Contains("'customers' is compacted", refusal.Message);
        Assert.Contains("supports_mixed_cleanup_policy is false", refusal.Message);
        // Compacted without time retention needs no mixed policy on a dedicated target; where it is supported, both are fine.
        Assert.True(PlanValidator.Validate(context with { SourceTopics = [Requests.Customers] }, Request("standard-1")).IsValid);
        Assert.True(PlanValidator.Validate(context with { TargetLimits = context.TargetLimits with { SupportsMixedCleanupPolicy = true } }, Request("standard-1")).IsValid);
    }

    [Fact]
    public void A_multi_tenant_target_always_gets_a_retention_so_a_compacted_topic_needs_mixed_cleanup_there()
    {
        var context = Context("basic-1", Requests.Customers) with
        {
            TargetLimits = KafkaPlanLimits.ForPlan("basic-1") with { SupportsMixedCleanupPolicy = false, DefaultRetentionMs = 86_400_000 },
        };

        var refusal = Refused(PlanValidator.Validate(context, Request("basic-1")), RefusalCodes.TargetMixedCleanup);
        Assert.Contains("multi-tenant", refusal.Message);
        Assert.Equal(86_400_000, context.TargetLimits.RetentionToSend(Requests.Customers, multiTenant: true));
        Assert.Null(context.TargetLimits.RetentionToSend(Requests.Customers, multiTenant: false));
    }

    [Fact]
    public void Internal_topics_are_not_counted_against_the_target()
    {
        var context = Context("standard-0", Requests.Orders, new TopicSpec("__consumer_offsets", 50, 1, null, true));

        Assert.Empty(TargetFit.Check(context.SourceTopics, context.TargetLimits with { MaxTopics = 1 }, "heroku-kafka:standard-0", multiTenant: false));
    }
}
