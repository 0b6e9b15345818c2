using Confluent.Kafka;

namespace KafkaMigrationPortal.AppClient;

/// <param name="Topic">Unprefixed, as the app names it.</param>
/// <param name="MessageId">From the <c>message-id</c> header; null for a message written without this library.</param>
/// <param name="Key">The app's own key, as produced.</param>
/// <param name="IsDuplicate">The id was processed before (e.g. read again from the other cluster after a switch).</param>
public sealed record ConsumedMessage(string Topic, int Partition, long Offset, string? MessageId, byte[]? Key, byte[]? Value,
    DateTimeOffset Timestamp, bool IsDuplicate);

/// <summary>
/// Reads the app's topics from the add-on named in <c>CONSUMER_ADDON_NAME</c> with the app's consumer group, and
/// tells apart messages whose id was already processed. Offsets are committed only for messages that were
/// processed (<see cref="MarkProcessed"/>) or skipped as duplicates: at-least-once, never at-most-once. A message
/// handled but not yet committed when the consumer stops is delivered again; whether it is then recognised depends on
/// the <see cref="IProcessedMessageIds"/> store: the default in-memory one forgets everything on restart, so use a
/// durable one (<see cref="PostgresProcessedMessageIds"/>) when re-processing matters.
/// </summary>
public sealed class DedupingConsumer : IDisposable
{
    private readonly IConsumer<byte[]?, byte[]?> _consumer;
    private readonly IProcessedMessageIds _processed;
    private bool _closed;

    /// <param name="consumerGroup">Unprefixed.</param>
    /// <param name="topics">Unprefixed.</param>
    /// <param name="processed">The ids this group has processed; an empty in-memory set by default.</param>
    public DedupingConsumer(HerokuKafkaAttachment attachment, string consumerGroup, IEnumerable<string> topics,
        IProcessedMessageIds? processed = null, Action<ConsumerConfig>? configure = null, Action<Error>? onError = null)
    {
        Attachment = attachment;
        _processed = processed ?? new InMemoryProcessedMessageIds();
        var config = attachment.ConsumerConfig(consumerGroup);
        configure?.Invoke(config);
        var builder = new ConsumerBuilder<byte[]?, byte[]?>(config).SetLogHandler((_, _) => { });
        if (onError is not null) builder.SetErrorHandler((_, error) => onError(error));
        _consumer = builder.Build();
        _consumer.Subscribe(topics.Select(attachment.Topic));
    }

    /// <exception cref="HerokuKafkaConfigurationException">The consumer add-on's config vars are missing or malformed.</exception>
    public static DedupingConsumer FromConfigVars(IReadOnlyDictionary<string, string> configVars, string consumerGroup,
        IEnumerable<string> topics, IProcessedMessageIds? processed = null, Action<ConsumerConfig>? configure = null,
        Action<Error>? onError = null) =>
        new(HerokuKafkaAttachment.FromConfigVars(KafkaAddonSelection.ConsumerAddonName(configVars), configVars),
            consumerGroup, topics, processed, configure, onError);

    public HerokuKafkaAttachment Attachment { get; }

    /// <summary>
    /// The next message, or null when none arrived in time. A duplicate is acknowledged here already;
    /// a new message must be passed to <see cref="MarkProcessed"/> once the app has handled it.
    /// </summary>
    public ConsumedMessage? Consume(TimeSpan timeout)
    {
        var result = _consumer.Consume(timeout);
        if (result?.Message is null || result.IsPartitionEOF) return null;

        var id = MessageIds.Read(result.Message.Headers);
        var duplicate = id is not null && _processed.Contains(id);
        var message = new ConsumedMessage(Attachment.Unprefixed(result.Topic), result.Partition.Value, result.Offset.Value,
            id, result.Message.Key, result.Message.Value, result.Message.Timestamp.UtcDateTime, duplicate);
        if (duplicate) _consumer.StoreOffset(result);
        return message;
    }

    public void MarkProcessed(ConsumedMessage message)
    {
        if (message.MessageId is not null) _processed.Add(message.MessageId);
        // Kafka commits the next offset to read, not the last one read.
        _consumer.StoreOffset(new TopicPartitionOffset(Attachment.Topic(message.Topic), message.Partition, message.Offset + 1));
    }

    /// <summary>
    /// Consumes until cancelled: new messages go to <paramref name="handle"/> and are then marked processed;
    /// duplicates go to <paramref name="onDuplicate"/> only. Blocks the calling thread; closes the consumer at the end.
    /// </summary>
    public void Run(Action<ConsumedMessage> handle, CancellationToken cancellationToken, Action<ConsumedMessage>? onDuplicate = null)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var message = Consume(TimeSpan.FromMilliseconds(100));
                if (message is null) continue;
                if (message.IsDuplicate)
                {
                    onDuplicate?.Invoke(message);
                    continue;
                }
                handle(message);
                MarkProcessed(message);
            }
        }
        finally
        {
            Close();
        }
    }

    /// <summary>Commits what was processed and leaves the group. Idempotent.</summary>
    public void Close()
    {
        if (_closed) return;
        _closed = true;
        _consumer.Close();
    }

    public void Dispose()
    {
        try { Close(); }
        catch (KafkaException) { /* the cluster may already be gone */ }
        _consumer.Dispose();
    }
}
