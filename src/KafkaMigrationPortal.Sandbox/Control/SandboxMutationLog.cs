using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace KafkaMigrationPortal.Sandbox.Control;

/// <param name="Body">The request body with every secret (config var values, tokens, certificates, codes) masked.</param>
/// <param name="Status">The HTTP status the sandbox answered.</param>
public sealed record SandboxMutation(long Sequence, DateTimeOffset Time, string Method, string Path, JsonNode? Body, int Status, string RequestId, string? User);

/// <summary>Every mutating call the sandbox received, so tests can prove that no side effect happened twice.</summary>
public sealed partial class SandboxMutationLog
{
    public const string Masked = "[masked]";

    private readonly object _gate = new();
    private readonly List<SandboxMutation> _entries = [];
    private long _sequence;

    [GeneratedRegex("token|secret|password|cert|key|code|url|config|credential", RegexOptions.IgnoreCase)]
    private static partial Regex SecretKeyPattern();

    public SandboxMutation Record(DateTimeOffset time, string method, string path, string? rawBody, string? contentType, int status, string requestId, string? user)
    {
        var body = MaskBody(path, rawBody, contentType);
        lock (_gate)
        {
            var entry = new SandboxMutation(++_sequence, time, method, path, body, status, requestId, user);
            _entries.Add(entry);
            return entry;
        }
    }

    public IReadOnlyList<SandboxMutation> Entries(long afterSequence = 0)
    {
        lock (_gate)
        {
            return [.. _entries.Where(e => e.Sequence > afterSequence)];
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _entries.Clear();
        }
    }

    internal static JsonNode? MaskBody(string path, string? rawBody, string? contentType)
    {
        if (string.IsNullOrWhiteSpace(rawBody))
        {
            return null;
        }

        JsonNode? parsed;
        if (contentType?.Contains("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase) == true)
        {
            var form = new JsonObject();
            foreach (var (key, value) in Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(rawBody))
            {
                form[key] = value.ToString();
            }

            parsed = form;
        }
        else
        {
            try
            {
                parsed = JsonNode.Parse(rawBody);
            }
            catch (JsonException)
            {
                return $"[{rawBody.Length} characters, not JSON, masked]";
            }
        }

        var maskEverything = path.EndsWith("/config-vars", StringComparison.OrdinalIgnoreCase);
        return Mask(parsed, maskEverything);
    }

    private static JsonNode? Mask(JsonNode? node, bool maskValues) => node switch
    {
        null => null,
        JsonObject obj => MaskObject(obj, maskValues),
        JsonArray array => new JsonArray([.. array.Select(item => Mask(item, maskValues))]),
        JsonValue when maskValues => Masked,
        _ => node.DeepClone(),
    };

    private static JsonObject MaskObject(JsonObject obj, bool maskValues)
    {
        var result = new JsonObject();
        foreach (var (key, value) in obj)
        {
            result[key] = Mask(value, maskValues || SecretKeyPattern().IsMatch(key));
        }

        return result;
    }
}
