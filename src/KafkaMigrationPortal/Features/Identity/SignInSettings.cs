using KafkaMigrationPortal.Features.Connections;
using KafkaMigrationPortal.Sandbox;
using KafkaMigrationPortal.Engine.Storage;

namespace KafkaMigrationPortal.Features.Identity;

public enum SignInMode
{
    /// <summary>Heroku OAuth (id.heroku.com, or the sandbox's stand-in): every person signs in as themselves.</summary>
    HerokuOAuth,

    /// <summary><c>HEROKU_API_KEY</c> set and no OAuth client: one local operator, for a run on one's own machine.</summary>
    SingleOperator,
}

/// <summary>How people sign in, decided once at start-up from configuration.</summary>
public sealed record SignInSettings(SignInMode Mode, string? ClientId, string? ClientSecret, Uri? AuthorizationEndpoint, Uri? TokenEndpoint, string Scope)
{
    public const string ClientIdKey = "HEROKU_OAUTH_ID";
    public const string ClientSecretKey = "HEROKU_OAUTH_SECRET";
    public const string AuthorizationEndpointKey = "Authentication:Heroku:AuthorizationEndpoint";
    public const string TokenEndpointKey = "Authentication:Heroku:TokenEndpoint";
    public const string ScopeKey = "Authentication:Heroku:Scope";

    /// <summary>Null endpoints mean "the embedded sandbox's", known once it has started.</summary>
    public bool UsesEmbeddedSandbox => Mode == SignInMode.HerokuOAuth && AuthorizationEndpoint is null;

    public static SignInSettings From(IConfiguration configuration, HerokuConnection connection)
    {
        // Sign-in asks only for what admitting a person needs: their identity, or read access where admission reads
        // their teams. Wider grants are asked for when a person first acts (HerokuGrantNeeded).
        var readsTeams = !string.IsNullOrWhiteSpace(configuration[SignInAllowList.TeamsKey]);
        var scope = configuration[ScopeKey] is { Length: > 0 } s ? s : readsTeams ? HerokuScopes.Read : HerokuScopes.Identity;
        if (readsTeams && !HerokuScopes.Covers(scope, HerokuScopes.Read))
            throw new PortalConfigurationException($"{ScopeKey} is '{scope}', but {SignInAllowList.TeamsKey} needs sign-in to read the person's teams: use 'read' or wider");
        var clientId = configuration[ClientIdKey];
        if (!string.IsNullOrWhiteSpace(clientId))
        {
            var secret = configuration[ClientSecretKey];
            if (string.IsNullOrWhiteSpace(secret))
            {
                throw new PortalConfigurationException($"{ClientIdKey} is set but {ClientSecretKey} is not: Heroku OAuth needs both");
            }

            return new(SignInMode.HerokuOAuth, clientId, secret,
                Endpoint(configuration, AuthorizationEndpointKey, "https://id.heroku.com/oauth/authorize"),
                Endpoint(configuration, TokenEndpointKey, "https://id.heroku.com/oauth/token"),
                scope);
        }

        return connection.EmbedsSandbox
            ? new(SignInMode.HerokuOAuth, SandboxUsers.PortalOAuthClientId, SandboxUsers.PortalOAuthClientSecret, null, null, scope)
            : new(SignInMode.SingleOperator, null, null, null, null, scope);
    }

    private static Uri Endpoint(IConfiguration configuration, string key, string fallback) =>
        Uri.TryCreate(configuration[key] ?? fallback, UriKind.Absolute, out var uri)
            ? uri
            : throw new PortalConfigurationException($"{key} is not an absolute URL");
}
