using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;

namespace KafkaMigrationPortal.Sandbox.Http;

/// <summary>What every sandbox endpoint answers; the call filter reads its status for the mutation log.</summary>
public sealed class SandboxResponse(int statusCode, JsonNode? body, IReadOnlyDictionary<string, string>? headers = null)
    : IResult, IStatusCodeHttpResult
{
    private static readonly JsonSerializerOptions WriteOptions = new()
    {
        WriteIndented = false,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public int StatusCode { get; } = statusCode;

    int? IStatusCodeHttpResult.StatusCode => StatusCode;

    public JsonNode? Body { get; } = body;

    public IReadOnlyDictionary<string, string> Headers { get; } = headers ?? new Dictionary<string, string>();

    /// <summary>Non-JSON content (the OAuth sign-in page).</summary>
    public string? Html { get; private init; }

    public static SandboxResponse Ok(JsonNode? body) => new(200, body);

    public static SandboxResponse Page(string html) => new(200, null) { Html = html };

    public static SandboxResponse Redirect(string location) => new(302, null, new Dictionary<string, string> { ["Location"] = location });

    public static SandboxResponse Created(JsonNode? body) => new(201, body);

    public static SandboxResponse Error(SandboxApiException error) =>
        new(error.StatusCode, new JsonObject
        {
            ["id"] = error.Id,
            ["message"] = error.Message,
            ["url"] = "https://devcenter.heroku.com/articles/platform-api-reference#error-responses",
        });

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = StatusCode;
        foreach (var (name, value) in Headers)
        {
            response.Headers[name] = value;
        }

        if (Html is not null)
        {
            response.ContentType = "text/html; charset=utf-8";
            await response.WriteAsync(Html, httpContext.RequestAborted);
            return;
        }

        if (Body is null)
        {
            return;
        }

        response.ContentType = "application/json; charset=utf-8";
        await response.WriteAsync(Body.ToJsonString(WriteOptions), httpContext.RequestAborted);
    }
}
