using KafkaMigrationPortal.Engine.Mirroring;
using KafkaMigrationPortal.Engine.Planning;
using KafkaMigrationPortal.Tests.Planning;

namespace KafkaMigrationPortal.Tests.Mirroring;

public sealed class MirrorMaker2ConfigTests
{
    private static MigrationPlan DedicatedToDedicated() => MigrationPlanBuilder.Build(Requests.DoubleWriteToMultiTenant() with
    {
        TargetPlan = "heroku-kafka:extended-0",
        TargetMultiTenant = false,
    });

    [Fact]
    public void Between_dedicated_plans_it_copies_the_plans_topics_under_their_own_names_leaves_positions_to_the_portal_and_holds_no_secret()
    {
        var config = MirrorMaker2Config.For(DedicatedToDedicated());

        Assert.Null(config.Refusal);
        var lines = config.Properties!.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        Assert.Contains("old->new.topics = customers|orders|payments", lines);
        Assert.Contains("new->old.enabled = false", lines);
        Assert.Contains("replication.policy.class = org.apache.kafka.connect.mirror.IdentityReplicationPolicy", lines);
        // The portal carries positions exactly; MirrorMaker 2's own sync would later move a group back onto read records.
        Assert.Contains("sync.group.offsets.enabled = false", lines);
        Assert.Contains("emit.checkpoints.enabled = false", lines);
        Assert.Contains("emit.heartbeats.enabled = true", lines);
        Assert.Contains("offset-syncs.topic.location = target", lines);
        Assert.Contains("old.consumer.isolation.level = read_committed", lines);
        Assert.Contains("tasks.max = 14", lines); // 8 + 4 + 2 partitions
        Assert.Contains("old.ssl.keystore.key = <KAFKA_CLIENT_CERT_KEY as unencrypted PKCS#8, on one line>", lines);
        Assert.Contains("new.bootstrap.servers = <NEW_KAFKA_URL without the kafka+ssl:// of each broker>", lines);
        Assert.DoesNotContain(lines, l => l.Contains("BEGIN", StringComparison.Ordinal) || l.Contains("kafka+ssl://ec2", StringComparison.Ordinal));
        // MirrorMaker 2 names the offset-syncs topic after the other cluster's alias: the source's, when it is on the target.
        Assert.Equal(["heartbeats", "mm2-offset-syncs.old.internal", "mm2-configs.old.internal", "mm2-offsets.old.internal", "mm2-status.old.internal"],
            config.TopicsToCreate.Select(t => t.Name));
        Assert.All(config.TopicsToCreate, t => Assert.True(t.Compacted && t.RetentionTimeMs is null, t.Name));
    }

    [Fact]
    public void A_basic_plan_on_either_side_gets_no_configuration_but_the_reason()
    {
        var fromBasic = MirrorMaker2Config.For(MigrationPlanBuilder.Build(Requests.MaintenanceToDedicated()));
        var toBasic = MirrorMaker2Config.For(MigrationPlanBuilder.Build(Requests.DoubleWriteToMultiTenant()));

        foreach (var config in new[] { fromBasic, toBasic })
        {
            Assert.Null(config.Properties);
            Assert.Empty(config.TopicsToCreate);
            Assert.Contains("custom ReplicationPolicy", config.Refusal);
        }
    }

    [Fact]
    public void A_plan_with_MirrorMaker_2_creates_its_topics_with_the_apps_and_says_when_to_start_and_stop_it()
    {
        var plan = MigrationPlanBuilder.Build(Requests.DoubleWriteToMultiTenant() with
        {
            TargetPlan = "heroku-kafka:extended-0",
            TargetMultiTenant = false,
            Strategy = MigrationStrategy.Mirror,
            MirrorEngine = MirrorEngine.MirrorMaker2,
        });

        Assert.Equal(MirrorEngine.MirrorMaker2, plan.MirrorEngine);
        var create = Assert.Single(plan.Steps, s => s.Action is CreateTopics);
        Assert.Equal(plan.Topics.Select(t => t.Name).Concat(MirrorMaker2Config.InternalTopics.Select(t => t.Name)),
            ((CreateTopics)create.Action).Topics.Select(t => t.Name));
        Assert.Contains("heroku kafka:topics:create mm2-offset-syncs.old.internal", create.CliCommand);
        Assert.Equal("Start MirrorMaker 2", Assert.Single(plan.Steps, s => s.Action is StartMirror).Title);
        Assert.StartsWith("connect-mirror-maker.sh mm2.properties", Assert.Single(plan.Steps, s => s.Action is StartMirror).CliCommand);
        Assert.Equal("Stop MirrorMaker 2", Assert.Single(plan.Steps, s => s.Action is StopMirror).Title);
        Assert.Empty(PlanInvariants.Check(plan));

        var portal = MigrationPlanBuilder.Build(Requests.DoubleWriteToMultiTenant() with
        {
            TargetPlan = "heroku-kafka:extended-0", TargetMultiTenant = false, Strategy = MigrationStrategy.Mirror,
        });
        Assert.Equal(plan.Topics.Select(t => t.Name), ((CreateTopics)portal.Steps.Single(s => s.Action is CreateTopics).Action).Topics.Select(t => t.Name));
    }
}
