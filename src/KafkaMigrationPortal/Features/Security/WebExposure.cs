using KafkaMigrationPortal.Features.Health;
using KafkaMigrationPortal.Features.Identity;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.HttpOverrides;

namespace KafkaMigrationPortal.Features.Security;

/// <summary>
/// Who can reach the portal, decided once at start-up. It is <see cref="IsPublic"/> when it listens on any address
/// other than loopback (outside Development): then it is served over HTTPS only (plain HTTP is redirected, HSTS is sent)
/// and its cookies are Secure. On a Heroku dyno (<c>DYNO</c> set) Heroku's router is the only way in: it terminates TLS
/// and reports the scheme and the client in X-Forwarded-Proto and X-Forwarded-For, so those headers are believed there
/// and nowhere else (anywhere else anyone could send them).
/// </summary>
/// <param name="HttpsPort">Where plain HTTP is redirected, when the redirection middleware cannot find it itself.</param>
public sealed record WebExposure(bool IsPublic, bool BehindHerokuRouter, int? HttpsPort)
{
    /// <summary>Set by Heroku on every dyno (<c>web.1</c>, <c>worker.2</c>, …).</summary>
    public const string DynoVariable = "DYNO";

    /// <summary>ASPNETCORE_HTTPS_PORT: the port HTTPS is offered on, when not Kestrel's own.</summary>
    public const string HttpsPortKey = "https_port";

    /// <summary>Where a TLS-terminating router or proxy (Heroku's) serves HTTPS, whatever port the portal listens on.</summary>
    public const int StandardHttpsPort = 443;

    public static WebExposure From(IConfiguration configuration, IHostEnvironment environment)
    {
        var addresses = SingleOperatorReach.From(configuration);
        // Kestrel's own HTTPS endpoint and ASPNETCORE_HTTPS_PORT are found by the redirection middleware.
        var httpsKnown = addresses.Any(address => address.Url.StartsWith("https:", StringComparison.OrdinalIgnoreCase))
            || !string.IsNullOrEmpty(configuration[HttpsPortKey]);
        return new(
            IsPublic: !environment.IsDevelopment() && addresses.Any(address => !address.IsLoopback),
            BehindHerokuRouter: !string.IsNullOrEmpty(configuration[DynoVariable]),
            HttpsPort: httpsKnown ? null : StandardHttpsPort);
    }

    /// <summary>Secure when public (every request reaching a page is HTTPS there); on loopback, as the request came.</summary>
    public CookieSecurePolicy CookieSecurity => IsPublic ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;
}

public static class WebExposureModule
{
    public static IHostApplicationBuilder AddWebExposure(this IHostApplicationBuilder builder)
    {
        var exposure = WebExposure.From(builder.Configuration, builder.Environment);
        var services = builder.Services;
        services.AddSingleton(exposure);
        services.Configure<ForwardedHeadersOptions>(options =>
        {
            options.ForwardedHeaders = ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedFor;
            // The router's address is not published: it is trusted by being the only way to a dyno, and only its
            // own (last) entry of each header is read, not what a client put before it.
            options.KnownIPNetworks.Clear();
            options.KnownProxies.Clear();
            options.ForwardLimit = 1;
        });
        services.Configure<AntiforgeryOptions>(options => options.Cookie.SecurePolicy = exposure.CookieSecurity);
        services.AddHsts(options => options.MaxAge = TimeSpan.FromDays(365));
        services.AddHttpsRedirection(options =>
        {
            options.RedirectStatusCode = StatusCodes.Status308PermanentRedirect;
            options.HttpsPort = exposure.HttpsPort;
        });
        return builder;
    }

    /// <summary>First in the pipeline: the scheme and client are settled before anything reads them.</summary>
    public static IApplicationBuilder UseWebExposure(this IApplicationBuilder app)
    {
        var exposure = app.ApplicationServices.GetRequiredService<WebExposure>();
        if (exposure.BehindHerokuRouter) app.UseForwardedHeaders();
        if (!exposure.IsPublic) return app;

        app.UseHsts();
        // Health probes may come over plain HTTP and must get their answer, not a redirect.
        app.UseWhen(context => !context.Request.Path.StartsWithSegments(HealthModule.Path), https => https.UseHttpsRedirection());
        return app;
    }
}
