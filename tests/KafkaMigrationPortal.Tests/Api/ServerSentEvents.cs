using System.Text.Json.Nodes;

namespace KafkaMigrationPortal.Tests.Api;

public sealed record StreamedEvent(int Id, string Kind, JsonNode Data);

/// <summary>Reads a <c>text/event-stream</c> as a script would: <c>id</c>, <c>event</c>, <c>data</c> lines, a blank line ending each event.</summary>
public static class ServerSentEvents
{
    /// <summary>Every event until the server ends the stream, calling <paramref name="onEvent"/> as each arrives.</summary>
    public static async Task<List<StreamedEvent>> ReadToEndAsync(HttpResponseMessage response, Func<StreamedEvent, Task>? onEvent = null, CancellationToken ct = default)
    {
        var events = new List<StreamedEvent>();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct));
        (int? Id, string? Kind, string? Data) current = default;
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            if (line.Length == 0)
            {
                if (current is { Id: { } id, Kind: { } kind, Data: { } data })
                {
                    var streamed = new StreamedEvent(id, kind, JsonNode.Parse(data)!);
                    events.Add(streamed);
                    if (onEvent is not null) await onEvent(streamed);
                }

                current = default;
            }
            else if (line.StartsWith("id: ", StringComparison.Ordinal)) current.Id = int.Parse(line[4..]);
            else if (line.StartsWith("event: ", StringComparison.Ordinal)) current.Kind = line[7..];
            else if (line.StartsWith("data: ", StringComparison.Ordinal)) current.Data = line[6..];
        }

        return events;
    }
}
