using System.Net;
using System.Text.Json;

namespace KafkaMigrationPortal.Heroku.Http;

/// <summary>Turns an unsuccessful response into <see cref="HerokuApiException"/> from Heroku's <c>{id, message}</c>
/// only; the body itself never reaches the exception (it may echo config var values).</summary>
internal static class HerokuErrors
{
    private const int MaxErrorBodyChars = 64 * 1024;

    public static async ValueTask<Exception?> FromResponseAsync(HttpResponseMessage response)
    {
        if (response.IsSuccessStatusCode) return null;
        string? id = null, message = null;
        try
        {
            var text = await response.Content.ReadAsStringAsync();
            if (text.Length <= MaxErrorBodyChars && text.TrimStart().StartsWith('{'))
            {
                using var document = JsonDocument.Parse(text);
                if (document.RootElement.TryGetProperty("id", out var idElement) && idElement.ValueKind == JsonValueKind.String)
                    id = idElement.GetString();
                if (document.RootElement.TryGetProperty("message", out var messageElement) && messageElement.ValueKind == JsonValueKind.String)
                    message = messageElement.GetString();
            }
        }
        catch (JsonException) { }

        return new HerokuApiException(response.StatusCode, id ?? DefaultId(response.StatusCode),
            string.IsNullOrWhiteSpace(message) ? Describe(response) : message, RequestId(response));
    }

    public static ValueTask<Exception?> FromDeserializationFailure(HttpResponseMessage response, Exception error) =>
        ValueTask.FromResult<Exception?>(new HerokuApiException(response.StatusCode, "unexpected_response",
            $"Heroku's answer to {Describe(response.RequestMessage)} could not be read ({error.GetType().Name}).", RequestId(response)));

    /// <summary>Transport failures surface as they are: Refit's wrapper would keep the request, Authorization
    /// header included, reachable from the exception.</summary>
    public static Exception PassThroughTransportFailure(HttpRequestMessage request, Exception error, CancellationToken cancellationToken) => error;

    private static string? RequestId(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Request-Id", out var values) ? values.FirstOrDefault() : null;

    private static string Describe(HttpResponseMessage response) =>
        $"Heroku answered {(int)response.StatusCode} {response.ReasonPhrase} to {Describe(response.RequestMessage)}.";

    private static string Describe(HttpRequestMessage? request) =>
        request is null ? "the request" : $"{request.Method} {request.RequestUri?.AbsolutePath}";

    private static string? DefaultId(HttpStatusCode status) => status switch
    {
        HttpStatusCode.TooManyRequests => "rate_limit",
        HttpStatusCode.NotFound => "not_found",
        HttpStatusCode.Unauthorized => "unauthorized",
        _ => null,
    };
}
