using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using KafkaMigrationPortal.Sandbox.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace KafkaMigrationPortal.Sandbox.OAuth;

/// <summary>An authorize/token pair shaped like id.heroku.com's. Sign-in is picking one of the seeded users.</summary>
internal static class OAuthEndpoints
{
    public static void Map(RouteGroupBuilder oauth)
    {
        oauth.MapGet("/authorize", (HttpContext h) => Authorize(h, h.Request.Query.ToDictionary(q => q.Key, q => q.Value.ToString())));
        oauth.MapPost("/authorize", async (HttpContext h) =>
        {
            var form = await h.Request.ReadFormAsync(h.RequestAborted);
            return Authorize(h, form.ToDictionary(f => f.Key, f => f.Value.ToString()));
        });
        oauth.MapPost("/token", async (HttpContext h) =>
        {
            var fields = await ReadFieldsAsync(h);
            var grant = h.RequestServices.GetRequiredService<SandboxIdentity>().Exchange(
                fields.GetValueOrDefault("grant_type"), fields.GetValueOrDefault("code"),
                fields.GetValueOrDefault("refresh_token"), fields.GetValueOrDefault("client_secret"));
            return SandboxResponse.Ok(new JsonObject
            {
                ["access_token"] = grant.AccessToken,
                ["refresh_token"] = grant.RefreshToken,
                ["expires_in"] = grant.ExpiresIn,
                ["token_type"] = "Bearer",
                ["user_id"] = grant.User.Id.ToString(),
                ["session_nonce"] = grant.SessionNonce,
            });
        });
    }

    private static SandboxResponse Authorize(HttpContext http, IReadOnlyDictionary<string, string> fields)
    {
        var options = http.RequestServices.GetRequiredService<IOptions<SandboxOptions>>().Value;
        var clientId = fields.GetValueOrDefault("client_id");
        if (!SandboxIdentity.IsKnownClient(options, clientId))
        {
            throw SandboxApiException.InvalidParams("Unknown client_id.");
        }

        if (fields.GetValueOrDefault("response_type") != "code")
        {
            throw SandboxApiException.InvalidParams("response_type must be code.");
        }

        var redirect = fields.GetValueOrDefault("redirect_uri");
        if (!Uri.TryCreate(redirect, UriKind.Absolute, out var redirectUri) || redirectUri.Scheme is not ("http" or "https"))
        {
            throw SandboxApiException.InvalidParams("redirect_uri must be an absolute http(s) URL.");
        }

        var scopes = SandboxIdentity.ParseScopes(fields.GetValueOrDefault("scope"));
        var chosen = fields.GetValueOrDefault("user") ?? fields.GetValueOrDefault("login_hint");
        if (chosen is null)
        {
            return SandboxResponse.Page(SignInPage(fields));
        }

        var user = SandboxUsers.FindByEmail(chosen) ?? throw SandboxApiException.InvalidParams("Unknown sandbox user.");
        var code = http.RequestServices.GetRequiredService<SandboxIdentity>().IssueCode(clientId!, user, scopes, redirect);
        var query = new Dictionary<string, string?> { ["code"] = code };
        if (fields.GetValueOrDefault("state") is { } state)
        {
            query["state"] = state;
        }

        return SandboxResponse.Redirect(QueryHelpers.AddQueryString(redirect!, query));
    }

    private static string SignInPage(IReadOnlyDictionary<string, string> fields)
    {
        static string E(string? text) => WebUtility.HtmlEncode(text ?? "");
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Heroku sandbox sign-in</title></head><body>");
        html.Append("<h1>Heroku sandbox</h1><p>Sign in as one of the sandbox's users to authorize <b>")
            .Append(E(fields.GetValueOrDefault("client_id"))).Append("</b>.</p><form method=\"post\">");
        foreach (var name in new[] { "client_id", "response_type", "scope", "state", "redirect_uri" })
        {
            if (fields.GetValueOrDefault(name) is { } value)
            {
                html.Append("<input type=\"hidden\" name=\"").Append(name).Append("\" value=\"").Append(E(value)).Append("\">");
            }
        }

        foreach (var user in SandboxUsers.All)
        {
            html.Append("<p><button type=\"submit\" name=\"user\" value=\"").Append(E(user.Email)).Append("\">")
                .Append(E(user.Name)).Append(" (").Append(E(user.Email)).Append(")</button></p>");
        }

        html.Append("</form></body></html>");
        return html.ToString();
    }

    private static async Task<Dictionary<string, string>> ReadFieldsAsync(HttpContext http)
    {
        if (http.Request.HasFormContentType)
        {
            var form = await http.Request.ReadFormAsync(http.RequestAborted);
            return form.ToDictionary(f => f.Key, f => f.Value.ToString());
        }

        var fields = new Dictionary<string, string>();
        if (SandboxCallFilter.Body(http) is JsonObject json)
        {
            foreach (var (key, value) in json)
            {
                if (value is JsonValue v && v.TryGetValue<string>(out var text))
                {
                    fields[key] = text;
                }
            }
        }

        return fields;
    }
}
