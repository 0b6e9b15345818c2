using System.Net;
using System.Text.Json.Nodes;
using KafkaMigrationPortal.Heroku.Kafka;
using KafkaMigrationPortal.Heroku.Tests.Infrastructure;

namespace KafkaMigrationPortal.Heroku.Tests.Kafka;

/// <summary>
/// The Kafka data API is not in the Platform API schema: its requests are checked for the shapes the heroku-kafka CLI
/// plugin sends, and recorded example answers for the fields the portal reads.
/// </summary>
public sealed class KafkaDataApiTests : IAsyncLifetime
{
    private const string Cluster = "2e0a7c1d-9b3f-4d6e-8a5c-1f2e3d4c5b6a";
    private const string Root = $"/data/kafka/v0/clusters/{Cluster}";
    private HerokuClientHarness harness = null!;

    public async Task InitializeAsync() => harness = await HerokuClientHarness.StartAsync();

    public async Task DisposeAsync() => await harness.DisposeAsync();

    private void Answer(int status, string json) =>
        harness.Server.Respond = (context, _, _) => LoopbackHerokuServer.WriteJsonAsync(context, status, json);

    private RecordedRequest Sent(string method, string path)
    {
        var request = Assert.Single(harness.Server.Requests);
        Assert.Equal((method, path), (request.Method, request.Path));
        Assert.Equal($"Bearer {HerokuClientHarness.Token}", request.Header("Authorization"));
        return request;
    }

    [Fact]
    public async Task Cluster_info_reads_limits_prefix_and_sharing()
    {
        Answer(200, Examples.Text("kafka-cluster.json"));
        var cluster = await harness.Kafka.GetClusterAsync(Cluster);
        Sent("GET", Root);
        Assert.Equal(("columbia-12345.", true, 40, 86400000L, 4294967296L, "3.7.1"),
            (cluster.TopicPrefix, cluster.SharedCluster, cluster.Limits?.MaxTopics, cluster.Limits?.DefaultRetentionMs,
             cluster.Limits?.DataSize?.LimitBytes, cluster.VersionText));
    }

    [Fact]
    public async Task Cluster_info_reads_every_limit_the_plugin_reads_and_a_version_list()
    {
        Answer(200, Examples.Text("kafka-cluster-dedicated.json"));
        var cluster = await harness.Kafka.GetClusterAsync(Cluster);
        var limits = cluster.Limits!;
        Assert.Equal((false, "3.7.1", 1073741824L, false),
            (cluster.SharedCluster, cluster.VersionText, cluster.DataSizeBytes, cluster.Capabilities?.SupportsMixedCleanupPolicy));
        Assert.Equal((21600000L, 1209600000L, 3, 3, 256, 12000, 36000, 161061273600L),
            (limits.MinimumRetentionMs, limits.MaximumRetentionMs, limits.MinimumReplication, limits.MaximumReplication,
             limits.MaxPartitionsPerTopic, limits.MaxTotalPartitions, limits.MaxPartitionReplicaCount, limits.DataSize?.LimitBytes));
        Assert.Null(limits.ProduceQuotaBytesPerSecond);
    }

    [Fact]
    public async Task Cluster_info_with_empty_limits_and_no_optional_members_still_reads()
    {
        Answer(200, """{"limits":{}}""");
        var cluster = await harness.Kafka.GetClusterAsync(Cluster);
        Assert.Equal(new KafkaClusterLimits(), cluster.Limits);
        Assert.Null(cluster.SharedCluster);
        Assert.Null(cluster.VersionText);
        Assert.Null(cluster.TopicPrefix);
        Assert.Null(cluster.Capabilities);
        Assert.Null(cluster.DataSizeBytes);
    }

    [Fact]
    public async Task Cluster_info_404_while_provisioning_is_a_typed_not_found()
    {
        Answer(404, """{"id":"not_found","message":"Cluster not found"}""");
        var error = await Assert.ThrowsAsync<HerokuApiException>(() => harness.Kafka.GetClusterAsync(Cluster));
        Assert.True(error.IsNotFound);
    }

    [Fact]
    public async Task Wait_status_reads_question_mark_fields()
    {
        Answer(200, Examples.Text("kafka-wait-status.json"));
        var status = await harness.Kafka.GetWaitStatusAsync(Cluster);
        Sent("GET", $"{Root}/wait_status");
        Assert.Equal((true, false, "provisioning, about 5 minutes remain"), (status.Waiting, status.Healthy, status.Message));
    }

    [Fact]
    public async Task Topics_list()
    {
        Answer(200, Examples.Text("kafka-topics.json"));
        var topics = await harness.Kafka.ListTopicsAsync(Cluster);
        Sent("GET", $"{Root}/topics");
        Assert.Equal([("orders", 8, false, 86400000L), ("order-state", 8, true, (long?)null)],
            topics.Topics.Select(t => (t.Name, t.Partitions, t.Compaction, t.RetentionTimeMs)));
    }

    [Fact]
    public async Task Topics_list_with_kafkas_internal_topic_reads_and_app_topics_leave_it_out()
    {
        // As the heroku-kafka plugin's fixtures show it: name and throughput, no partitions or replication.
        Answer(200, """
            {"prefix":"", "limits":{"max_topics":40}, "topics":[
              {"name":"__consumer_offsets","messages_in_per_second":0.5,"bytes_in_per_second":12.0,"bytes_out_per_second":0},
              {"name":"orders","prefix":"","partitions":0,"replication_factor":3,"retention_time_ms":86400000,"compaction":false,
               "messages_in_per_second":0,"bytes_in_per_second":0,"bytes_out_per_second":0}]}
            """);

        var topics = await harness.Kafka.ListTopicsAsync(Cluster);

        Assert.Equal(["__consumer_offsets", "orders"], topics.Topics.Select(t => t.Name));
        Assert.Equal([("orders", 0)], topics.AppTopics().Select(t => (t.Name, t.Partitions)));
        Assert.True(KafkaInternalTopics.IsInternal("__transaction_state"));
        Assert.False(KafkaInternalTopics.IsInternal("_orders"));
    }

    [Fact]
    public async Task Create_topic_sends_the_cli_shape()
    {
        Answer(200, "{}");
        await harness.Kafka.CreateTopicAsync(Cluster, new KafkaTopicCreate("orders", 8, 3, 86400000, Compaction: false));
        var body = JsonNode.Parse(Sent("POST", $"{Root}/topics").Body);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            {"topic":{"name":"orders","partition_count":8,"replication_factor":3,"retention_time_ms":86400000,"compaction":false}}
            """), body));
    }

    [Fact]
    public async Task Update_topic_puts_all_three_values()
    {
        Answer(200, "{}");
        await harness.Kafka.UpdateTopicAsync(Cluster, new KafkaTopicUpdate("orders", 172800000, false, 3));
        var body = JsonNode.Parse(Sent("PUT", $"{Root}/topics/orders").Body);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            {"topic":{"name":"orders","retention_time_ms":172800000,"compaction":false,"replication_factor":3}}
            """), body));
    }

    [Fact]
    public async Task Delete_topic()
    {
        Answer(200, "{}");
        await harness.Kafka.DeleteTopicAsync(Cluster, "orders");
        Sent("DELETE", $"{Root}/topics/orders");
    }

    [Fact]
    public async Task Consumer_groups_list_create_and_delete()
    {
        Answer(200, Examples.Text("kafka-consumer-groups.json"));
        var groups = await harness.Kafka.ListConsumerGroupsAsync(Cluster);
        Sent("GET", $"{Root}/consumer_groups");
        Assert.Equal(["order-processors", "order-auditors"], groups.ConsumerGroups.Select(g => g.Name));

        await using var second = await HerokuClientHarness.StartAsync();
        second.Server.Respond = (context, _, _) => LoopbackHerokuServer.WriteJsonAsync(context, 200, "{}");
        Assert.Equal(ConsumerGroupCreation.Created, await second.Kafka.CreateConsumerGroupAsync(Cluster, "order-processors"));
        await second.Kafka.DeleteConsumerGroupAsync(Cluster, "order-processors");
        var requests = second.Server.Requests;
        Assert.Equal([("POST", $"{Root}/consumer_groups"), ("DELETE", $"{Root}/consumer_groups")], requests.Select(r => (r.Method, r.Path)));
        Assert.All(requests, r => Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"consumer_group":{"name":"order-processors"}}"""), JsonNode.Parse(r.Body))));
    }

    [Fact]
    public async Task Dedicated_cluster_not_required_answer_counts_as_success()
    {
        Answer(400, """{"id":"bad_request","message":"this command is not required or enabled on dedicated clusters"}""");
        Assert.Equal(ConsumerGroupCreation.NotRequiredOnDedicatedCluster, await harness.Kafka.CreateConsumerGroupAsync(Cluster, "order-processors"));
        Assert.Single(harness.Server.Requests);
    }

    [Fact]
    public async Task Other_400s_on_group_creation_still_fail()
    {
        Answer(400, """{"id":"bad_request","message":"consumer group name is invalid"}""");
        var error = await Assert.ThrowsAsync<HerokuApiException>(() => harness.Kafka.CreateConsumerGroupAsync(Cluster, "bad name"));
        Assert.Equal((HttpStatusCode.BadRequest, "consumer group name is invalid"), (error.Status, error.Message));
    }
}
