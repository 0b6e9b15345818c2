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
        control.MapPut("/faults", async (HttpContext http, HerokuSandbox sandbox) =>
        {
            SandboxFaults? faults;
            try
            {
                faults = await JsonSerializer.DeserializeAsync<SandboxFaults>(http.Request.Body, Json, http.RequestAborted);
            }
            catch (JsonException)
            {
                return Error(HerokuApiException.BadRequest("Expected a JSON faults object."));
            }

            try
            {
                return Results.Json(sandbox.SetFaults(faults ?? new SandboxFaults()), Json);
            }
            catch (HerokuApiException e)
            {
                return Error(e);
            }
        });

        control.MapPost("/demo-apps", async (HttpContext http, HerokuSandbox sandbox) =>
        {
            DemoAppRequest? request;
            try
            {
                request = await JsonSerializer.DeserializeAsync<DemoAppRequest>(http.Request.Body, Json, http.RequestAborted);
            }
            catch (JsonException)
            {
                return Error(HerokuApiException.BadRequest("Expected a JSON object with the new app's name."));
            }

            try
            {
                return Results.Json(sandbox.CreateDemoApp(request?.Name ?? ""), Json, statusCode: StatusCodes.Status201Created);
            }
            catch (HerokuApiException e)
            {
                return Error(e);
            }
        });

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

        control.MapGet("/ledger", (Ledger ledger, int? maxMissingIds) => Results.Json(ledger.ReportAll(maxMissingIds ?? 1000), Json));
        control.MapGet("/ledger/{app}", (Ledger ledger, string app, int? maxMissingIds) =>
            Results.Json(ledger.Report(app, maxMissingIds ?? 1000), Json));
        control.MapGet("/dynos/{app}", (IDynoSupervisor dynos, string app) => Results.Json(dynos.Dynos(app), Json));
    }

    private static IResult Error(HerokuApiException e) =>
        Results.Json(new { id = e.Id, message = e.Message }, Json, statusCode: e.StatusCode);
}

/// <summary>Body of <c>POST /_sandbox/demo-apps</c>.</summary>
internal sealed record DemoAppRequest(string? Name);
