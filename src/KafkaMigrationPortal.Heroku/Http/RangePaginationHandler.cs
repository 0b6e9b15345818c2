using System.Net;
using System.Text.Json.Nodes;

namespace KafkaMigrationPortal.Heroku.Http;

/// <summary>
/// Heroku answers a list with <c>206 Partial Content</c> and a <c>Next-Range</c> header while more remains. This
/// handler asks again with that range until the list is complete and hands the caller one 200 response holding every
/// item. Each page goes through the inner handlers (retries, rate-limit budget) on its own.
/// </summary>
public sealed class RangePaginationHandler : DelegatingHandler
{
    /// <summary>Guards against a server that keeps sending the same Next-Range.</summary>
    public const int MaxPages = 1000;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        if (request.Method != HttpMethod.Get
            || response.StatusCode != HttpStatusCode.PartialContent
            || NextRange(response) is null
            || (request.Options.TryGetValue(HerokuRequestOptions.FollowPages, out var follow) && !follow))
            return response;

        var items = new JsonArray();
        for (var page = 1; ; page++)
        {
            if (await ReadArrayAsync(response, cancellationToken) is not { } pageItems)
                return response; // not a list: leave it to the caller as it is
            foreach (var item in pageItems.ToList())
            {
                pageItems.Remove(item);
                items.Add(item);
            }

            var nextRange = response.StatusCode == HttpStatusCode.PartialContent ? NextRange(response) : null;
            if (nextRange is null) return Combined(response, items);
            if (page >= MaxPages)
                throw new InvalidOperationException($"Heroku pagination of {request.RequestUri?.AbsolutePath} did not end after {MaxPages} pages.");

            response.Dispose();
            using var next = new HttpRequestMessage(HttpMethod.Get, request.RequestUri);
            foreach (var header in request.Headers)
                if (!header.Key.Equals("Range", StringComparison.OrdinalIgnoreCase))
                    next.Headers.TryAddWithoutValidation(header.Key, header.Value);
            next.Headers.TryAddWithoutValidation("Range", nextRange);
            HerokuRequestOptions.CopyTo(request, next);
            response = await base.SendAsync(next, cancellationToken);
            if (!response.IsSuccessStatusCode) return response;
        }
    }

    private static string? NextRange(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Next-Range", out var values) ? values.FirstOrDefault() : null;

    private static async Task<JsonArray?> ReadArrayAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        try { return JsonNode.Parse(text) as JsonArray; }
        catch (System.Text.Json.JsonException) { return null; }
    }

    private static HttpResponseMessage Combined(HttpResponseMessage last, JsonArray items)
    {
        var combined = new HttpResponseMessage(HttpStatusCode.OK)
        {
            RequestMessage = last.RequestMessage,
            Version = last.Version,
            Content = new StringContent(items.ToJsonString(), System.Text.Encoding.UTF8, "application/json"),
        };
        foreach (var header in last.Headers)
            if (!header.Key.Equals("Next-Range", StringComparison.OrdinalIgnoreCase)
                && !header.Key.Equals("Content-Range", StringComparison.OrdinalIgnoreCase))
                combined.Headers.TryAddWithoutValidation(header.Key, header.Value);
        last.Dispose();
        return combined;
    }
}
