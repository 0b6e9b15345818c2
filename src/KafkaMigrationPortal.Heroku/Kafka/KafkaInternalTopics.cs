namespace KafkaMigrationPortal.Heroku.Kafka;

/// <summary>
/// Kafka's own topics (<c>__consumer_offsets</c>, <c>__transaction_state</c>, …). Heroku's topic list includes them, with
/// name and throughput only; nothing that copies, counts or checks an app's topics may take them into account.
/// </summary>
public static class KafkaInternalTopics
{
    public static bool IsInternal(string name) => name.StartsWith("__", StringComparison.Ordinal);

    /// <summary>The app's topics of a list, without Kafka's internal ones.</summary>
    public static IEnumerable<KafkaTopic> AppTopics(this KafkaTopicList list) => list.Topics.Where(t => !IsInternal(t.Name));
}
