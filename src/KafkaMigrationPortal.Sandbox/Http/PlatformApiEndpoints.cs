using KafkaMigrationPortal.Sandbox.Platform;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace KafkaMigrationPortal.Sandbox.Http;

/// <summary>The Platform API subset the portal's clients use (api.heroku.com).</summary>
internal static class PlatformApiEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/account", (HttpContext h) => Ok(h, (s, c) => s.GetAccount(c)));
        api.MapGet("/account/rate-limits", (HttpContext h) => Ok(h, (s, c) => s.GetRateLimits(c)));
        api.MapGet("/teams", (HttpContext h) => List(h, (s, c) => s.ListTeams(c), "name"));
        api.MapDelete("/teams/{team}/members/{member}", (HttpContext h, string team, string member) => Ok(h, (s, c) => s.RemoveTeamMember(c, team, member)));

        api.MapGet("/apps/{app}", (HttpContext h, string app) => Ok(h, (s, c) => s.GetApp(c, app)));
        api.MapPatch("/apps/{app}", (HttpContext h, string app) => Ok(h, (s, c) => s.UpdateApp(c, app, Body(h))));

        api.MapGet("/apps/{app}/addons", (HttpContext h, string app) => List(h, (s, c) => s.ListAddons(c, app), "name"));
        api.MapPost("/apps/{app}/addons", (HttpContext h, string app) => Created(h, (s, c) => s.CreateAddon(c, app, Body(h))));
        api.MapGet("/apps/{app}/addons/{addon}", (HttpContext h, string app, string addon) => Ok(h, (s, c) => s.GetAddon(c, addon, app)));
        api.MapDelete("/apps/{app}/addons/{addon}", (HttpContext h, string app, string addon) => Ok(h, (s, c) => s.DestroyAddon(c, app, addon, Body(h))));
        api.MapGet("/addons/{addon}", (HttpContext h, string addon) => Ok(h, (s, c) => s.GetAddon(c, addon)));

        api.MapGet("/apps/{app}/addon-attachments", (HttpContext h, string app) =>
        {
            var (plan, vars) = Inclusion(h);
            return List(h, (s, c) => s.ListAttachmentsOfApp(c, app, plan, vars), "name");
        });
        api.MapGet("/addons/{addon}/addon-attachments", (HttpContext h, string addon) =>
        {
            var (plan, vars) = Inclusion(h);
            return List(h, (s, c) => s.ListAttachmentsOfAddon(c, addon, plan, vars), "name");
        });
        api.MapPost("/addon-attachments", (HttpContext h) => Created(h, (s, c) => s.CreateAttachment(c, Body(h))));
        api.MapDelete("/addon-attachments/{id}", (HttpContext h, string id) => Ok(h, (s, c) => s.DeleteAttachment(c, id)));

        api.MapGet("/apps/{app}/config-vars", (HttpContext h, string app) => Ok(h, (s, c) => s.GetConfigVars(c, app)));
        api.MapPatch("/apps/{app}/config-vars", (HttpContext h, string app) => Ok(h, (s, c) => s.UpdateConfigVars(c, app, Body(h))));

        api.MapGet("/apps/{app}/releases", (HttpContext h, string app) => List(h, (s, c) => s.ListReleases(c, app), "version"));

        api.MapGet("/apps/{app}/formation", (HttpContext h, string app) => List(h, (s, c) => s.ListFormation(c, app), "type"));
        api.MapPatch("/apps/{app}/formation", (HttpContext h, string app) =>
            Invoke(h, (s, c) => new SandboxResponse(200, new System.Text.Json.Nodes.JsonArray([.. s.UpdateFormation(c, app, Body(h))]))));
    }

    internal static System.Text.Json.Nodes.JsonNode? Body(HttpContext http) => SandboxCallFilter.Body(http);

    internal static SandboxResponse Invoke(HttpContext http, Func<HerokuSandbox, SandboxCaller, SandboxResponse> call) =>
        call(http.RequestServices.GetRequiredService<HerokuSandbox>(), SandboxCallFilter.Caller(http));

    internal static SandboxResponse Ok(HttpContext http, Func<HerokuSandbox, SandboxCaller, System.Text.Json.Nodes.JsonNode> call) =>
        Invoke(http, (s, c) => SandboxResponse.Ok(call(s, c)));

    internal static SandboxResponse Created(HttpContext http, Func<HerokuSandbox, SandboxCaller, System.Text.Json.Nodes.JsonNode> call) =>
        Invoke(http, (s, c) => SandboxResponse.Created(call(s, c)));

    private static SandboxResponse List(
        HttpContext http, Func<HerokuSandbox, SandboxCaller, IReadOnlyList<System.Text.Json.Nodes.JsonObject>> call, params string[] rangeFields) =>
        Invoke(http, (s, c) => RangePagination.Respond(http, call(s, c), s.Options, rangeFields));

    /// <summary><c>Accept-Inclusion: addon:plan,config_vars</c> adds the add-on's plan and the attachment's var names.</summary>
    private static (bool AddonPlan, bool ConfigVars) Inclusion(HttpContext http)
    {
        var parts = http.Request.Headers["Accept-Inclusion"].ToString()
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return (parts.Contains("addon:plan"), parts.Contains("config_vars"));
    }
}
