using Confluent.Kafka;
using KafkaMigrationPortal.AppClient;
using KafkaMigrationPortal.Sandbox.Kafka;

namespace KafkaMigrationPortal.Sandbox.Tests.Kafka;

/// <summary>
/// Heroku has no topic auto-creation: a client naming a topic the data API has not created gets "unknown topic", and the
/// topic does not come into being. librdkafka's mock would create it; the TLS front forbids that.
/// </summary>
public sealed class NoAutoCreationTests(SandboxKafkaClustersFixture fixture) : IClassFixture<SandboxKafkaClustersFixture>
{
    private static readonly TimeSpan MetadataTimeout = TimeSpan.FromSeconds(10);

    private static IAdminClient Admin(SandboxKafkaCluster cluster) =>
        new AdminClientBuilder(KafkaTestKit.Attachment(cluster).AdminClientConfig()).SetLogHandler((_, _) => { }).Build();

    [Fact]
    public async Task Producing_to_a_topic_nobody_created_fails_and_creates_nothing()
    {
        var cluster = fixture.NewCluster(brokers: 3);
        cluster.CreateTopic("orders", partitions: 2, replicationFactor: 3);
        var vars = KafkaTestKit.AttachmentVars("KAFKA", cluster);
        using var producer = MultiAddonProducer.FromConfigVars(vars, config => config.MessageTimeoutMs = 3_000);

        var refused = (await producer.ProduceAsync("not-created", "n-1", [1])).Single();
        var accepted = (await producer.ProduceAsync("orders", "o-1", [1])).Single();

        Assert.False(refused.Delivered);
        Assert.True(accepted.Delivered, accepted.Error);
        using var admin = Admin(cluster);
        var topic = admin.GetMetadata("not-created", MetadataTimeout).Topics.Single();
        Assert.Equal(ErrorCode.UnknownTopicOrPart, topic.Error.Code);
        Assert.DoesNotContain(admin.GetMetadata(MetadataTimeout).Topics, t => t.Topic == "not-created");
    }

    [Fact]
    public void A_consumer_that_allows_auto_creation_is_told_the_topic_is_unknown_and_it_is_not_created()
    {
        var cluster = fixture.NewCluster(brokers: 1);
        var config = new ConsumerConfig { GroupId = "auto-create-probe", AllowAutoCreateTopics = true };
        cluster.ApplyClientSettings(config);
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(config).SetLogHandler((_, _) => { }).Build();
        consumer.Subscribe("wished-for");
        var error = Assert.Throws<ConsumeException>(() => consumer.Consume(TimeSpan.FromSeconds(5)));

        Assert.Equal(ErrorCode.UnknownTopicOrPart, error.Error.Code);

        using var admin = Admin(cluster);
        Assert.DoesNotContain(admin.GetMetadata(MetadataTimeout).Topics, t => t.Topic == "wished-for");
    }

    [Fact]
    public async Task The_switch_off_restores_the_mocks_auto_creation()
    {
        var options = KafkaTestKit.FastOptions();
        options.RefuseTopicAutoCreation = false;
        using var clusters = new SandboxKafkaClusters(options);
        var cluster = clusters.Create(Guid.NewGuid(), 1);
        using var producer = MultiAddonProducer.FromConfigVars(KafkaTestKit.AttachmentVars("KAFKA", cluster));

        var report = (await producer.ProduceAsync("made-on-use", "m-1", [1])).Single();

        Assert.True(report.Delivered, report.Error);
    }
}
