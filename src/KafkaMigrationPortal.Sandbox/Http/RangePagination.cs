using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace KafkaMigrationPortal.Sandbox.Http;

/// <summary>Heroku's Range pagination: <c>Range: id ]start..; max=N, order=desc</c>; a partial page answers 206 with
/// <c>Next-Range</c>.</summary>
internal static class RangePagination
{
    public static SandboxResponse Respond(HttpContext http, IReadOnlyList<JsonObject> items, SandboxOptions options, params string[] fields)
    {
        var range = Parse(http.Request.Headers["Range"].ToString(), options, fields);
        var ordered = items.Order(Comparer<JsonObject>.Create((a, b) => Compare(a[range.Field], b[range.Field]))).ToList();
        if (range.Descending)
        {
            ordered.Reverse();
        }

        var start = range.Start is null ? 0 : ordered.FindIndex(item =>
        {
            var c = Compare(item[range.Field], JsonValue.Create(range.Start)) * (range.Descending ? -1 : 1);
            return range.StartExclusive ? c > 0 : c >= 0;
        });
        if (start < 0)
        {
            start = ordered.Count;
        }

        var page = ordered.Skip(start).Take(range.Max).ToList();
        var headers = new Dictionary<string, string>();
        if (page.Count > 0)
        {
            headers["Content-Range"] = $"{range.Field} {ValueText(page[0][range.Field])}..{ValueText(page[^1][range.Field])}";
        }

        var partial = start + page.Count < ordered.Count;
        if (partial)
        {
            headers["Next-Range"] = $"{range.Field} ]{ValueText(page[^1][range.Field])}..; max={range.Max}{(range.Descending ? ", order=desc" : "")}";
        }

        return new SandboxResponse(partial ? 206 : 200, new JsonArray([.. page.Select(p => (JsonNode)p)]), headers);
    }

    private static RangeRequest Parse(string header, SandboxOptions options, string[] fields)
    {
        var max = options.DefaultPageSize;
        if (string.IsNullOrWhiteSpace(header))
        {
            return new RangeRequest("id", null, false, max, false);
        }

        var semicolon = header.IndexOf(';');
        var rangePart = (semicolon >= 0 ? header[..semicolon] : header).Trim();
        var optionPart = semicolon >= 0 ? header[(semicolon + 1)..] : "";
        var space = rangePart.IndexOf(' ');
        var field = (space >= 0 ? rangePart[..space] : rangePart).Trim();
        var bounds = space >= 0 ? rangePart[(space + 1)..].Trim() : "";
        if (!fields.Append("id").Contains(field, StringComparer.Ordinal))
        {
            throw new SandboxApiException(416, "requested_range_not_satisfiable", $"Unsupported Range field {field}; use one of {string.Join(", ", fields.Append("id").Distinct())}.");
        }

        var dots = bounds.IndexOf("..", StringComparison.Ordinal);
        var start = (dots >= 0 ? bounds[..dots] : bounds).Trim();
        var exclusive = start.StartsWith(']');
        if (exclusive)
        {
            start = start[1..];
        }

        var descending = false;
        foreach (var option in optionPart.Split([',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var pair = option.Split('=', 2, StringSplitOptions.TrimEntries);
            if (pair is ["max", var value] && int.TryParse(value, out var parsed) && parsed > 0)
            {
                max = Math.Min(parsed, options.MaxPageSize);
            }
            else if (pair is ["order", var order])
            {
                descending = string.Equals(order, "desc", StringComparison.OrdinalIgnoreCase);
            }
        }

        return new RangeRequest(field, start.Length == 0 ? null : start, exclusive, max, descending);
    }

    private static int Compare(JsonNode? a, JsonNode? b)
    {
        if (a is JsonValue va && b is JsonValue vb && va.GetValueKind() == JsonValueKind.Number
            && (vb.GetValueKind() == JsonValueKind.Number || vb.TryGetValue<string>(out _)))
        {
            var left = Number(va);
            var right = vb.GetValueKind() == JsonValueKind.Number ? Number(vb)
                : double.TryParse(vb.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture, out var r) ? r : double.MinValue;
            return left.CompareTo(right);
        }

        return string.CompareOrdinal(ValueText(a), ValueText(b));
    }

    private static double Number(JsonValue value) =>
        double.Parse(value.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture);

    private static string ValueText(JsonNode? node) => node switch
    {
        null => "",
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        _ => node.ToJsonString(),
    };

    private sealed record RangeRequest(string Field, string? Start, bool StartExclusive, int Max, bool Descending);
}
