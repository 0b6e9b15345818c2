using KafkaMigrationPortal.Engine.Planning;
using KafkaMigrationPortal.Heroku.Kafka;

namespace KafkaMigrationPortal.Tests.Planning;

public sealed class KafkaPlansTests
{
    [Theory]
    [InlineData("basic-0", 240)]
    [InlineData("heroku-kafka:basic-1", 480)]
    [InlineData("basic-2", 960)]
    public void Basic_plans_are_multi_tenant_with_their_partition_capacity(string plan, int partitions)
    {
        Assert.True(KafkaPlans.IsMultiTenant(plan));
        Assert.Equal(partitions, KafkaPlanLimits.ForPlan(plan).MaxTotalPartitions);
    }

    [Theory]
    [InlineData("standard-0", 14)]
    [InlineData("heroku-kafka:private-standard-2", 14)]
    [InlineData("extended-1", 42)]
    [InlineData("shield-extended-0", 42)]
    public void Dedicated_plans_keep_6_hours_to_2_or_6_weeks_and_1_to_256_partitions_per_topic(string plan, int maxRetentionDays)
    {
        var limits = KafkaPlanLimits.ForPlan(plan);

        Assert.False(KafkaPlans.IsMultiTenant(plan));
        Assert.Equal((long)TimeSpan.FromHours(6).TotalMilliseconds, limits.MinRetentionMs);
        Assert.Equal((long)TimeSpan.FromDays(maxRetentionDays).TotalMilliseconds, limits.MaxRetentionMs);
        Assert.Equal((1, 256), (limits.MinPartitionsPerTopic, limits.MaxPartitionsPerTopic));
    }

    [Fact]
    public void Cluster_info_overrides_published_limits_where_it_says_something()
    {
        var limits = KafkaPlanLimits.FromClusterInfo("basic-0", new KafkaClusterLimits(MaxTopics: 40, MaxPartitionReplicaCount: 720, MinimumRetentionMs: 86_400_000, DefaultRetentionMs: null, DataSize: null));

        Assert.Equal(40, limits.MaxTopics);
        Assert.Equal(720, limits.MaxPartitionReplicas);
        Assert.Equal(86_400_000, limits.MinRetentionMs);
        Assert.Equal(240, limits.MaxTotalPartitions);
    }

    [Theory]
    [InlineData("heroku-kafka:basic-0-sandbox", "heroku-kafka:basic-0", true)]
    [InlineData("standard-0-sandbox", "heroku-kafka:standard-0", false)]
    public void Sandbox_only_plans_have_their_real_twins_limits_but_no_published_minimum_retention(string plan, string real, bool multiTenant)
    {
        Assert.True(KafkaPlans.IsSandboxOnly(plan));
        Assert.False(KafkaPlans.IsSandboxOnly(real));
        Assert.Equal(real, KafkaPlans.RealPlan(plan));
        Assert.Equal(multiTenant, KafkaPlans.IsMultiTenant(plan));
        Assert.Equal(KafkaPlanLimits.ForPlan(real) with { MinRetentionMs = null }, KafkaPlanLimits.ForPlan(plan));
        // Once provisioned, what the cluster reports (the sandbox's seconds) is the limit.
        Assert.Equal(1_000, KafkaPlanLimits.FromClusterInfo(plan, new KafkaClusterLimits(MinimumRetentionMs: 1_000)).MinRetentionMs);
    }

    [Fact]
    public void Unknown_plans_check_nothing_rather_than_guess()
    {
        Assert.Equal(KafkaPlanLimits.Unknown, KafkaPlanLimits.ForPlan("heroku-kafka:beta-3"));
        Assert.False(KafkaPlans.IsKafkaPlan("heroku-postgresql:essential-0"));
    }

    [Fact]
    public void Process_roles_are_guessed_from_type_names()
    {
        var (producers, consumers) = ProcessTypeRoles.Guess(["web", "order_producer", "event-consumer", "publisher", "clock", "listener"]);

        Assert.Equal(["order_producer", "publisher"], producers);
        Assert.Equal(["event-consumer", "listener"], consumers);
    }
}
