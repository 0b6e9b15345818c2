using System.Net;
using KafkaMigrationPortal.Engine.Storage;
using KafkaMigrationPortal.Features.Connections;
using KafkaMigrationPortal.Features.Identity;
using KafkaMigrationPortal.Heroku;
using KafkaMigrationPortal.Tests.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace KafkaMigrationPortal.Tests.Identity;

/// <summary>
/// Sign-in asks Heroku (here the embedded sandbox, which enforces scopes as Heroku does) only for what admitting a
/// person needs; the wider grant is asked for when they first act, and a later plain sign-in does not narrow it.
/// </summary>
[Collection(PortalHostCollection.Name)]
public sealed class GrantScopeTests : IDisposable
{
    private readonly string databaseFile = Path.Combine(Path.GetTempPath(), $"kmp-{Guid.NewGuid():N}.db");
    private readonly PortalFactory portal;

    public GrantScopeTests() => portal = PortalFactory.OnSqlite(databaseFile);

    private async Task<UserAccount> UserAsync(string email)
    {
        await using var db = await portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        return await db.Set<UserAccount>().AsNoTracking().SingleAsync(u => u.Email == email);
    }

    private async Task<HttpStatusCode> StoredGrantReadsAppAsync(string email)
    {
        var user = await UserAsync(email);
        var credential = portal.Services.GetRequiredService<UserCredentials>().For(user.Id, email);
        try
        {
            await portal.Services.GetRequiredService<IHerokuClientFactory>().Platform(credential).GetAppAsync("mackerel");
            return HttpStatusCode.OK;
        }
        catch (HerokuApiException e)
        {
            return e.Status;
        }
    }

    [Fact]
    public async Task Sign_in_asks_only_for_identity_and_the_grant_it_stores_cannot_read_apps()
    {
        using var challenge = await portal.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false })
            .GetAsync($"{IdentityModule.ChallengePath}?returnUrl=%2F");
        await portal.SignInAsync("bob@example.com");

        Assert.Contains("scope=identity", challenge.Headers.Location!.OriginalString);
        Assert.Equal(HerokuScopes.Identity, (await UserAsync("bob@example.com")).GrantedScope);
        Assert.Equal(HttpStatusCode.Forbidden, await StoredGrantReadsAppAsync("bob@example.com"));
    }

    [Fact]
    public async Task Granting_global_from_a_prompt_asks_Heroku_for_it_as_the_signed_in_person_and_stores_it()
    {
        var bob = await portal.SignInAsync("bob@example.com");

        using var challenge = await bob.GetAsync($"{IdentityModule.ChallengePath}?scope=global&returnUrl=%2Fmigrations%2Fnew");
        var (_, landedOn) = await portal.TrySignInAsync("bob@example.com", "/migrations/new", HerokuScopes.Global, bob);

        Assert.Contains("scope=global", challenge.Headers.Location!.OriginalString);
        Assert.Contains("login_hint=bob%40example.com", challenge.Headers.Location!.OriginalString);
        Assert.Equal("/migrations/new", landedOn);
        Assert.Equal(HerokuScopes.Global, (await UserAsync("bob@example.com")).GrantedScope);
        Assert.Equal(HttpStatusCode.OK, await StoredGrantReadsAppAsync("bob@example.com"));
    }

    [Fact]
    public async Task A_later_plain_sign_in_keeps_the_wider_grant_that_runs_act_with()
    {
        await portal.SignInAsync("bob@example.com", scope: HerokuScopes.Global);
        var granted = await UserAsync("bob@example.com");

        await portal.SignInAsync("bob@example.com");

        var after = await UserAsync("bob@example.com");
        Assert.Equal(HerokuScopes.Global, after.GrantedScope);
        Assert.Equal(granted.ProtectedAccessToken, after.ProtectedAccessToken);
        Assert.Equal(HttpStatusCode.OK, await StoredGrantReadsAppAsync("bob@example.com"));
        await using var db = await portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var signIns = await db.AuditEntries.AsNoTracking().Where(e => e.Action == "user.signed-in").OrderBy(e => e.Sequence).Select(e => e.Summary).ToListAsync();
        Assert.Contains("granted 'global'", signIns[0]);
        Assert.Contains("kept the earlier 'global' grant", signIns[1]);
    }

    [Fact]
    public async Task A_scope_the_portal_does_not_ask_for_is_refused_and_starts_no_sign_in()
    {
        using var response = await portal.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false })
            .GetAsync($"{IdentityModule.ChallengePath}?scope=write-protected");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Theory]
    [InlineData(null, null, HerokuScopes.Identity)]
    [InlineData("mackerel-team", null, HerokuScopes.Read)]
    [InlineData(null, "global", HerokuScopes.Global)]
    [InlineData("mackerel-team", "global", HerokuScopes.Global)]
    public void Sign_in_asks_for_identity_or_read_where_admission_reads_teams(string? teams, string? configured, string expected)
    {
        var settings = SignInSettings.From(Configuration(teams, configured), EmbeddedSandbox);

        Assert.Equal(expected, settings.Scope);
    }

    [Fact]
    public void A_configured_sign_in_scope_too_narrow_for_the_team_allow_list_stops_start_up()
    {
        var refused = Assert.Throws<PortalConfigurationException>(() =>
            SignInSettings.From(Configuration("mackerel-team", "identity"), EmbeddedSandbox));

        Assert.Contains(SignInAllowList.TeamsKey, refused.Message);
    }

    private static readonly HerokuConnection EmbeddedSandbox =
        new(HerokuConnectionMode.Sandbox, new StaticTokenCredential("sandbox-token-alice", "sandbox user")) { EmbedsSandbox = true };

    private static IConfiguration Configuration(string? teams, string? scope) => new ConfigurationBuilder()
        .AddInMemoryCollection(new Dictionary<string, string?> { [SignInAllowList.TeamsKey] = teams, [SignInSettings.ScopeKey] = scope })
        .Build();

    public void Dispose()
    {
        portal.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        File.Delete(databaseFile);
    }
}
