using System.Net;
using KafkaMigrationPortal.Features.Identity;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OAuth;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace KafkaMigrationPortal.Tests.Hosting;

/// <summary>
/// How the portal is served, by where it listens: on Heroku (every interface, behind the router that terminates TLS),
/// on another public address (no forwarded header believed), and on loopback (as configured, plain HTTP allowed).
/// </summary>
[Collection(PortalHostCollection.Name)]
public sealed class WebExposureTests : IDisposable
{
    private static readonly Uri PublicAddress = new("http://portal.example.com");
    private readonly string databaseFile = Path.Combine(Path.GetTempPath(), $"kmp-{Guid.NewGuid():N}.db");
    private readonly List<PortalFactory> portals = [];

    private PortalFactory Portal(string urls, string? dyno)
    {
        var portal = new PortalFactory(new Dictionary<string, string?>
        {
            ["Storage:SqlitePath"] = databaseFile,
            ["urls"] = urls,
            ["DYNO"] = dyno,
        });
        portals.Add(portal);
        return portal;
    }

    /// <summary>The Procfile's address on a dyno.</summary>
    private PortalFactory OnHeroku() => Portal("http://0.0.0.0:8080", dyno: "web.1");

    private PortalFactory PublicElsewhere() => Portal("http://0.0.0.0:8080", dyno: null);

    private static HttpClient Client(PortalFactory portal, Uri? address = null) =>
        portal.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false, BaseAddress = address ?? PublicAddress });

    private static async Task<HttpResponseMessage> GetAsync(HttpClient client, string path, string? forwardedProto, string? cookies = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (forwardedProto is not null) request.Headers.Add("X-Forwarded-Proto", forwardedProto);
        if (cookies is not null) request.Headers.Add("Cookie", cookies);
        return await client.SendAsync(request);
    }

    [Fact]
    public async Task Behind_Herokus_router_plain_HTTP_is_redirected_to_HTTPS_and_HTTPS_answers_with_HSTS_while_health_answers_either()
    {
        var client = Client(OnHeroku());

        using var plain = await GetAsync(client, "/signin?x=1", forwardedProto: "http");
        Assert.Equal(HttpStatusCode.PermanentRedirect, plain.StatusCode);
        Assert.Equal("https://portal.example.com/signin?x=1", plain.Headers.Location!.OriginalString);
        Assert.False(plain.Headers.Contains("Strict-Transport-Security"));

        using var secure = await GetAsync(client, "/signin", forwardedProto: "https");
        Assert.Equal(HttpStatusCode.OK, secure.StatusCode);
        Assert.Equal("max-age=31536000", Assert.Single(secure.Headers.GetValues("Strict-Transport-Security")));

        using var health = await GetAsync(client, "/health", forwardedProto: "http");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);

        // The scheme the router reports is the one the portal builds its own addresses with.
        using var challenge = await GetAsync(client, IdentityModule.ChallengePath, forwardedProto: "https");
        Assert.Contains("redirect_uri=" + Uri.EscapeDataString("https://portal.example.com/signin-heroku"), challenge.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task Off_a_dyno_forwarded_headers_are_not_believed_whoever_sends_them()
    {
        var portal = PublicElsewhere();

        // A claimed https changes nothing: the request is plain HTTP and is sent to HTTPS.
        using var claimed = await GetAsync(Client(portal), "/signin", forwardedProto: "https");
        Assert.Equal(HttpStatusCode.PermanentRedirect, claimed.StatusCode);
        Assert.Equal("https://portal.example.com/signin", claimed.Headers.Location!.OriginalString);

        // Served over HTTPS itself (Kestrel's own certificate), it answers with HSTS.
        using var direct = await GetAsync(Client(portal, new Uri("https://portal.example.com")), "/signin", forwardedProto: null);
        Assert.Equal(HttpStatusCode.OK, direct.StatusCode);
        Assert.Equal("max-age=31536000", Assert.Single(direct.Headers.GetValues("Strict-Transport-Security")));
    }

    [Fact]
    public async Task A_public_portal_makes_the_correlation_session_and_anti_forgery_cookies_Secure_whatever_the_request_says()
    {
        var portal = PublicElsewhere();

        var cookies = await SignInByHandAsync(Client(portal, new Uri("https://portal.example.com")), "alice@example.com");

        Assert.All(cookies, cookie => Assert.True(cookie.Secure, $"{cookie.Name} is not Secure"));
        Assert.Contains(cookies, c => c.Name.StartsWith(".AspNetCore.Correlation.", StringComparison.Ordinal));
        Assert.Contains(cookies, c => c.Name.StartsWith("kmp.session", StringComparison.Ordinal));
        Assert.Contains(cookies, c => c.Name.StartsWith(".AspNetCore.Antiforgery.", StringComparison.Ordinal));
        // Not just because this request was HTTPS: Secure on any request, so none can carry them in clear.
        Assert.Equal(CookieSecurePolicy.Always, portal.Services.GetRequiredService<IOptionsMonitor<CookieAuthenticationOptions>>()
            .Get(CookieAuthenticationDefaults.AuthenticationScheme).Cookie.SecurePolicy);
        Assert.Equal(CookieSecurePolicy.Always, portal.Services.GetRequiredService<IOptionsMonitor<OAuthOptions>>()
            .Get(IdentityModule.HerokuScheme).CorrelationCookie.SecurePolicy);
        Assert.Equal(CookieSecurePolicy.Always, portal.Services.GetRequiredService<IOptions<AntiforgeryOptions>>().Value.Cookie.SecurePolicy);
    }

    [Fact]
    public async Task On_loopback_the_portal_is_served_over_plain_HTTP_as_configured_even_on_a_dyno()
    {
        var portal = Portal("http://127.0.0.1:5000", dyno: "web.1");
        var client = Client(portal, new Uri("http://localhost"));

        using var signIn = await GetAsync(client, "/signin", forwardedProto: null);
        Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
        var cookies = await SignInByHandAsync(client, "alice@example.com");
        Assert.All(cookies, cookie => Assert.False(cookie.Secure, $"{cookie.Name} is Secure on plain HTTP"));
        Assert.Equal(HttpStatusCode.OK, (await (await portal.SignInAsync("bob@example.com")).GetAsync("/migrations")).StatusCode);
    }

    private sealed record SetCookie(string Name, string Value, bool Secure);

    /// <summary>
    /// The browser's sign-in, carrying cookies by hand to see each one as it was set, then opening a page with a form.
    /// Returns every cookie the portal set on the way.
    /// </summary>
    private static async Task<List<SetCookie>> SignInByHandAsync(HttpClient client, string email)
    {
        var set = new List<SetCookie>();
        using var challenge = await GetAsync(client, $"{IdentityModule.ChallengePath}?returnUrl=%2Fmigrations", forwardedProto: null);
        Assert.Equal(HttpStatusCode.Redirect, challenge.StatusCode);
        set.AddRange(CookiesSetBy(challenge));

        using var authorize = await GetAsync(client, challenge.Headers.Location + "&login_hint=" + Uri.EscapeDataString(email), forwardedProto: null);
        Assert.Equal(HttpStatusCode.Redirect, authorize.StatusCode);

        using var callback = await GetAsync(client, authorize.Headers.Location!.PathAndQuery, forwardedProto: null, CookieHeader(set));
        Assert.Equal(HttpStatusCode.Redirect, callback.StatusCode);
        Assert.Equal("/migrations", callback.Headers.Location!.OriginalString);
        set.AddRange(CookiesSetBy(callback));

        using var page = await GetAsync(client, "/migrations", forwardedProto: null, CookieHeader(set.Where(c => c.Name.StartsWith("kmp.session", StringComparison.Ordinal))));
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        set.AddRange(CookiesSetBy(page));
        // A correlation cookie is deleted again at the callback; the deletion is a Set-Cookie of its own.
        return set.Where(c => c.Value.Length > 0).ToList();
    }

    private static IEnumerable<SetCookie> CookiesSetBy(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Set-Cookie", out var values)
            ? values.Select(value =>
            {
                var parts = value.Split(';', StringSplitOptions.TrimEntries);
                var (name, cookieValue) = (parts[0][..parts[0].IndexOf('=')], parts[0][(parts[0].IndexOf('=') + 1)..]);
                return new SetCookie(name, cookieValue, parts.Skip(1).Any(p => p.Equals("secure", StringComparison.OrdinalIgnoreCase)));
            }).ToList()
            : [];

    private static string CookieHeader(IEnumerable<SetCookie> cookies) =>
        string.Join("; ", cookies.Where(c => c.Value.Length > 0).Select(c => $"{c.Name}={c.Value}"));

    public void Dispose()
    {
        foreach (var portal in portals) portal.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        File.Delete(databaseFile);
    }
}
