using System.Net;
using KafkaMigrationPortal.Engine.Storage;
using KafkaMigrationPortal.Features.Connections;

namespace KafkaMigrationPortal.Features.Identity;

/// <summary>An address the web server is configured to listen on, and the setting that put it there.</summary>
public sealed record ListenAddress(string Url, string Setting)
{
    /// <summary>
    /// "localhost", 127.0.0.0/8 and ::1 are loopback. Everything else is not: 0.0.0.0, [::], * and + listen on every
    /// interface, and Kestrel binds any other host name (or a Unix socket path it cannot vouch for) the same way.
    /// </summary>
    public bool IsLoopback => IsLoopbackUrl(Url);

    public static bool IsLoopbackUrl(string url)
    {
        var schemeEnd = url.IndexOf("://", StringComparison.Ordinal);
        var authority = schemeEnd < 0 ? url : url[(schemeEnd + 3)..];
        var pathStart = authority.IndexOf('/');
        if (pathStart >= 0) authority = authority[..pathStart];

        string host;
        if (authority.StartsWith('['))
        {
            var close = authority.IndexOf(']');
            if (close < 0) return false;
            host = authority[1..close];
        }
        else
        {
            var portStart = authority.LastIndexOf(':');
            host = portStart >= 0 ? authority[..portStart] : authority;
        }

        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)) return true;
        if (!IPAddress.TryParse(host, out var address)) return false;
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        return IPAddress.IsLoopback(address);
    }
}

/// <summary>
/// Single-operator mode makes whoever reaches the portal the local operator with every role, so it must be reachable
/// from this machine only: start-up refuses any listen address that is not loopback, and requests from a remote
/// address are refused even so (a proxy or port forward could still bring one in).
/// </summary>
public static class SingleOperatorReach
{
    public const string UrlsKey = "urls";
    public const string HttpPortsKey = "http_ports";
    public const string HttpsPortsKey = "https_ports";
    public const string KestrelEndpointsKey = "Kestrel:Endpoints";

    /// <summary>Kestrel's default when nothing is configured.</summary>
    public const string DefaultUrl = "http://localhost:5000";

    /// <summary>
    /// The addresses the server will listen on, with Kestrel's precedence: its configured endpoints replace the
    /// URLs, which replace the HTTP(S) ports.
    /// </summary>
    public static IReadOnlyList<ListenAddress> From(IConfiguration configuration)
    {
        var endpoints = configuration.GetSection(KestrelEndpointsKey).GetChildren()
            .Where(endpoint => endpoint["Url"] is { Length: > 0 })
            .Select(endpoint => new ListenAddress(endpoint["Url"]!, $"Kestrel__Endpoints__{endpoint.Key}__Url"))
            .ToList();
        if (endpoints.Count > 0) return endpoints;

        var urls = Split(configuration[UrlsKey]).Select(url => new ListenAddress(url, "ASPNETCORE_URLS (or --urls)")).ToList();
        if (urls.Count > 0) return urls;

        var ports = Split(configuration[HttpPortsKey]).Select(port => new ListenAddress($"http://*:{port}", "ASPNETCORE_HTTP_PORTS"))
            .Concat(Split(configuration[HttpsPortsKey]).Select(port => new ListenAddress($"https://*:{port}", "ASPNETCORE_HTTPS_PORTS")))
            .ToList();
        return ports.Count > 0 ? ports : [new ListenAddress(DefaultUrl, "ASPNETCORE_URLS (or --urls)")];
    }

    private static string[] Split(string? list) =>
        list?.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];

    /// <summary>Throws, naming the setting to change, unless every address the server listens on is loopback.</summary>
    public static void EnsureOnlyThisMachine(IConfiguration configuration)
    {
        if (From(configuration).FirstOrDefault(address => !address.IsLoopback) is { } exposed)
        {
            throw new PortalConfigurationException(
                $"single-operator mode ({HerokuConnection.ApiKeyVariable} without {SignInSettings.ClientIdKey}) gives whoever reaches the portal every role, " +
                $"so it listens on loopback only, but {exposed.Setting} asks for {exposed.Url}: set {exposed.Setting} to a localhost or 127.0.0.1 address, " +
                $"or set {SignInSettings.ClientIdKey} and {SignInSettings.ClientSecretKey} so everyone signs in with Heroku");
        }
    }

    /// <summary>
    /// A request's remote address is allowed when it is loopback, or absent: in-process requests (TestServer) have none.
    /// </summary>
    public static bool IsFromThisMachine(IPAddress? remote) =>
        remote is null || IPAddress.IsLoopback(remote.IsIPv4MappedToIPv6 ? remote.MapToIPv4() : remote);

    /// <summary>In single-operator mode, answers 403 to any request from another machine.</summary>
    public static IApplicationBuilder UseSingleOperatorReach(this IApplicationBuilder app)
    {
        if (app.ApplicationServices.GetRequiredService<SignInSettings>().Mode != SignInMode.SingleOperator) return app;

        return app.Use(async (context, next) =>
        {
            if (!IsFromThisMachine(context.Connection.RemoteIpAddress))
            {
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
                await context.Response.WriteAsync("Single-operator mode serves this machine only: sign-in with Heroku is needed to reach the portal from elsewhere.");
                return;
            }

            await next(context);
        });
    }
}
