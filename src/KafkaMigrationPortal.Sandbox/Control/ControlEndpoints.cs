using System.Text.Json;
using KafkaMigrationPortal.Sandbox.Dynos;
using KafkaMigrationPortal.Sandbox.Http;
using KafkaMigrationPortal.Sandbox.Platform;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace KafkaMigrationPortal.Sandbox.Control;

/// <summary>Sandbox controls under <c>/_sandbox</c>: faults, the mutation log, reset, more demo apps. No authentication:
/// they exist for tests and for whoever runs the sandbox.</summary>
internal static class ControlEndpoints
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    public static void Map(RouteGroupBuilder control)
    {
        control.MapGet("", () => Results.Json(new
        {
            users = SandboxUsers.All.Select(u => new { u.Email, u.Name, api_token = u.ApiToken }),
            demo_app = HerokuSandbox.DemoApp,
            oauth_client = new { id = SandboxUsers.PortalOAuthClientId, secret = SandboxUsers.PortalOAuthClientSecret },
        }, Json));

        control.MapGet("/faults", (HerokuSandbox sandbox) => Results.Json(sandbox.CurrentFaults, Json));
        control.MapPut("/faults", (HttpContext http, HerokuSandbox sandbox) =>
            FromBodyAsync<SandboxFaults>(http, "Expected a JSON faults object.",
                faults => Results.Json(sandbox.SetFaults(faults ?? new SandboxFaults()), Json)));

        control.MapPost("/demo-apps", (HttpContext http, HerokuSandbox sandbox) =>
            FromBodyAsync<DemoAppRequest>(http, "Expected a JSON object with the new app's name.",
                request => Results.Json(sandbox.CreateDemoApp(request?.Name ?? ""), Json, statusCode: StatusCodes.Status201Created)));

        control.MapGet("/mutations", (SandboxMutationLog log, long? after) => Results.Json(log.Entries(after ?? 0), Json));

        control.MapPost("/reset", async (HerokuSandbox sandbox, SandboxMutationLog log, Ledger ledger) =>
        {
            // The books are cleared only once the old producers have flushed and the old consumers have stopped:
            // cleared earlier, they would list the old dynos' last messages as produced and never consumed.
            await sandbox.ResetAsync(whileStopped: () =>
            {
                foreach (var report in ledger.ReportAll(0))
                {
                    ledger.Clear(report.App);
                }
            });
            log.Clear();
            return Results.NoContent();
        });

        control.MapGet("/ledger", (Ledger ledger, int? maxMissingIds, DateTimeOffset? deliveredSince) =>
            Results.Json(ledger.ReportAll(maxMissingIds ?? 1000, deliveredSince), Json));
        control.MapGet("/ledger/{app}", (Ledger ledger, string app, int? maxMissingIds, DateTimeOffset? deliveredSince) =>
            Results.Json(ledger.Report(app, maxMissingIds ?? 1000, deliveredSince), Json));
        control.MapGet("/dynos/{app}", (IDynoSupervisor dynos, string app) => Results.Json(dynos.Dynos(app), Json));
    }

    /// <summary>Reads the request's JSON body and acts on it; a malformed body or a refusal is answered as Heroku would.</summary>
    private static async Task<IResult> FromBodyAsync<T>(HttpContext http, string expected, Func<T?, IResult> act)
    {
        T? body;
        try
        {
            body = await JsonSerializer.DeserializeAsync<T>(http.Request.Body, Json, http.RequestAborted);
        }
        catch (JsonException)
        {
            return Error(SandboxApiException.BadRequest(expected));
        }

        try
        {
            return act(body);
        }
        catch (SandboxApiException e)
        {
            return Error(e);
        }
    }

    private static IResult Error(SandboxApiException e) =>
        Results.Json(new { id = e.Id, message = e.Message }, Json, statusCode: e.StatusCode);
}

/// <summary>Body of <c>POST /_sandbox/demo-apps</c>.</summary>
internal sealed record DemoAppRequest(string? Name);
