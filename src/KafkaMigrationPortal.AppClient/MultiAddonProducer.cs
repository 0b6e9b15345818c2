using System.Text;
using Confluent.Kafka;

namespace KafkaMigrationPortal.AppClient;

/// <param name="AddonName">The attachment name the message went to, e.g. <c>KAFKA</c>.</param>
/// <param name="Topic">Unprefixed, as the app names it.</param>
/// <param name="Error">Null when the add-on acknowledged the message.</param>
public sealed record AddonDeliveryReport(string AddonName, string Topic, string MessageId, int Partition, long Offset, string? Error)
{
    public bool Delivered => Error is null;
}

/// <summary>
/// Writes each message to every add-on named in <c>PRODUCER_ADDON_NAMES</c> (the double-write step of a migration),
/// with the message id in a header and as the key.
/// </summary>
public sealed class MultiAddonProducer : IDisposable
{
    private readonly List<(HerokuKafkaAttachment Attachment, IProducer<byte[], byte[]> Producer)> _targets = [];
    private readonly TimeProvider _time;

    /// <param name="time">The clock <see cref="Flush"/> measures its deadline on; the system clock by default.</param>
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
                var builder = new ProducerBuilder<byte[], byte[]>(config).SetLogHandler((_, _) => { });
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
    public void Produce(string topic, string messageId, byte[] value, Action<AddonDeliveryReport> onDelivery)
    {
        var key = Encoding.UTF8.GetBytes(messageId);
        foreach (var (attachment, producer) in _targets)
        {
            var message = new Message<byte[], byte[]> { Key = key, Value = value, Headers = MessageIds.Headers(messageId) };
            var addonName = attachment.Name;
            try
            {
                producer.Produce(attachment.Topic(topic), message, report => onDelivery(new AddonDeliveryReport(
                    addonName, topic, messageId, report.Partition.Value, report.Offset.Value,
                    report.Error.IsError ? report.Error.Reason : null)));
            }
            catch (ProduceException<byte[], byte[]> exception)
            {
                onDelivery(new AddonDeliveryReport(addonName, topic, messageId, -1, -1, exception.Error.Reason));
            }
        }
    }

    /// <summary>Writes to every add-on and waits for all of their answers.</summary>
    public async Task<IReadOnlyList<AddonDeliveryReport>> ProduceAsync(string topic, string messageId, byte[] value,
        CancellationToken cancellationToken = default)
    {
        var key = Encoding.UTF8.GetBytes(messageId);
        var deliveries = _targets.Select(async target =>
        {
            try
            {
                var result = await target.Producer.ProduceAsync(target.Attachment.Topic(topic),
                    new Message<byte[], byte[]> { Key = key, Value = value, Headers = MessageIds.Headers(messageId) },
                    cancellationToken);
                return new AddonDeliveryReport(target.Attachment.Name, topic, messageId, result.Partition.Value, result.Offset.Value, null);
            }
            catch (ProduceException<byte[], byte[]> exception)
            {
                return new AddonDeliveryReport(target.Attachment.Name, topic, messageId, -1, -1, exception.Error.Reason);
            }
        });
        return await Task.WhenAll(deliveries);
    }

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
