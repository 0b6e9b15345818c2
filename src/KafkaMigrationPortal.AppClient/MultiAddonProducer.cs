using System.Text;
using Confluent.Kafka;

namespace KafkaMigrationPortal.AppClient;

/// <param name="AddonName">The attachment name the message went to, e.g. <c>KAFKA</c>.</param>
/// <param name="Topic">Unprefixed, as the app names it.</param>
/// <param name="Error">Null when the add-on acknowledged the message.</param>
/// <param name="Timestamp">The message's timestamp, the same on every add-on's copy (millisecond precision, as Kafka keeps it).</param>
public sealed record AddonDeliveryReport(string AddonName, string Topic, string MessageId, int Partition, long Offset, string? Error,
    DateTimeOffset Timestamp)
{
    public bool Delivered => Error is null;
}

/// <summary>
/// Writes each message to every add-on named in <c>PRODUCER_ADDON_NAMES</c> (the double-write step of a migration).
/// Every copy of a message is the same record: the app's key and value, the message id in the <c>message-id</c>
/// header, and one timestamp taken from the producer's clock. With the same key and the same partitioner, the copies
/// land in the same partition on clusters whose topics have equal partition counts; a migration's consumer switch
/// relies on that to find, by id and timestamp, where each consumer group stopped.
/// </summary>
public sealed class MultiAddonProducer : IDisposable
{
    private readonly List<(HerokuKafkaAttachment Attachment, IProducer<byte[]?, byte[]> Producer)> _targets = [];
    private readonly TimeProvider _time;

    /// <param name="time">
    /// The clock that stamps every message and on which <see cref="Flush"/> measures its deadline; the system clock by default.
    /// </param>
    public MultiAddonProducer(IEnumerable<HerokuKafkaAttachment> attachments, Action<ProducerConfig>? configure = null,
        Action<string, Error>? onError = null, TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        try
        {
            foreach (var attachment in attachments)
            {
                var config = attachment.ProducerConfig();
                configure?.Invoke(config);
                var builder = new ProducerBuilder<byte[]?, byte[]>(config).SetLogHandler((_, _) => { });
                if (onError is not null) builder.SetErrorHandler((_, error) => onError(attachment.Name, error));
                _targets.Add((attachment, builder.Build()));
            }
        }
        catch
        {
            Dispose();
            throw;
        }
        if (_targets.Count == 0) throw new ArgumentException("At least one add-on is needed.", nameof(attachments));
    }

    /// <summary>Connects to every add-on in <c>PRODUCER_ADDON_NAMES</c> (default <c>KAFKA</c>).</summary>
    /// <exception cref="HerokuKafkaConfigurationException">An add-on's config vars are missing or malformed.</exception>
    public static MultiAddonProducer FromConfigVars(IReadOnlyDictionary<string, string> configVars,
        Action<ProducerConfig>? configure = null, Action<string, Error>? onError = null, TimeProvider? time = null) =>
        // Every add-on's vars are checked before any client is built.
        new(KafkaAddonSelection.ProducerAddonNames(configVars).Select(name => HerokuKafkaAttachment.FromConfigVars(name, configVars)).ToList(),
            configure, onError, time);

    public IReadOnlyList<HerokuKafkaAttachment> Attachments => [.. _targets.Select(t => t.Attachment)];

    /// <summary>Queues the message for every add-on; <paramref name="onDelivery"/> runs once per add-on, on a client thread.</summary>
    /// <param name="topic">Unprefixed; each add-on's prefix is applied.</param>
    /// <param name="messageId">Unique per message; travels in the <c>message-id</c> header.</param>
    /// <param name="key">The app's partitioning key (e.g. a customer id); null for none.</param>
    public void Produce(string topic, string messageId, byte[] value, Action<AddonDeliveryReport> onDelivery, byte[]? key = null)
    {
        var message = Message(messageId, key, value);
        foreach (var (attachment, producer) in _targets)
        {
            var addonName = attachment.Name;
            try
            {
                producer.Produce(attachment.Topic(topic), message, report => onDelivery(new AddonDeliveryReport(
                    addonName, topic, messageId, report.Partition.Value, report.Offset.Value,
                    report.Error.IsError ? report.Error.Reason : null, message.Timestamp.UtcDateTime)));
            }
            catch (ProduceException<byte[]?, byte[]> exception)
            {
                onDelivery(new AddonDeliveryReport(addonName, topic, messageId, -1, -1, exception.Error.Reason, message.Timestamp.UtcDateTime));
            }
        }
    }

    /// <inheritdoc cref="Produce(string, string, byte[], Action{AddonDeliveryReport}, byte[])"/>
    /// <param name="key">The app's partitioning key, written as UTF-8.</param>
    public void Produce(string topic, string messageId, byte[] value, Action<AddonDeliveryReport> onDelivery, string key) =>
        Produce(topic, messageId, value, onDelivery, Encoding.UTF8.GetBytes(key));

    /// <summary>Writes to every add-on and waits for all of their answers.</summary>
    /// <param name="key">The app's partitioning key (e.g. a customer id); null for none.</param>
    public async Task<IReadOnlyList<AddonDeliveryReport>> ProduceAsync(string topic, string messageId, byte[] value,
        byte[]? key = null, CancellationToken cancellationToken = default)
    {
        var message = Message(messageId, key, value);
        var deliveries = _targets.Select(async target =>
        {
            try
            {
                var result = await target.Producer.ProduceAsync(target.Attachment.Topic(topic), message, cancellationToken);
                return new AddonDeliveryReport(target.Attachment.Name, topic, messageId, result.Partition.Value, result.Offset.Value, null,
                    message.Timestamp.UtcDateTime);
            }
            catch (ProduceException<byte[]?, byte[]> exception)
            {
                return new AddonDeliveryReport(target.Attachment.Name, topic, messageId, -1, -1, exception.Error.Reason,
                    message.Timestamp.UtcDateTime);
            }
        });
        return await Task.WhenAll(deliveries);
    }

    /// <inheritdoc cref="ProduceAsync(string, string, byte[], byte[], CancellationToken)"/>
    /// <param name="key">The app's partitioning key, written as UTF-8.</param>
    public Task<IReadOnlyList<AddonDeliveryReport>> ProduceAsync(string topic, string messageId, byte[] value, string key,
        CancellationToken cancellationToken = default) =>
        ProduceAsync(topic, messageId, value, Encoding.UTF8.GetBytes(key), cancellationToken);

    // One record for all add-ons: an explicit timestamp, not each client's own send time, keeps the copies identical.
    private Message<byte[]?, byte[]> Message(string messageId, byte[]? key, byte[] value) => new()
    {
        Key = key,
        Value = value,
        Headers = MessageIds.Headers(messageId),
        Timestamp = new Timestamp(_time.GetUtcNow()),
    };

    /// <summary>Waits for every add-on's acknowledgements; <paramref name="timeout"/> is shared by all of them.</summary>
    /// <returns>How many messages were still undelivered when the time ran out, over all add-ons.</returns>
    public int Flush(TimeSpan timeout)
    {
        var started = _time.GetTimestamp();
        var pending = 0;
        foreach (var (_, producer) in _targets)
        {
            var left = timeout - _time.GetElapsedTime(started);
            pending += producer.Flush(left > TimeSpan.Zero ? left : TimeSpan.Zero);
        }
        return pending;
    }

    public void Dispose()
    {
        foreach (var (_, producer) in _targets) producer.Dispose();
        _targets.Clear();
    }
}
