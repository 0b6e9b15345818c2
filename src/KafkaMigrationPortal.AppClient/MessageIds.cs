using System.Collections.Concurrent;
using System.Text;
using Confluent.Kafka;

namespace KafkaMigrationPortal.AppClient;

/// <summary>Every message carries its id in a header (and as its key), so a consumer can recognise a message it has seen.</summary>
public static class MessageIds
{
    public const string HeaderName = "message-id";

    public static Headers Headers(string messageId) => [new Header(HeaderName, Encoding.UTF8.GetBytes(messageId))];

    /// <summary>The id from the header, else from the key; null when the message has neither.</summary>
    public static string? Read(Headers? headers, byte[]? key)
    {
        if (headers is not null && headers.TryGetLastBytes(HeaderName, out var bytes)) return Encoding.UTF8.GetString(bytes);
        return key is { Length: > 0 } ? Encoding.UTF8.GetString(key) : null;
    }
}

/// <summary>Where a consumer remembers which message ids it has processed. Apps keep this next to their own data.</summary>
public interface IProcessedMessageIds
{
    bool Contains(string messageId);

    void Add(string messageId);
}

/// <summary>A process-local set; enough for one app instance, lost on restart.</summary>
public sealed class InMemoryProcessedMessageIds : IProcessedMessageIds
{
    private readonly ConcurrentDictionary<string, byte> _ids = new(StringComparer.Ordinal);

    public bool Contains(string messageId) => _ids.ContainsKey(messageId);

    public void Add(string messageId) => _ids.TryAdd(messageId, 0);

    public int Count => _ids.Count;
}
