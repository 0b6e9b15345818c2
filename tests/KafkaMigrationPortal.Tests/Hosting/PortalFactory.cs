using Microsoft.AspNetCore.Hosting;
using KafkaMigrationPortal.Components;
using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;

namespace KafkaMigrationPortal.Tests.Hosting;

/// <summary>The real portal (found through its root component's assembly), in-process, configured only through the settings a deployment would use.</summary>
public sealed class PortalFactory(IReadOnlyDictionary<string, string?> settings) : WebApplicationFactory<App>
{
    public static PortalFactory OnSqlite(string databaseFile) =>
        new(new Dictionary<string, string?> { ["Storage:SqlitePath"] = databaseFile });

    public static PortalFactory OnPostgres(string databaseUrl) =>
        new(new Dictionary<string, string?> { ["DATABASE_URL"] = databaseUrl });

    /// <summary>
    /// Signs a seeded sandbox user in the way a browser does: the portal's challenge redirects to the embedded
    /// sandbox's authorize endpoint (real HTTP), which redirects back with a code the portal exchanges.
    /// </summary>
    public async Task<HttpClient> SignInAsync(string email, string returnUrl = "/")
    {
        var client = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        using var challenge = await client.GetAsync($"/auth/challenge?returnUrl={Uri.EscapeDataString(returnUrl)}");
        Assert.Equal(HttpStatusCode.Redirect, challenge.StatusCode);

        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        using var authorize = await browser.GetAsync(challenge.Headers.Location + "&login_hint=" + Uri.EscapeDataString(email));
        Assert.Equal(HttpStatusCode.Redirect, authorize.StatusCode);
        var callback = authorize.Headers.Location!;

        using var signedIn = await client.GetAsync(callback.PathAndQuery);
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        Assert.Equal(returnUrl, signedIn.Headers.Location!.OriginalString);
        return client;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }
    }
}
