using System.Net;

namespace KafkaMigrationPortal.Heroku.Kafka;

/// <summary>
/// The Heroku Kafka data API (<c>/data/kafka/v0/clusters/{add-on id}</c>), bound to a credential by
/// <see cref="IHerokuClientFactory.Kafka"/>. Topic and group names are without the multi-tenant prefix.
/// Failures throw <see cref="HerokuApiException"/>; cluster info answers 404 until the add-on is provisioned.
/// </summary>
public interface IHerokuKafkaApi
{
    Task<KafkaCluster> GetClusterAsync(string clusterId, CancellationToken cancellationToken = default);

    /// <summary>Ready when <see cref="KafkaWaitStatus.Waiting"/> is false; 410 once deprovisioned.</summary>
    Task<KafkaWaitStatus> GetWaitStatusAsync(string clusterId, CancellationToken cancellationToken = default);

    Task<KafkaTopicList> ListTopicsAsync(string clusterId, CancellationToken cancellationToken = default);

    Task CreateTopicAsync(string clusterId, KafkaTopicCreate topic, CancellationToken cancellationToken = default);

    Task UpdateTopicAsync(string clusterId, KafkaTopicUpdate topic, CancellationToken cancellationToken = default);

    /// <summary>Asynchronous on Heroku's side: the topic may still be listed for a while.</summary>
    Task DeleteTopicAsync(string clusterId, string topicName, CancellationToken cancellationToken = default);

    Task<KafkaConsumerGroupList> ListConsumerGroupsAsync(string clusterId, CancellationToken cancellationToken = default);

    Task<ConsumerGroupCreation> CreateConsumerGroupAsync(string clusterId, string groupName, CancellationToken cancellationToken = default);

    Task DeleteConsumerGroupAsync(string clusterId, string groupName, CancellationToken cancellationToken = default);
}

internal sealed class HerokuKafkaApi(IHerokuKafkaDataApi api) : IHerokuKafkaApi
{
    // Exact text the heroku-kafka CLI plugin matches on before treating the 400 as success.
    internal const string NotRequiredOnDedicatedMessage = "this command is not required or enabled on dedicated clusters";

    public Task<KafkaCluster> GetClusterAsync(string clusterId, CancellationToken cancellationToken = default) =>
        api.GetClusterAsync(clusterId, cancellationToken);

    public Task<KafkaWaitStatus> GetWaitStatusAsync(string clusterId, CancellationToken cancellationToken = default) =>
        api.GetWaitStatusAsync(clusterId, cancellationToken);

    public Task<KafkaTopicList> ListTopicsAsync(string clusterId, CancellationToken cancellationToken = default) =>
        api.ListTopicsAsync(clusterId, cancellationToken);

    public Task CreateTopicAsync(string clusterId, KafkaTopicCreate topic, CancellationToken cancellationToken = default) =>
        api.CreateTopicAsync(clusterId, new(topic), cancellationToken);

    public Task UpdateTopicAsync(string clusterId, KafkaTopicUpdate topic, CancellationToken cancellationToken = default) =>
        api.UpdateTopicAsync(clusterId, topic.Name, new(topic), cancellationToken);

    public Task DeleteTopicAsync(string clusterId, string topicName, CancellationToken cancellationToken = default) =>
        api.DeleteTopicAsync(clusterId, topicName, cancellationToken);

    public Task<KafkaConsumerGroupList> ListConsumerGroupsAsync(string clusterId, CancellationToken cancellationToken = default) =>
        api.ListConsumerGroupsAsync(clusterId, cancellationToken);

    public async Task<ConsumerGroupCreation> CreateConsumerGroupAsync(string clusterId, string groupName, CancellationToken cancellationToken = default)
    {
        try
        {
            await api.CreateConsumerGroupAsync(clusterId, new(new(groupName)), cancellationToken);
            return ConsumerGroupCreation.Created;
        }
        catch (HerokuApiException e) when (e.Status == HttpStatusCode.BadRequest
            && e.Message.Contains("not required", StringComparison.OrdinalIgnoreCase))
        {
            return ConsumerGroupCreation.NotRequiredOnDedicatedCluster;
        }
    }

    public Task DeleteConsumerGroupAsync(string clusterId, string groupName, CancellationToken cancellationToken = default) =>
        api.DeleteConsumerGroupAsync(clusterId, new(new(groupName)), cancellationToken);
}
