using Refit;

namespace KafkaMigrationPortal.Heroku.Kafka;

/// <summary>The raw Refit surface of the Kafka data API; callers use <see cref="IHerokuKafkaApi"/>.</summary>
public interface IHerokuKafkaDataApi
{
    [Get("/data/kafka/v0/clusters/{clusterId}")]
    Task<KafkaCluster> GetClusterAsync(string clusterId, CancellationToken cancellationToken = default);

    [Get("/data/kafka/v0/clusters/{clusterId}/wait_status")]
    Task<KafkaWaitStatus> GetWaitStatusAsync(string clusterId, CancellationToken cancellationToken = default);

    [Get("/data/kafka/v0/clusters/{clusterId}/topics")]
    Task<KafkaTopicList> ListTopicsAsync(string clusterId, CancellationToken cancellationToken = default);

    [Post("/data/kafka/v0/clusters/{clusterId}/topics")]
    Task CreateTopicAsync(string clusterId, [Body] KafkaTopicEnvelope<KafkaTopicCreate> request, CancellationToken cancellationToken = default);

    [Put("/data/kafka/v0/clusters/{clusterId}/topics/{topicName}")]
    Task UpdateTopicAsync(string clusterId, string topicName, [Body] KafkaTopicEnvelope<KafkaTopicUpdate> request, CancellationToken cancellationToken = default);

    [Delete("/data/kafka/v0/clusters/{clusterId}/topics/{topicName}")]
    Task DeleteTopicAsync(string clusterId, string topicName, CancellationToken cancellationToken = default);

    [Get("/data/kafka/v0/clusters/{clusterId}/consumer_groups")]
    Task<KafkaConsumerGroupList> ListConsumerGroupsAsync(string clusterId, CancellationToken cancellationToken = default);

    [Post("/data/kafka/v0/clusters/{clusterId}/consumer_groups")]
    Task CreateConsumerGroupAsync(string clusterId, [Body] KafkaConsumerGroupEnvelope request, CancellationToken cancellationToken = default);

    [Delete("/data/kafka/v0/clusters/{clusterId}/consumer_groups")]
    Task DeleteConsumerGroupAsync(string clusterId, [Body] KafkaConsumerGroupEnvelope request, CancellationToken cancellationToken = default);
}
