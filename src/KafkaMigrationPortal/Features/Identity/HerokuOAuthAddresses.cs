using KafkaMigrationPortal.Features.Connections;

namespace KafkaMigrationPortal.Features.Identity;

/// <summary>Where the OAuth authorize and token endpoints are: configured, or the embedded sandbox's once it runs.</summary>
public sealed class HerokuOAuthAddresses(SignInSettings settings, IServiceProvider services)
{
    public Uri Authorization => settings.AuthorizationEndpoint ?? new Uri(Sandbox().BaseUrl, "oauth/authorize");

    public Uri Token => settings.TokenEndpoint ?? new Uri(Sandbox().BaseUrl, "oauth/token");

    private EmbeddedSandbox Sandbox() => services.GetRequiredService<EmbeddedSandbox>();
}
