using KafkaMigrationPortal.Engine.Storage;
using KafkaMigrationPortal.Features.Connections;
using KafkaMigrationPortal.Features.Jobs;
using KafkaMigrationPortal.Heroku;
using KafkaMigrationPortal.Sandbox;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace KafkaMigrationPortal.Tests.Connections;

/// <summary>
/// <c>PORTAL_MODE</c>: which Heroku the portal talks to, and the configurations that would mix a sandbox with Heroku
/// (real tokens sent to a sandbox, sandbox ones to Heroku), which stop start-up with a line naming what to change.
/// </summary>
public sealed class PortalModeTests
{
    private const string RealKey = "3b1f8e2c-0000-4000-8000-00000000beef";
    private const string RealClient = "9d2c1a7e-0000-4000-8000-0000000c1e47";
    private const string Sandbox = "http://127.0.0.1:5199/";

    private static readonly (string Key, string? Value) NoKey = ("HEROKU_API_KEY", null);

    private static IConfiguration Configuration(params (string Key, string? Value)[] settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key.Replace("__", ":"), s.Value))).Build();

    private static PortalMode Decide(params (string Key, string? Value)[] settings) => PortalMode.Decide(Configuration(settings), PortalRole.Web);

    private static string Refused(PortalRole role, params (string Key, string? Value)[] settings) =>
        Assert.Throws<PortalConfigurationException>(() => PortalMode.Decide(Configuration(settings), role)).Message;

    private static string Refused(params (string Key, string? Value)[] settings) => Refused(PortalRole.Web, settings);

    private static (string, string?)[] SandboxOAuthClient(string clientId = SandboxUsers.PortalOAuthClientId) =>
    [
        ("HEROKU_OAUTH_ID", clientId), ("HEROKU_OAUTH_SECRET", "secret"),
        ("Authentication__Heroku__AuthorizationEndpoint", Sandbox + "oauth/authorize"), ("Authentication__Heroku__TokenEndpoint", Sandbox + "oauth/token"),
    ];

    // PORTAL_MODE unset

    [Fact]
    public void Unset_with_nothing_Heroku_configured_is_sandbox_mode_with_the_sandbox_in_process()
    {
        Assert.Equal(new PortalMode(HerokuConnectionMode.Sandbox, EmbedsSandbox: true), Decide());
        Assert.Equal(new PortalMode(HerokuConnectionMode.Sandbox, EmbedsSandbox: true), Decide(("PORTAL_MODE", " "), NoKey));
    }

    [Theory]
    [InlineData("HEROKU_API_KEY", RealKey)]
    [InlineData("HEROKU_OAUTH_ID", RealClient)]
    public void Unset_with_a_Heroku_credential_or_OAuth_client_is_heroku_mode(string key, string value) =>
        Assert.Equal(new PortalMode(HerokuConnectionMode.Heroku, EmbedsSandbox: false), Decide((key, value), ("HEROKU_OAUTH_SECRET", "secret")));

    [Fact]
    public void Unset_with_a_sandbox_token_and_a_loopback_Platform_API_is_a_standalone_sandbox()
    {
        Assert.Equal(new PortalMode(HerokuConnectionMode.Sandbox, EmbedsSandbox: false),
            Decide(("HEROKU_API_KEY", SandboxUsers.Alice.ApiToken), ("Heroku__PlatformApiBaseUrl", Sandbox)));
        Assert.Equal(new PortalMode(HerokuConnectionMode.Sandbox, EmbedsSandbox: false),
            Decide([.. SandboxOAuthClient(), ("Heroku__PlatformApiBaseUrl", "http://localhost:5199/"), ("Heroku__KafkaApiBaseUrl", "http://[::1]:5199/")]));
    }

    [Fact]
    public void Unset_with_a_real_OAuth_client_and_the_APIs_on_loopback_is_refused_naming_the_client_setting()
    {
        var message = Refused([.. SandboxOAuthClient(RealClient), ("Heroku__PlatformApiBaseUrl", Sandbox)]);

        Assert.StartsWith("sandbox mode (PORTAL_MODE unset, Heroku__PlatformApiBaseUrl on this machine) but HEROKU_OAUTH_ID is not the sandbox's OAuth client", message);
        Assert.Contains("PORTAL_MODE=heroku and unset Heroku__PlatformApiBaseUrl", message);
    }

    [Fact]
    public void Unset_with_a_real_key_and_the_APIs_on_loopback_is_refused_naming_the_key() =>
        Assert.Contains("HEROKU_API_KEY is not a sandbox user's token",
            Refused(("HEROKU_API_KEY", RealKey), ("Heroku__PlatformApiBaseUrl", Sandbox), ("Heroku__KafkaApiBaseUrl", Sandbox)));

    [Fact]
    public void Unset_with_a_Heroku_Platform_API_but_sign_in_on_loopback_is_refused_naming_the_endpoint() =>
        Assert.Equal(
            "heroku mode (PORTAL_MODE unset, HEROKU_OAUTH_ID set) but Authentication__Heroku__TokenEndpoint points at this machine (http://127.0.0.1:5199/oauth/token): real Heroku tokens must not go to a sandbox; unset Authentication__Heroku__TokenEndpoint, or set PORTAL_MODE=sandbox",
            Refused(("HEROKU_OAUTH_ID", RealClient), ("HEROKU_OAUTH_SECRET", "secret"), ("Authentication__Heroku__TokenEndpoint", Sandbox + "oauth/token")));

    // PORTAL_MODE=heroku

    [Theory]
    [InlineData("heroku")]
    [InlineData("Heroku")]
    public void Heroku_mode_with_a_credential_talks_to_Heroku(string value)
    {
        Assert.Equal(new PortalMode(HerokuConnectionMode.Heroku, EmbedsSandbox: false), Decide(("PORTAL_MODE", value), ("HEROKU_API_KEY", RealKey)));
        Assert.Equal(new PortalMode(HerokuConnectionMode.Heroku, EmbedsSandbox: false),
            Decide(("PORTAL_MODE", value), ("HEROKU_OAUTH_ID", RealClient), ("HEROKU_OAUTH_SECRET", "secret"), ("Heroku__PlatformApiBaseUrl", "https://api.heroku.com")));
    }

    [Fact]
    public void Heroku_mode_without_any_credential_is_refused_naming_both_ways_to_give_one()
    {
        var message = Refused(("PORTAL_MODE", "heroku"));

        Assert.StartsWith("PORTAL_MODE=heroku needs a Heroku credential", message);
        Assert.Contains("HEROKU_OAUTH_ID and HEROKU_OAUTH_SECRET", message);
        Assert.Contains("HEROKU_API_KEY", message);
    }

    [Theory]
    [InlineData("Heroku__PlatformApiBaseUrl", "http://127.0.0.1:9/")]
    [InlineData("Heroku__KafkaApiBaseUrl", "http://localhost:9/")]
    [InlineData("Authentication__Heroku__AuthorizationEndpoint", "http://[::1]:9/oauth/authorize")]
    [InlineData("Authentication__Heroku__TokenEndpoint", "http://127.0.0.2:9/oauth/token")]
    public void Heroku_mode_with_an_address_on_loopback_is_refused_naming_that_setting(string key, string url)
    {
        var message = Refused(("PORTAL_MODE", "heroku"), ("HEROKU_API_KEY", RealKey), ("HEROKU_OAUTH_ID", RealClient), ("HEROKU_OAUTH_SECRET", "secret"), (key, url));

        Assert.Equal($"PORTAL_MODE=heroku but {key} points at this machine ({url}): real Heroku tokens must not go to a sandbox; unset {key}, or set PORTAL_MODE=sandbox", message);
    }

    [Fact]
    public void Heroku_mode_with_a_sandbox_token_or_the_sandboxs_OAuth_client_is_refused()
    {
        Assert.Contains("HEROKU_API_KEY is a sandbox user's token", Refused(("PORTAL_MODE", "heroku"), ("HEROKU_API_KEY", SandboxUsers.Bob.ApiToken)));
        Assert.Contains("HEROKU_OAUTH_ID is the sandbox's OAuth client",
            Refused(("PORTAL_MODE", "heroku"), ("HEROKU_OAUTH_ID", SandboxUsers.PortalOAuthClientId), ("HEROKU_OAUTH_SECRET", "secret")));
    }

    // PORTAL_MODE=sandbox

    [Fact]
    public void Sandbox_mode_with_nothing_Heroku_configured_hosts_the_sandbox() =>
        Assert.Equal(new PortalMode(HerokuConnectionMode.Sandbox, EmbedsSandbox: true), Decide(("PORTAL_MODE", "sandbox")));

    [Theory]
    [InlineData("HEROKU_OAUTH_ID", RealClient)]
    [InlineData("HEROKU_API_KEY", RealKey)]
    [InlineData("HEROKU_API_KEY", "sandbox-token-alice")]
    public void Sandbox_mode_with_a_credential_but_Heroku_as_Platform_API_is_refused_naming_it(string key, string value)
    {
        var message = Refused(("PORTAL_MODE", "sandbox"), (key, value), ("HEROKU_OAUTH_SECRET", "secret"));

        Assert.Equal(
            $"PORTAL_MODE=sandbox with {key} set needs a standalone sandbox: point Heroku__PlatformApiBaseUrl at it on this machine (e.g. http://127.0.0.1:5199/), or unset {key} for the built-in sandbox, or set PORTAL_MODE=heroku",
            message);
    }

    [Fact]
    public void Sandbox_mode_with_a_real_key_on_a_loopback_Platform_API_is_refused_naming_the_key()
    {
        var message = Refused(("PORTAL_MODE", "sandbox"), ("HEROKU_API_KEY", RealKey), ("Heroku__PlatformApiBaseUrl", Sandbox));

        Assert.StartsWith("PORTAL_MODE=sandbox but HEROKU_API_KEY is not a sandbox user's token, and a real one must not go to a sandbox: use sandbox-token-alice", message);
        Assert.DoesNotContain(RealKey, message);
    }

    [Fact]
    public void Sandbox_mode_with_a_Kafka_API_off_this_machine_is_refused_naming_it() =>
        Assert.StartsWith("PORTAL_MODE=sandbox but Heroku__KafkaApiBaseUrl points at https://api.data.heroku.com/, not at the sandbox",
            Refused(("PORTAL_MODE", "sandbox"), ("HEROKU_API_KEY", SandboxUsers.Alice.ApiToken), ("Heroku__PlatformApiBaseUrl", Sandbox),
                ("Heroku__KafkaApiBaseUrl", "https://api.data.heroku.com/")));

    [Fact]
    public void Sandbox_mode_with_the_sandboxs_OAuth_client_signing_in_at_Heroku_is_refused_naming_the_endpoint()
    {
        var message = Refused(("PORTAL_MODE", "sandbox"), ("HEROKU_OAUTH_ID", SandboxUsers.PortalOAuthClientId), ("HEROKU_OAUTH_SECRET", "secret"),
            ("Heroku__PlatformApiBaseUrl", Sandbox));

        Assert.Equal(
            "PORTAL_MODE=sandbox but Authentication__Heroku__AuthorizationEndpoint is unset (id.heroku.com): signing in at Heroku would hand real tokens to the sandbox; point it at the sandbox (http://127.0.0.1:5199/oauth/authorize)",
            message);
    }

    [Fact]
    public void Sandbox_mode_against_a_standalone_sandbox_with_its_own_credentials_is_accepted() =>
        Assert.Equal(new PortalMode(HerokuConnectionMode.Sandbox, EmbedsSandbox: false),
            Decide([("PORTAL_MODE", "sandbox"), ("HEROKU_API_KEY", SandboxUsers.Carol.ApiToken), ("Heroku__PlatformApiBaseUrl", Sandbox), .. SandboxOAuthClient()]));

    [Theory]
    [InlineData("demo")]
    [InlineData("production")]
    public void An_unknown_mode_is_refused_naming_the_valid_ones(string value) =>
        Assert.Equal($"PORTAL_MODE is '{value}': use sandbox (the simulated Heroku) or heroku", Refused(("PORTAL_MODE", value)));

    // Workers

    [Theory]
    [InlineData(null)]
    [InlineData("sandbox")]
    public void A_worker_in_sandbox_mode_with_the_sandbox_in_the_web_process_is_refused(string? mode)
    {
        var message = Refused(PortalRole.Worker, ("PORTAL_MODE", mode));

        Assert.StartsWith("A worker cannot run in sandbox mode: the sandbox lives inside the web process", message);
        Assert.Contains("scale the worker to 0, or set PORTAL_MODE=heroku", message);
    }

    [Fact]
    public void A_worker_against_Heroku_or_a_standalone_sandbox_runs()
    {
        Assert.Equal(HerokuConnectionMode.Heroku, PortalMode.Decide(Configuration(("HEROKU_OAUTH_ID", RealClient), ("HEROKU_OAUTH_SECRET", "s")), PortalRole.Worker).Mode);
        Assert.Equal(HerokuConnectionMode.Sandbox,
            PortalMode.Decide(Configuration(("HEROKU_API_KEY", SandboxUsers.Alice.ApiToken), ("Heroku__PlatformApiBaseUrl", Sandbox)), PortalRole.Worker).Mode);
    }

    // What the decision connects

    private static IHost Connected(params (string Key, string? Value)[] settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddConfiguration(Configuration(settings));
        builder.AddPortalConnections(PortalRole.Web);
        return builder.Build();
    }

    [Fact]
    public async Task A_standalone_sandbox_serves_the_Kafka_API_on_the_Platform_APIs_address_unless_told_otherwise()
    {
        using var host = Connected(("HEROKU_API_KEY", SandboxUsers.Alice.ApiToken), ("Heroku__PlatformApiBaseUrl", Sandbox));

        var options = host.Services.GetRequiredService<IOptions<HerokuClientOptions>>().Value;
        Assert.Equal(new Uri(Sandbox), options.KafkaApiBaseUrl);
        Assert.Null(host.Services.GetService<EmbeddedSandbox>());
        Assert.Equal(SandboxUsers.Alice.ApiToken, await host.Services.GetRequiredService<HerokuConnection>().Credential.GetAccessTokenAsync(default));
    }

    [Fact]
    public async Task Heroku_mode_with_only_an_OAuth_client_hosts_no_sandbox_and_has_no_credential_of_its_own()
    {
        using var host = Connected(("HEROKU_OAUTH_ID", RealClient), ("HEROKU_OAUTH_SECRET", "secret"));

        var connection = host.Services.GetRequiredService<HerokuConnection>();
        Assert.Equal(HerokuConnectionMode.Heroku, connection.Mode);
        Assert.False(connection.HasOwnCredential);
        Assert.Null(host.Services.GetService<EmbeddedSandbox>());
        Assert.Equal(new Uri("https://api.data.heroku.com"), host.Services.GetRequiredService<IOptions<HerokuClientOptions>>().Value.KafkaApiBaseUrl);
        using var scope = host.Services.CreateScope();
        var status = await scope.ServiceProvider.GetRequiredService<HerokuConnectionStatus>().CheckAsync();
        Assert.Equal("The portal has no Heroku credential of its own (HEROKU_API_KEY is unset): runs act with the Heroku grant of whoever starts them.", status.Error);
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await connection.Credential.GetAccessTokenAsync(default));
    }
}
