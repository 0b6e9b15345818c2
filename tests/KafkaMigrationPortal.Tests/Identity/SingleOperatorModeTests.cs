using System.Net;
using KafkaMigrationPortal.Features.AccessTokens;
using KafkaMigrationPortal.Features.Connections;
using KafkaMigrationPortal.Features.Identity;
using KafkaMigrationPortal.Features.Migrations;
using KafkaMigrationPortal.Engine.Execution;
using KafkaMigrationPortal.Engine.Planning;
using KafkaMigrationPortal.Engine.Storage;
using KafkaMigrationPortal.Heroku;
using KafkaMigrationPortal.Sandbox;
using KafkaMigrationPortal.Sandbox.Control;
using KafkaMigrationPortal.TestSupport;
using KafkaMigrationPortal.Tests.Execution;
using KafkaMigrationPortal.Tests.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace KafkaMigrationPortal.Tests.Identity;

/// <summary>
/// <c>HEROKU_API_KEY</c> set and no OAuth client: the portal, pointed at a standalone sandbox as the README describes,
/// treats every request as the one local operator with every role, and acts on Heroku with that key.
/// </summary>
[Collection(PortalHostCollection.Name)]
public sealed class SingleOperatorModeTests : IAsyncLifetime
{
    private static readonly string ApiKey = SandboxUsers.Bob.ApiToken;

    private readonly string databaseFile = Path.Combine(Path.GetTempPath(), $"kmp-single-{Guid.NewGuid():N}.db");
    private readonly EmbeddedSandbox sandbox = new(new ConfigurationBuilder().Build(), NullLoggerFactory.Instance);
    private PortalFactory? portal;

    public Task InitializeAsync() => sandbox.StartingAsync(CancellationToken.None);

    public async Task DisposeAsync()
    {
        if (portal is not null) await portal.DisposeAsync();
        await sandbox.StoppedAsync(CancellationToken.None);
        await sandbox.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        File.Delete(databaseFile);
    }

    private PortalFactory Portal(bool apiKey, bool oauthClient)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Storage:SqlitePath"] = databaseFile,
            ["Heroku:PlatformApiBaseUrl"] = sandbox.BaseUrl.ToString(),
            ["Heroku:KafkaApiBaseUrl"] = sandbox.BaseUrl.ToString(),
        };
        if (apiKey) settings[HerokuConnection.ApiKeyVariable] = ApiKey;
        if (oauthClient)
        {
            settings[SignInSettings.ClientIdKey] = SandboxUsers.PortalOAuthClientId;
            settings[SignInSettings.ClientSecretKey] = SandboxUsers.PortalOAuthClientSecret;
            settings[SignInSettings.AuthorizationEndpointKey] = new Uri(sandbox.BaseUrl, "oauth/authorize").ToString();
            settings[SignInSettings.TokenEndpointKey] = new Uri(sandbox.BaseUrl, "oauth/token").ToString();
        }

        return portal = new PortalFactory(settings);
    }

    private static HttpClient Browser(PortalFactory portal) =>
        portal.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });

    [Fact]
    public async Task A_request_without_any_sign_in_is_the_local_operator_with_every_role_and_runs_act_with_the_key()
    {
        var portal = Portal(apiKey: true, oauthClient: false);
        var browser = Browser(portal);

        using var settings = await browser.GetAsync("/settings");
        using var jobs = await browser.GetAsync("/jobs");

        Assert.Equal(HttpStatusCode.OK, settings.StatusCode);
        var page = await settings.Content.ReadAsStringAsync();
        Assert.Contains($"Signed in as <strong>{PortalClaims.LocalOperatorEmail}</strong>, {string.Join(", ", TeamRole.All)}.", page);
        Assert.Contains("Single-operator mode", page);
        Assert.Contains($"Runs you start act with <strong>{HerokuConnection.ApiKeyVariable}</strong>", page);
        Assert.Equal(HttpStatusCode.OK, jobs.StatusCode); // admins only
        await using (var db = await portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync())
        {
            var user = await db.Set<UserAccount>().SingleAsync();
            Assert.Equal(PortalClaims.LocalOperatorEmail, user.Email);
            Assert.Equal(TeamRole.All, user.RoleList);
            Assert.Null(user.ProtectedAccessToken);
        }

        // A run the local operator starts acts on Heroku as the key's account.
        var platform = portal.Services.GetRequiredService<IHerokuClientFactory>().Platform(portal.Services.GetRequiredService<HerokuConnection>().Credential);
        var kafka = (await platform.ListAttachmentsAsync("mackerel")).Single(a => a.Name == AttachmentNames.Primary);
        var source = new AddonSnapshot(Guid.Parse(kafka.Addon.Id), kafka.Addon.Name, kafka.Addon.Plan!.Name, [kafka.Name], null);
        var runs = portal.Services.GetRequiredService<MigrationRunService>();
        var runId = await runs.StartAsync(EngineHost.HandPlan(source, EngineHost.Step(new SetMaintenance(true))), PortalClaims.LocalOperatorEmail);
        var run = await Deadline.PollAsync(async () => (await runs.GetAsync(runId))!, r => !MigrationRunStatuses.Active.Contains(r.Run.Status),
            TimeSpan.FromSeconds(90), "the job server runs the step");

        Assert.Equal(MigrationRunStatus.Succeeded, run.Run.Status);
        Assert.Equal(HerokuConnection.ApiKeyVariable, run.Run.ExecutedWith);
        var maintenance = Assert.Single(sandbox.Services.GetRequiredService<SandboxMutationLog>().Entries(), m => m.Method == "PATCH" && m.Path == "/apps/mackerel");
        Assert.Equal(SandboxUsers.Bob.Email, maintenance.User);
    }

    [Fact]
    public async Task In_single_operator_mode_the_API_still_takes_only_a_token_and_the_local_operators_token_works()
    {
        var portal = Portal(apiKey: true, oauthClient: false);
        using var settings = await Browser(portal).GetAsync("/settings"); // the local operator's account, made on first sight
        Guid operatorId;
        await using (var db = await portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync())
            operatorId = (await db.Set<UserAccount>().SingleAsync()).Id;
        var principal = new System.Security.Claims.ClaimsPrincipal(new System.Security.Claims.ClaimsIdentity(
            [new(System.Security.Claims.ClaimTypes.NameIdentifier, operatorId.ToString()), new(System.Security.Claims.ClaimTypes.Email, PortalClaims.LocalOperatorEmail)], "test"));
        var created = await portal.Services.GetRequiredService<AccessTokenStore>().CreateAsync(principal, new NewAccessToken("laptop script", [AccessTokenScopes.Read], TimeSpan.FromDays(1)));
        var script = Browser(portal);
        script.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", created.Value!.Value);

        using var withoutToken = await Browser(portal).GetAsync("/api/v1/runs");
        using var withToken = await script.GetAsync("/api/v1/runs");

        Assert.Equal(HttpStatusCode.OK, settings.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, withoutToken.StatusCode);
        Assert.Equal(HttpStatusCode.OK, withToken.StatusCode);
    }

    [Theory]
    [InlineData(false, false)] // the embedded sandbox and its sign-in stand-in
    [InlineData(true, true)] // a key, but also an OAuth client: everyone signs in as themselves
    public async Task Without_single_operator_mode_a_request_is_sent_to_sign_in(bool apiKey, bool oauthClient)
    {
        var portal = Portal(apiKey, oauthClient);

        using var response = await Browser(portal).GetAsync("/settings");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith(IdentityModule.SignInPath, response.Headers.Location!.PathAndQuery);
        Assert.Equal(SignInMode.HerokuOAuth, portal.Services.GetRequiredService<SignInSettings>().Mode);
    }

    private static async Task<HttpContext> RequestFromAsync(PortalFactory portal, string remoteAddress, string path) =>
        await portal.Server.SendAsync(context =>
        {
            context.Request.Method = HttpMethods.Get;
            context.Request.Path = path;
            context.Connection.RemoteIpAddress = IPAddress.Parse(remoteAddress);
        });

    [Theory]
    [InlineData("203.0.113.7")]
    [InlineData("10.0.0.5")]
    [InlineData("::ffff:192.168.1.20")]
    public async Task In_single_operator_mode_a_request_from_another_machine_is_refused(string remoteAddress)
    {
        var portal = Portal(apiKey: true, oauthClient: false);

        var settings = await RequestFromAsync(portal, remoteAddress, "/settings");
        var health = await RequestFromAsync(portal, remoteAddress, "/health");

        Assert.Equal(StatusCodes.Status403Forbidden, settings.Response.StatusCode);
        Assert.Equal(StatusCodes.Status403Forbidden, health.Response.StatusCode);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    public async Task In_single_operator_mode_a_request_from_this_machine_is_the_local_operator(string remoteAddress)
    {
        var portal = Portal(apiKey: true, oauthClient: false);

        var settings = await RequestFromAsync(portal, remoteAddress, "/settings");

        Assert.Equal(StatusCodes.Status200OK, settings.Response.StatusCode);
    }

    [Fact]
    public async Task With_Heroku_sign_in_a_request_from_another_machine_is_sent_to_sign_in_like_any_other()
    {
        var portal = Portal(apiKey: true, oauthClient: true);

        var settings = await RequestFromAsync(portal, "203.0.113.7", "/settings");

        Assert.Equal(StatusCodes.Status302Found, settings.Response.StatusCode);
        Assert.Equal(IdentityModule.SignInPath, new Uri(settings.Response.Headers.Location.ToString()).AbsolutePath);
    }
}
