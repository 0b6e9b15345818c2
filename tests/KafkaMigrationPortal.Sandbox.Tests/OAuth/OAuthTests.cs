using System.Net;
using System.Text.Json.Nodes;
using KafkaMigrationPortal.Sandbox.Tests.Support;
using KafkaMigrationPortal.TestSupport;
using KafkaMigrationPortal.TestSupport.Time;
using Microsoft.AspNetCore.WebUtilities;

namespace KafkaMigrationPortal.Sandbox.Tests.OAuth;

public sealed class OAuthTests
{
    private const string Redirect = "http://127.0.0.1:5000/signin-heroku";

    private static string AuthorizeQuery(string scope = "global", string? loginHint = null) =>
        QueryHelpers.AddQueryString("oauth/authorize", new Dictionary<string, string?>
        {
            ["client_id"] = SandboxUsers.PortalOAuthClientId,
            ["response_type"] = "code",
            ["scope"] = scope,
            ["state"] = "xyz-state",
            ["redirect_uri"] = Redirect,
            ["login_hint"] = loginHint,
        }.Where(kv => kv.Value is not null).ToDictionary());

    private static async Task<JsonNode> Token(HttpClient browser, Dictionary<string, string> form)
    {
        using var response = await browser.PostAsync("oauth/token", new FormUrlEncodedContent(form));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Json())!;
    }

    private static async Task<string> SignIn(HttpClient browser, string email, string scope = "global")
    {
        using var page = await browser.GetAsync(AuthorizeQuery(scope));
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains(email, html);
        using var picked = await browser.PostAsync("oauth/authorize", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["client_id"] = SandboxUsers.PortalOAuthClientId,
            ["response_type"] = "code",
            ["scope"] = scope,
            ["state"] = "xyz-state",
            ["redirect_uri"] = Redirect,
            ["user"] = email,
        }));
        Assert.Equal(HttpStatusCode.Redirect, picked.StatusCode);
        var location = picked.Headers.Location!;
        Assert.StartsWith(Redirect, location.ToString());
        var query = QueryHelpers.ParseQuery(location.Query);
        Assert.Equal("xyz-state", query["state"].ToString());
        return query["code"].ToString();
    }

    [Fact]
    public async Task The_code_flow_issues_tokens_that_work_on_the_api_and_codes_are_single_use()
    {
        await using var host = await SandboxHost.StartAsync();
        var browser = host.Client(token: null);
        var code = await SignIn(browser, "bob@example.com");
        var exchange = new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["client_secret"] = SandboxUsers.PortalOAuthClientSecret,
        };

        var token = await Token(browser, exchange);

        Assert.Equal("Bearer", token["token_type"]!.GetValue<string>());
        Assert.Equal(SandboxUsers.Bob.Id.ToString(), token["user_id"]!.GetValue<string>());
        Assert.True(token["expires_in"]!.GetValue<int>() > 0);
        Assert.False(string.IsNullOrEmpty(token["session_nonce"]!.GetValue<string>()));
        var account = await host.Client(token["access_token"]!.GetValue<string>()).GetJson("account");
        Assert.Equal("bob@example.com", account["email"]!.GetValue<string>());

        using var reused = await browser.PostAsync("oauth/token", new FormUrlEncodedContent(exchange));
        Assert.Equal(HttpStatusCode.Unauthorized, reused.StatusCode);

        var refreshed = await Token(browser, new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token",
            ["refresh_token"] = token["refresh_token"]!.GetValue<string>(),
            ["client_secret"] = SandboxUsers.PortalOAuthClientSecret,
        });
        Assert.NotEqual(token["access_token"]!.GetValue<string>(), refreshed["access_token"]!.GetValue<string>());
        Assert.Equal("bob@example.com", (await host.Client(refreshed["access_token"]!.GetValue<string>()).GetJson("account"))["email"]!.GetValue<string>());
    }

    [Fact]
    public async Task Login_hint_skips_the_page_and_a_wrong_secret_is_refused()
    {
        await using var host = await SandboxHost.StartAsync();
        var browser = host.Client(token: null);
        using var redirect = await browser.GetAsync(AuthorizeQuery(loginHint: "carol@example.com"));
        Assert.Equal(HttpStatusCode.Redirect, redirect.StatusCode);
        var code = QueryHelpers.ParseQuery(redirect.Headers.Location!.Query)["code"].ToString();

        using var refused = await browser.PostAsync("oauth/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["client_secret"] = "wrong",
        }));

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        using var unknownClient = await browser.GetAsync(AuthorizeQuery().Replace(SandboxUsers.PortalOAuthClientId, "someone-else"));
        Assert.Equal((HttpStatusCode)422, unknownClient.StatusCode);
    }

    [Fact]
    public async Task Access_tokens_expire()
    {
        var time = new RecordingFakeTime(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));
        await using var host = await SandboxHost.StartAsync(o => o.OAuthAccessTokenLifetime = TimeSpan.FromHours(8), time: time);
        var browser = host.Client(token: null);
        var code = await SignIn(browser, "alice@example.com");
        var token = await Token(browser, new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["client_secret"] = SandboxUsers.PortalOAuthClientSecret,
        });
        var api = host.Client(token["access_token"]!.GetValue<string>());
        Assert.Equal(8 * 3600, token["expires_in"]!.GetValue<int>());

        time.Advance(TimeSpan.FromHours(8) - TimeSpan.FromSeconds(1));
        using (var ok = await api.GetAsync("account"))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        time.Advance(TimeSpan.FromSeconds(1));
        using var expired = await api.GetAsync("account");
        Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
    }

    [Fact]
    public async Task Scopes_limit_what_a_token_may_do_and_the_token_call_is_logged_masked()
    {
        await using var host = await SandboxHost.StartAsync();
        var browser = host.Client(token: null);
        var code = await SignIn(browser, "alice@example.com", scope: "read");
        var token = await Token(browser, new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["client_secret"] = SandboxUsers.PortalOAuthClientSecret,
        });
        var api = host.Client(token["access_token"]!.GetValue<string>());

        using var app = await api.GetAsync("apps/mackerel");
        using var vars = await api.GetAsync("apps/mackerel/config-vars");
        using var scale = await api.SendJson(HttpMethod.Patch, "apps/mackerel/formation", new { updates = new[] { new { type = "web", quantity = 2 } } });

        Assert.Equal(HttpStatusCode.OK, app.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, vars.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, scale.StatusCode);
        var log = await (await browser.GetAsync("_sandbox/mutations")).Content.ReadAsStringAsync();
        Assert.DoesNotContain(code, log);
        Assert.DoesNotContain(SandboxUsers.PortalOAuthClientSecret, log);
        Assert.Contains("/oauth/token", log);
    }
}
