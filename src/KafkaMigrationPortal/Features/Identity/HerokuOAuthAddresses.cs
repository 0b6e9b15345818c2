using KafkaMigrationPortal.Features.Connections;

namespace KafkaMigrationPortal.Features.Identity;

/// <summary>
/// Where the OAuth authorize and token endpoints are: configured, or the embedded sandbox's once it runs. The browser
/// reaches the embedded sandbox's sign-in page through the portal's own origin (<see cref="SandboxSignInPath"/>): the
/// sandbox listens on loopback only, which no visitor of a deployed demo could reach.
/// </summary>
public sealed class HerokuOAuthAddresses(SignInSettings settings, IServiceProvider services)
{
    public const string SandboxSignInPath = "/sandbox-signin/authorize";

    /// <summary>For the browser: absolute when configured, the portal's own path in front of the embedded sandbox.</summary>
    public Uri Authorization => settings.AuthorizationEndpoint ?? new Uri(SandboxSignInPath, UriKind.Relative);

    /// <summary>The embedded sandbox's authorize page itself, which <see cref="SandboxSignInPath"/> forwards to.</summary>
    public Uri SandboxAuthorization => new(Sandbox().BaseUrl, "oauth/authorize");

    public Uri Token => settings.TokenEndpoint ?? new Uri(Sandbox().BaseUrl, "oauth/token");

    private EmbeddedSandbox Sandbox() => services.GetRequiredService<EmbeddedSandbox>();
}
