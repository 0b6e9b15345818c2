using System.Collections.Concurrent;
using System.Text;
using Confluent.Kafka;

namespace KafkaMigrationPortal.AppClient;

/// <summary>
/// Every message carries its id in the <c>message-id</c> header, so a consumer can recognise a message it has seen and
/// a migration can find the copy of a message on the other cluster. The key stays the app's own.
/// </summary>
public static class MessageIds
{
    public const string HeaderName = "message-id";

    public static Headers Headers(string messageId) => [new Header(HeaderName, Encoding.UTF8.GetBytes(messageId))];

    /// <summary>The id from the header; null when the message has none.</summary>
    /// <remarks>
    /// The key is never read as an id: every message this library ever wrote carries the header, so a message without
    /// one came from a producer that does not use it, and its key is a partitioning key that many messages share.
    /// Taken for an id, it would make a consumer skip distinct messages as duplicates.
    /// </remarks>
    public static string? Read(Headers? headers) =>
        headers is not null && headers.TryGetLastBytes(HeaderName, out var bytes) ? Encoding.UTF8.GetString(bytes) : null;
}

/// <summary>
/// Where a consumer remembers which message ids it has processed. One instance serves one consumer group.
/// </summary>
/// <remarks>
/// Synchronous on purpose: <see cref="DedupingConsumer"/> is driven by Kafka's blocking consume loop, and a store such as
/// <see cref="PostgresProcessedMessageIds"/> does real synchronous I/O rather than blocking on a task.
/// </remarks>
public interface IProcessedMessageIds
{
    bool Contains(string messageId);

    /// <summary>Remembers the id. Adding an id that is already known (e.g. by another dyno) is not an error.</summary>
    void Add(string messageId);
}

/// <summary>A process-local set: enough for one app instance, lost on every restart (and so on every release).</summary>
public sealed class InMemoryProcessedMessageIds : IProcessedMessageIds
{
    private readonly ConcurrentDictionary<string, byte> _ids = new(StringComparer.Ordinal);

    public bool Contains(string messageId) => _ids.ContainsKey(messageId);

    public void Add(string messageId) => _ids.TryAdd(messageId, 0);

    public int Count => _ids.Count;
}
