using System.Text.Json;
using System.Text.Json.Nodes;
using KafkaMigrationPortal.Sandbox.Control;
using KafkaMigrationPortal.Sandbox.OAuth;
using KafkaMigrationPortal.Sandbox.Platform;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace KafkaMigrationPortal.Sandbox.Http;

/// <summary>
/// Wraps every Platform and data API call the way Heroku's edge does: Request-Id, Bearer authentication and OAuth
/// scopes, the rate-limit budget (RateLimit-Remaining), injected faults, Heroku-shaped errors — and records mutating
/// calls in the mutation log.
/// </summary>
internal sealed class SandboxCallFilter(bool authenticate, bool injectFaults) : IEndpointFilter
{
    private const string BodyKey = "sandbox.body";
    private const string CallerKey = "sandbox.caller";

    public static JsonNode? Body(HttpContext http) => http.Items[BodyKey] as JsonNode;

    public static SandboxCaller Caller(HttpContext http) =>
        http.Items[CallerKey] as SandboxCaller ?? throw SandboxApiException.Unauthorized();

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var services = http.RequestServices;
        var sandbox = services.GetRequiredService<HerokuSandbox>();
        var requestId = Guid.NewGuid().ToString();
        http.Response.Headers["Request-Id"] = requestId;
        var method = http.Request.Method;
        var mutating = !HttpMethods.IsGet(method) && !HttpMethods.IsHead(method) && !HttpMethods.IsOptions(method);
        var rawBody = mutating ? await ReadBodyAsync(http) : null;
        SandboxCaller? caller = null;
        SandboxResponse response;
        try
        {
            if (authenticate)
            {
                caller = services.GetRequiredService<SandboxIdentity>().Authenticate(http.Request.Headers.Authorization);
                http.Items[CallerKey] = caller;
                var free = http.Request.Path.Value?.EndsWith("/account/rate-limits", StringComparison.Ordinal) == true;
                try
                {
                    http.Response.Headers["RateLimit-Remaining"] = sandbox.ConsumeRateLimit(caller.User, free).ToString();
                }
                catch (SandboxApiException)
                {
                    http.Response.Headers["RateLimit-Remaining"] = "0";
                    throw;
                }

                CheckScope(caller, method, http.Request.Path.Value ?? "");
            }

            if (injectFaults)
            {
                var (latency, failWith) = sandbox.DrawFault();
                if (latency > TimeSpan.Zero)
                {
                    await Task.Delay(latency, sandbox.Time, http.RequestAborted);
                }

                if (failWith == 429)
                {
                    throw SandboxApiException.RateLimit();
                }

                if (failWith == 500)
                {
                    throw new SandboxApiException(500, "internal_server_error", "Internal server error (sandbox fault injection).");
                }
            }

            if (!string.IsNullOrWhiteSpace(rawBody) && http.Request.HasJsonContentType() is var json && (json || !http.Request.HasFormContentType))
            {
                try
                {
                    http.Items[BodyKey] = JsonNode.Parse(rawBody);
                }
                catch (JsonException)
                {
                    throw SandboxApiException.BadRequest("Request body is not valid JSON.");
                }
            }

            response = await next(context) as SandboxResponse
                ?? throw new InvalidOperationException("Sandbox endpoints must answer a SandboxResponse.");
        }
        catch (SandboxApiException e) when (e.Id == ConfirmationRequiredId)
        {
            response = SandboxResponse.Error(new SandboxApiException(ConfirmationStatus(sandbox.Options), e.Id, e.Message));
        }
        catch (SandboxApiException e)
        {
            response = SandboxResponse.Error(e);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or JsonException && !http.RequestAborted.IsCancellationRequested)
        {
            // Wrongly typed JSON values surface here (GetValue<string> on a number, …).
            services.GetRequiredService<ILogger<SandboxCallFilter>>().LogInformation("Rejected malformed request: {Error}", e.GetType().Name);
            response = SandboxResponse.Error(SandboxApiException.InvalidParams("The request's parameters have the wrong types."));
        }

        if (!http.Response.Headers.ContainsKey("RateLimit-Remaining"))
        {
            http.Response.Headers["RateLimit-Remaining"] = (caller is null
                ? sandbox.Options.RateLimitPool
                : sandbox.RemainingRateLimit(caller.User)).ToString();
        }

        if (mutating)
        {
            services.GetRequiredService<SandboxMutationLog>().Record(
                sandbox.Now, method, http.Request.Path.Value ?? "", rawBody, http.Request.ContentType,
                response.StatusCode, requestId, caller?.User.Email);
        }

        return response;
    }

    private const string ConfirmationRequiredId = "confirmation_required";

    private static int ConfirmationStatus(SandboxOptions options) => options.ConfirmationRequiredStatus is 400 or 423
        ? options.ConfirmationRequiredStatus
        : throw new InvalidOperationException($"SandboxOptions.ConfirmationRequiredStatus must be 400 or 423, not {options.ConfirmationRequiredStatus}.");

    /// <summary>
    /// OAuth scopes as Heroku applies them: config vars need the <c>-protected</c> scopes, and the Kafka data API takes only
    /// <c>global</c> tokens and API keys (the only ones known to work there).
    /// </summary>
    private static void CheckScope(SandboxCaller caller, string method, string path)
    {
        var scopes = caller.Scopes;
        if (scopes.Contains("global"))
        {
            return;
        }

        if (path.Contains("/data/kafka/", StringComparison.Ordinal))
        {
            throw SandboxApiException.Forbidden(
                $"The Kafka data API needs a token with the 'global' scope or an API key; this authorization has {string.Join(", ", scopes.Order(StringComparer.Ordinal).Select(s => $"'{s}'"))}.");
        }

        var read = HttpMethods.IsGet(method) || HttpMethods.IsHead(method);
        bool allowed;
        if (path.EndsWith("/config-vars", StringComparison.Ordinal))
        {
            allowed = read ? scopes.Contains("read-protected") || scopes.Contains("write-protected") : scopes.Contains("write-protected");
        }
        else if (path.EndsWith("/account", StringComparison.Ordinal) && read)
        {
            allowed = scopes.Overlaps(["identity", "read", "write", "read-protected", "write-protected"]);
        }
        else
        {
            allowed = read
                ? scopes.Overlaps(["read", "write", "read-protected", "write-protected"])
                : scopes.Overlaps(["write", "write-protected"]);
        }

        if (!allowed)
        {
            throw SandboxApiException.Forbidden("This OAuth authorization's scope does not allow this request.");
        }
    }

    private static async Task<string?> ReadBodyAsync(HttpContext http)
    {
        http.Request.EnableBuffering();
        using var reader = new StreamReader(http.Request.Body, leaveOpen: true);
        var body = await reader.ReadToEndAsync(http.RequestAborted);
        http.Request.Body.Position = 0;
        return body.Length == 0 ? null : body;
    }
}
