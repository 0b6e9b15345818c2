using System.Net;
using System.Net.Http.Headers;
using KafkaMigrationPortal.Engine.Audit;
using KafkaMigrationPortal.Engine.Storage;
using KafkaMigrationPortal.Features.Connections;
using KafkaMigrationPortal.Features.Identity;
using KafkaMigrationPortal.Heroku;
using KafkaMigrationPortal.Tests.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace KafkaMigrationPortal.Tests.Identity;

/// <summary>Who may sign in: the sandbox's OAuth stand-in signs in its demo users, the allow-list decides.</summary>
[Collection(PortalHostCollection.Name)]
public sealed class AllowListTests : IDisposable
{
    private readonly string databaseFile = Path.Combine(Path.GetTempPath(), $"kmp-{Guid.NewGuid():N}.db");
    private readonly List<PortalFactory> portals = [];

    private PortalFactory Portal(IReadOnlyDictionary<string, string?> settings, TimeProvider? time = null)
    {
        var portal = new PortalFactory(new Dictionary<string, string?>(settings) { ["Storage:SqlitePath"] = databaseFile }, time);
        portals.Add(portal);
        return portal;
    }

    private static async Task<List<UserAccount>> UsersAsync(PortalFactory portal)
    {
        await using var db = await portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        return await db.Set<UserAccount>().AsNoTracking().ToListAsync();
    }

    private static async Task<List<AuditEntry>> AuditAsync(PortalFactory portal, string action)
    {
        await using var db = await portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        return await db.AuditEntries.AsNoTracking().Where(e => e.Action == action).ToListAsync();
    }

    [Fact]
    public async Task A_user_outside_the_allowed_teams_is_refused_at_sign_in_and_gets_no_account()
    {
        var portal = Portal(new Dictionary<string, string?> { [SignInAllowList.TeamsKey] = "mackerel-team" });

        var (carol, landedOn) = await portal.TrySignInAsync("carol@example.com");

        Assert.Equal("/signin?refused=true", landedOn);
        Assert.Contains("sign-in-refused", await carol.GetStringAsync(landedOn));
        using var after = await carol.GetAsync("/migrations");
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
        Assert.StartsWith("/signin", after.Headers.Location!.PathAndQuery);
        Assert.DoesNotContain(await UsersAsync(portal), u => u.Email == "carol@example.com");
        var refusal = Assert.Single(await AuditAsync(portal, "user.sign-in-refused"));
        Assert.Equal("carol@example.com", refusal.Actor);

        await portal.SignInAsync("bob@example.com");
        Assert.Contains(await UsersAsync(portal), u => u.Email == "bob@example.com");
    }

    [Theory]
    [InlineData("alice@example.com", "alice@example.com", true)]
    [InlineData("ALICE@example.com", "alice@example.com", true)]
    [InlineData("@example.com", "bob@example.com", true)]
    [InlineData("bob@example.com", "alice@example.com", false)]
    [InlineData("@example.org", "alice@example.com", false)]
    [InlineData("@ample.com", "alice@example.com", false)]
    public async Task Allowed_emails_take_addresses_and_domains(string allowed, string email, bool admitted)
    {
        var portal = Portal(new Dictionary<string, string?> { [SignInAllowList.EmailsKey] = allowed });

        var (_, landedOn) = await portal.TrySignInAsync(email);

        Assert.Equal(admitted ? "/" : "/signin?refused=true", landedOn);
    }

    [Fact]
    public void A_malformed_allow_list_entry_is_refused_with_the_setting_named()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [SignInAllowList.EmailsKey] = "alice@example.com, example.com" }).Build();

        var error = Assert.Throws<PortalConfigurationException>(() => SignInAllowList.From(configuration));

        Assert.Contains(SignInAllowList.EmailsKey, error.Message);
        Assert.Contains("example.com", error.Message);
    }

    [Fact]
    public async Task Where_strangers_can_sign_in_admins_come_from_PORTAL_ADMINS_and_not_from_signing_in_first()
    {
        var portal = Portal(new Dictionary<string, string?>());
        await using var scope = portal.Services.CreateAsyncScope();
        var allowList = new SignInAllowList([], ["@example.com"], ["alice@example.com"]) { FirstSignInIsAdmin = false };
        var directory = ActivatorUtilities.CreateInstance<UserDirectory>(scope.ServiceProvider, allowList);
        var tokens = new HerokuTokens("token", null, null);

        var bob = await directory.RecordSignInAsync(new("bob-id", "bob@example.com", "Bob"), tokens);
        var alice = await directory.RecordSignInAsync(new("alice-id", "alice@example.com", "Alice"), tokens);

        Assert.Equal([TeamRole.Viewer], bob.RoleList);
        Assert.Equal(TeamRole.All, alice.RoleList);
    }

    [Fact]
    public async Task A_member_who_left_the_allowed_team_is_signed_out_when_their_grant_is_next_refreshed()
    {
        // Ahead of the machine's clock, as the test client's cookie jar needs (see PortalFactory).
        var time = new FakeTimeProvider(new DateTimeOffset(2100, 1, 4, 9, 0, 0, TimeSpan.Zero));
        var portal = Portal(new Dictionary<string, string?> { [SignInAllowList.TeamsKey] = "mackerel-team" }, time);
        var bob = await portal.SignInAsync("bob@example.com");
        var bobId = (await UsersAsync(portal)).Single(u => u.Email == "bob@example.com").Id;
        var credential = portal.Services.GetRequiredService<UserCredentials>().For(bobId, "bob@example.com");
        var platform = portal.Services.GetRequiredService<IHerokuClientFactory>().Platform(credential);
        await platform.GetAccountAsync();

        using var aliceOnHeroku = new HttpClient { BaseAddress = portal.Services.GetRequiredService<EmbeddedSandbox>().BaseUrl };
        aliceOnHeroku.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "sandbox-token-alice");
        aliceOnHeroku.DefaultRequestHeaders.Accept.ParseAdd("application/vnd.heroku+json; version=3");
        (await aliceOnHeroku.DeleteAsync("teams/mackerel-team/members/bob@example.com")).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.OK, (await bob.GetAsync("/migrations")).StatusCode);

        time.Advance(TimeSpan.FromHours(8));
        var refused = await Assert.ThrowsAnyAsync<Exception>(() => platform.GetAccountAsync());

        Assert.Contains("may no longer use the portal", refused.Message);
        var revoked = (await UsersAsync(portal)).Single(u => u.Id == bobId);
        Assert.NotNull(revoked.AccessRevokedAt);
        Assert.Null(revoked.ProtectedAccessToken);
        Assert.Null(revoked.ProtectedRefreshToken);
        Assert.Single(await AuditAsync(portal, "user.access-revoked"));
        using var page = await bob.GetAsync("/migrations");
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.StartsWith("/signin", page.Headers.Location!.PathAndQuery);
        Assert.Equal("/signin?refused=true", (await portal.TrySignInAsync("bob@example.com")).LandedOn);
    }

    [Fact]
    public async Task A_user_whose_roles_were_all_removed_still_reaches_access_denied_and_sign_out()
    {
        var portal = Portal(new Dictionary<string, string?>());
        await portal.SignInAsync("alice@example.com");
        var bob = await portal.SignInAsync("bob@example.com");
        var users = await UsersAsync(portal);
        var directory = portal.Services.GetRequiredService<UserDirectory>();
        Assert.True((await directory.SetRolesAsync(users.Single(u => u.Email == "alice@example.com").Id, users.Single(u => u.Email == "bob@example.com").Id, [])).Succeeded);

        using var denied = await bob.GetAsync("/migrations");
        Assert.Equal(HttpStatusCode.Redirect, denied.StatusCode);
        Assert.StartsWith("/access-denied", denied.Headers.Location!.PathAndQuery);
        var page = await bob.GetAsync("/access-denied");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        var token = System.Text.RegularExpressions.Regex.Match(html, "name=\"__RequestVerificationToken\" value=\"(?<token>[^\"]+)\"").Groups["token"].Value;
        Assert.NotEmpty(token);

        using var signOut = await bob.PostAsync(IdentityModule.SignOutPath,
            new FormUrlEncodedContent([KeyValuePair.Create("__RequestVerificationToken", token)]));

        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);
        Assert.Equal("/signin?signedOut=true", signOut.Headers.Location!.OriginalString);
    }

    public void Dispose()
    {
        foreach (var portal in portals) portal.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        File.Delete(databaseFile);
    }
}
