using KafkaMigrationPortal.Engine.Storage;
using KafkaMigrationPortal.Features.Identity;
using KafkaMigrationPortal.Features.Jobs;
using KafkaMigrationPortal.Sandbox;

namespace KafkaMigrationPortal.Features.Connections;

/// <summary>What <c>PORTAL_MODE</c> came to, decided once at start-up for the whole process.</summary>
/// <param name="EmbedsSandbox">The sandbox runs inside this process (sandbox mode with no credential configured);
/// otherwise sandbox mode talks to a standalone sandbox on this machine.</param>
public sealed record PortalMode(HerokuConnectionMode Mode, bool EmbedsSandbox)
{
    public const string Variable = "PORTAL_MODE";
    public const string PlatformUrlKey = "Heroku:PlatformApiBaseUrl";
    public const string KafkaUrlKey = "Heroku:KafkaApiBaseUrl";

    /// <summary>
    /// <c>PORTAL_MODE</c> = <c>sandbox</c> or <c>heroku</c>. Unset, it is <c>sandbox</c> when no Heroku credential and no
    /// OAuth client are configured, or when the Platform API is on loopback (a standalone sandbox), else <c>heroku</c>.
    /// A configuration that would send real Heroku tokens to a sandbox, or sandbox ones to Heroku, stops start-up.
    /// </summary>
    public static PortalMode Decide(IConfiguration configuration, PortalRole role)
    {
        var apiKey = Setting(configuration, HerokuConnection.ApiKeyVariable);
        var clientId = Setting(configuration, SignInSettings.ClientIdKey);
        var platformUrl = Setting(configuration, PlatformUrlKey);
        var requested = Setting(configuration, Variable);
        var (mode, why) = requested?.ToLowerInvariant() switch
        {
            null when apiKey is null && clientId is null => (HerokuConnectionMode.Sandbox, $"sandbox mode ({Variable} unset, no Heroku credential)"),
            null when IsLoopback(platformUrl) => (HerokuConnectionMode.Sandbox, $"sandbox mode ({Variable} unset, {Env(PlatformUrlKey)} on this machine)"),
            null => (HerokuConnectionMode.Heroku, $"heroku mode ({Variable} unset, {(apiKey is null ? SignInSettings.ClientIdKey : HerokuConnection.ApiKeyVariable)} set)"),
            "sandbox" => (HerokuConnectionMode.Sandbox, $"{Variable}=sandbox"),
            "heroku" => (HerokuConnectionMode.Heroku, $"{Variable}=heroku"),
            _ => throw new PortalConfigurationException($"{Variable} is '{requested}': use sandbox (the simulated Heroku) or heroku"),
        };

        if (mode == HerokuConnectionMode.Heroku)
        {
            EnsureHeroku(configuration, why, apiKey, clientId);
            return new(mode, EmbedsSandbox: false);
        }

        if (apiKey is null && clientId is null)
        {
            if (role == PortalRole.Worker)
            {
                throw new PortalConfigurationException(
                    $"A worker cannot run in sandbox mode: the sandbox lives inside the web process, which a worker cannot share; scale the worker to 0, or set {Variable}=heroku with {SignInSettings.ClientIdKey} and {SignInSettings.ClientSecretKey} or {HerokuConnection.ApiKeyVariable}");
            }

            return new(mode, EmbedsSandbox: true);
        }

        EnsureStandaloneSandbox(configuration, why, apiKey, clientId, platformUrl);
        return new(mode, EmbedsSandbox: false);
    }

    private static void EnsureHeroku(IConfiguration configuration, string why, string? apiKey, string? clientId)
    {
        if (apiKey is null && clientId is null)
        {
            throw new PortalConfigurationException(
                $"{why} needs a Heroku credential: set {SignInSettings.ClientIdKey} and {SignInSettings.ClientSecretKey} (everyone signs in with Heroku) or {HerokuConnection.ApiKeyVariable}, or set {Variable}=sandbox");
        }

        foreach (var key in new[] { PlatformUrlKey, KafkaUrlKey, SignInSettings.AuthorizationEndpointKey, SignInSettings.TokenEndpointKey })
        {
            if (Setting(configuration, key) is { } url && IsLoopback(url))
            {
                throw new PortalConfigurationException(
                    $"{why} but {Env(key)} points at this machine ({url}): real Heroku tokens must not go to a sandbox; unset {Env(key)}, or set {Variable}=sandbox");
            }
        }

        if (apiKey is not null && IsSandboxToken(apiKey))
        {
            throw new PortalConfigurationException(
                $"{why} but {HerokuConnection.ApiKeyVariable} is a sandbox user's token: set a Heroku API key (heroku authorizations:create), or set {Variable}=sandbox");
        }

        if (clientId == SandboxUsers.PortalOAuthClientId)
        {
            throw new PortalConfigurationException(
                $"{why} but {SignInSettings.ClientIdKey} is the sandbox's OAuth client: set a Heroku OAuth client (heroku clients:create), or set {Variable}=sandbox");
        }
    }

    private static void EnsureStandaloneSandbox(IConfiguration configuration, string why, string? apiKey, string? clientId, string? platformUrl)
    {
        var credential = apiKey is null ? SignInSettings.ClientIdKey : HerokuConnection.ApiKeyVariable;
        if (!IsLoopback(platformUrl))
        {
            throw new PortalConfigurationException(
                $"{why} with {credential} set needs a standalone sandbox: point {Env(PlatformUrlKey)} at it on this machine (e.g. http://127.0.0.1:5199/), or unset {credential} for the built-in sandbox, or set {Variable}=heroku");
        }

        if (Setting(configuration, KafkaUrlKey) is { } kafkaUrl && !IsLoopback(kafkaUrl))
        {
            throw new PortalConfigurationException(
                $"{why} but {Env(KafkaUrlKey)} points at {kafkaUrl}, not at the sandbox: unset it (it then follows {Env(PlatformUrlKey)}) or point it at the sandbox");
        }

        var forHeroku = $"or, to act on Heroku, set {Variable}=heroku and unset {Env(PlatformUrlKey)}";
        if (apiKey is not null && !IsSandboxToken(apiKey))
        {
            throw new PortalConfigurationException(
                $"{why} but {HerokuConnection.ApiKeyVariable} is not a sandbox user's token, and a real one must not go to a sandbox: use {SandboxUsers.Alice.ApiToken} (or bob's, carol's), {forHeroku}");
        }

        if (clientId is null)
        {
            return;
        }

        if (clientId != SandboxUsers.PortalOAuthClientId)
        {
            throw new PortalConfigurationException(
                $"{why} but {SignInSettings.ClientIdKey} is not the sandbox's OAuth client, and a real one's secret must not go to a sandbox: set it to {SandboxUsers.PortalOAuthClientId}, {forHeroku}");
        }

        foreach (var (key, path) in new[] { (SignInSettings.AuthorizationEndpointKey, "oauth/authorize"), (SignInSettings.TokenEndpointKey, "oauth/token") })
        {
            var endpoint = Setting(configuration, key);
            if (!IsLoopback(endpoint))
            {
                throw new PortalConfigurationException(
                    $"{why} but {Env(key)} is {endpoint ?? "unset (id.heroku.com)"}: signing in at Heroku would hand real tokens to the sandbox; point it at the sandbox ({new Uri(new Uri(platformUrl!), path)})");
            }
        }
    }

    private static bool IsSandboxToken(string token) => SandboxUsers.All.Any(u => u.ApiToken == token);

    private static string? Setting(IConfiguration configuration, string key) => configuration[key] is { } value && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

    private static string Env(string key) => key.Replace(":", "__");

    internal static bool IsLoopback(string? url) => Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.IsLoopback;
}
