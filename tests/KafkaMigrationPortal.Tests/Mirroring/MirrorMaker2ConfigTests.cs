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
    public void Between_dedicated_plans_it_copies_the_plans_topics_and_groups_under_their_own_names_and_holds_no_secret()
    {
        var config = MirrorMaker2Config.For(DedicatedToDedicated());

        Assert.Null(config.Refusal);
        var lines = config.Properties!.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        Assert.Contains("old->new.topics = customers|orders|payments", lines);
        Assert.Contains("old->new.groups = billing|shipping", lines);
        Assert.Contains("new->old.enabled = false", lines);
        Assert.Contains("replication.policy.class = org.apache.kafka.connect.mirror.IdentityReplicationPolicy", lines);
        Assert.Contains("sync.group.offsets.enabled = true", lines);
        Assert.Contains("tasks.max = 14", lines); // 8 + 4 + 2 partitions
        Assert.Contains("old.ssl.keystore.key = <KAFKA_CLIENT_CERT_KEY as unencrypted PKCS#8, on one line>", lines);
        Assert.Contains("new.bootstrap.servers = <NEW_KAFKA_URL without the kafka+ssl:// of each broker>", lines);
        Assert.DoesNotContain(lines, l => l.Contains("BEGIN", StringComparison.Ordinal) || l.Contains("kafka+ssl://ec2", StringComparison.Ordinal));
        Assert.Contains("mm2-offset-syncs.new.internal", config.TopicsToCreate);
        Assert.Contains("old.checkpoints.internal", config.TopicsToCreate);
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
}
