using Microsoft.AspNetCore.Hosting;
using KafkaMigrationPortal.Components;
using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace KafkaMigrationPortal.Tests.Hosting;

/// <summary>The real portal (found through its root component's assembly), in-process, configured only through the settings a deployment would use.</summary>
/// <param name="time">Replaces the portal's clock. Keep it at or ahead of the machine's: the test client's cookie jar
/// drops cookies whose expiry (stamped on this clock) has passed on the machine's.</param>
public sealed class PortalFactory(IReadOnlyDictionary<string, string?> settings, TimeProvider? time = null) : WebApplicationFactory<App>
{
    public static PortalFactory OnSqlite(string databaseFile, TimeProvider? time = null) =>
        new(new Dictionary<string, string?> { ["Storage:SqlitePath"] = databaseFile }, time);

    public static PortalFactory OnPostgres(string databaseUrl) =>
        new(new Dictionary<string, string?> { ["DATABASE_URL"] = databaseUrl });

    /// <inheritdoc cref="PortalSignIn.SignInAsync"/>
    public Task<HttpClient> SignInAsync(string email, string returnUrl = "/", string? scope = null) => PortalSignIn.SignInAsync(this, email, returnUrl, scope);

    /// <inheritdoc cref="PortalSignIn.TrySignInAsync"/>
    public Task<(HttpClient Client, string LandedOn)> TrySignInAsync(string email, string returnUrl = "/", string? scope = null, HttpClient? signedIn = null) =>
        PortalSignIn.TrySignInAsync(this, email, returnUrl, scope, signedIn);

    /// <summary>Every log line the portal wrote, formatted, at Debug level and above.</summary>
    public ConcurrentQueue<string> Logs { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        builder.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Debug).AddProvider(new CapturingLoggerProvider(Logs)));
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }

        if (time is not null)
        {
            builder.ConfigureTestServices(services => services.AddSingleton(time));
        }
    }
}

/// <summary>Sign-in through the embedded sandbox for any in-process portal (<see cref="PortalFactory"/>, the engine tests' host).</summary>
public static class PortalSignIn
{
    /// <summary>
    /// Signs a seeded sandbox user in the way a browser does: the portal's challenge redirects to the embedded
    /// sandbox's authorize endpoint (real HTTP), which redirects back with a code the portal exchanges.
    /// </summary>
    /// <param name="scope">Asked for by the challenge (as a grant prompt does); null: sign-in's own scope.</param>
    public static async Task<HttpClient> SignInAsync(this WebApplicationFactory<App> portal, string email, string returnUrl = "/", string? scope = null)
    {
        var (client, landedOn) = await portal.TrySignInAsync(email, returnUrl, scope);
        Assert.Equal(returnUrl, landedOn);
        return client;
    }

    /// <summary>Goes through sign-in as <see cref="SignInAsync"/> does; answers the client and where the portal sent it at the end.</summary>
    public static async Task<(HttpClient Client, string LandedOn)> TrySignInAsync(this WebApplicationFactory<App> portal, string email, string returnUrl = "/", string? scope = null, HttpClient? signedIn = null)
    {
        var client = signedIn ?? portal.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        using var challenge = await client.GetAsync($"/auth/challenge?returnUrl={Uri.EscapeDataString(returnUrl)}" + (scope is null ? "" : $"&scope={scope}"));
        Assert.Equal(HttpStatusCode.Redirect, challenge.StatusCode);

        // The embedded sandbox's sign-in page is served under the portal's own origin; a signed-in person's challenge
        // names them already.
        var authorizeUrl = challenge.Headers.Location!.OriginalString;
        if (!authorizeUrl.Contains("login_hint=", StringComparison.Ordinal)) authorizeUrl += "&login_hint=" + Uri.EscapeDataString(email);
        using var authorize = await client.GetAsync(authorizeUrl);
        Assert.Equal(HttpStatusCode.Redirect, authorize.StatusCode);
        var callback = authorize.Headers.Location!;

        using var landed = await client.GetAsync(callback.PathAndQuery);
        Assert.Equal(HttpStatusCode.Redirect, landed.StatusCode);
        return (client, landed.Headers.Location!.OriginalString);
    }
}

internal sealed class CapturingLoggerProvider(ConcurrentQueue<string> lines) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, lines);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {exception}");
    }
}
