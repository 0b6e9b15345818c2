using System.Net;
using System.Text.RegularExpressions;
using KafkaMigrationPortal.Features.Identity;
using KafkaMigrationPortal.Engine.Storage;
using KafkaMigrationPortal.Heroku;
using KafkaMigrationPortal.Tests.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace KafkaMigrationPortal.Tests.Identity;

[Collection(PortalHostCollection.Name)]
public sealed partial class SignInTests : IDisposable
{
    private readonly string databaseFile = Path.Combine(Path.GetTempPath(), $"kmp-{Guid.NewGuid():N}.db");
    private readonly PortalFactory portal;

    public SignInTests() => portal = PortalFactory.OnSqlite(databaseFile);

    private HttpClient Anonymous() => portal.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

    [Theory]
    [InlineData("/")]
    [InlineData("/migrations")]
    [InlineData("/approvals")]
    [InlineData("/history")]
    [InlineData("/settings")]
    [InlineData("/jobs")]
    public async Task A_signed_out_request_is_sent_to_sign_in(string path)
    {
        using var response = await Anonymous().GetAsync(path);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/signin", response.Headers.Location!.PathAndQuery);
    }

    [Fact]
    public async Task Health_the_sign_in_page_and_the_API_description_are_open_without_sign_in()
    {
        Assert.Equal(HttpStatusCode.OK, (await Anonymous().GetAsync("/health")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Anonymous().GetAsync("/openapi/v1.json")).StatusCode);
        // The API itself answers a missing token with a problem, not the sign-in page: a script cannot follow that redirect.
        Assert.Equal(HttpStatusCode.Unauthorized, (await Anonymous().GetAsync("/api/v1/runs")).StatusCode);
        var signIn = await Anonymous().GetStringAsync("/signin");
        Assert.Contains("Sign in with Heroku", signIn);
        Assert.Contains("sandbox-signin-note", signIn);
    }

    [Fact]
    public async Task The_sandboxs_sign_in_page_is_served_under_the_portals_own_origin_so_a_deployed_demo_signs_in_from_any_browser()
    {
        var client = Anonymous();
        using var challenge = await client.GetAsync($"{IdentityModule.ChallengePath}?returnUrl=%2Fhistory");
        var authorizeUrl = challenge.Headers.Location!;
        Assert.False(authorizeUrl.IsAbsoluteUri, authorizeUrl.ToString());
        Assert.StartsWith(HerokuOAuthAddresses.SandboxSignInPath + "?", authorizeUrl.OriginalString);

        var page = await client.GetStringAsync(authorizeUrl);
        Assert.Contains("<form method=\"post\">", page);
        var fields = HiddenField().Matches(page).ToDictionary(m => m.Groups["name"].Value, m => System.Net.WebUtility.HtmlDecode(m.Groups["value"].Value));
        fields["user"] = "bob@example.com";
        using var chosen = await client.PostAsync(HerokuOAuthAddresses.SandboxSignInPath, new FormUrlEncodedContent(fields));

        Assert.Equal(HttpStatusCode.Redirect, chosen.StatusCode);
        Assert.StartsWith("/signin-heroku?", chosen.Headers.Location!.PathAndQuery);
    }

    [Fact]
    public async Task The_first_user_to_sign_in_is_admin_and_later_ones_are_viewers()
    {
        await portal.SignInAsync("alice@example.com");
        await portal.SignInAsync("bob@example.com");

        await using var db = await portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var users = await db.Set<UserAccount>().ToDictionaryAsync(u => u.Email);
        Assert.Equal(TeamRole.All, users["alice@example.com"].RoleList);
        Assert.Equal([TeamRole.Viewer], users["bob@example.com"].RoleList);
    }

    [Fact]
    public async Task The_job_dashboard_is_for_admins_only()
    {
        var alice = await portal.SignInAsync("alice@example.com");
        var bob = await portal.SignInAsync("bob@example.com");

        using var asAdmin = await alice.GetAsync("/jobs");
        using var asViewer = await bob.GetAsync("/jobs");

        Assert.Equal(HttpStatusCode.OK, asAdmin.StatusCode);
        Assert.Contains("Kafka Migration Portal · jobs", await asAdmin.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Redirect, asViewer.StatusCode);
        Assert.StartsWith("/access-denied", asViewer.Headers.Location!.PathAndQuery);
    }

    [Fact]
    public async Task A_viewer_sees_every_page_but_cannot_start_or_decide()
    {
        await portal.SignInAsync("alice@example.com");
        var bob = await portal.SignInAsync("bob@example.com");

        foreach (var path in new[] { "/migrations", "/migrations/new", "/approvals", "/history", "/settings" })
        {
            using var page = await bob.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        }

        var wizard = await bob.GetStringAsync("/migrations/new");
        Assert.Contains("starting a migration needs the operator role", wizard);
        var approvals = await bob.GetStringAsync("/approvals");
        Assert.Contains("not-an-approver", approvals);
        Assert.DoesNotContain("approve-button", approvals);
    }

    [Fact]
    public async Task Only_an_admin_grants_roles_and_the_last_admin_cannot_drop_the_role()
    {
        await portal.SignInAsync("alice@example.com");
        await portal.SignInAsync("bob@example.com");
        var directory = portal.Services.GetRequiredService<UserDirectory>();
        var users = (await directory.ListAsync()).Value!.ToDictionary(u => u.Email);
        var alice = users["alice@example.com"].Id;
        var bob = users["bob@example.com"].Id;

        Assert.False((await directory.SetRolesAsync(bob, bob, [TeamRole.Admin])).Succeeded);
        Assert.False((await directory.SetRolesAsync(alice, alice, [TeamRole.Viewer])).Succeeded);
        var granted = await directory.SetRolesAsync(alice, bob, [TeamRole.Viewer, TeamRole.Approver]);

        Assert.True(granted.Succeeded, granted.Error);
        Assert.Equal([TeamRole.Viewer, TeamRole.Approver], (await directory.FindAsync(bob))!.RoleList);
        Assert.Equal(TeamRole.All, (await directory.FindAsync(alice))!.RoleList);
    }

    [Fact]
    public async Task A_role_change_is_made_only_together_with_its_audit_entry()
    {
        await portal.SignInAsync("alice@example.com");
        await portal.SignInAsync("bob@example.com");
        var directory = portal.Services.GetRequiredService<UserDirectory>();
        var users = (await directory.ListAsync()).Value!.ToDictionary(u => u.Email);
        await using (var db = await portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync())
        {
            await db.Database.ExecuteSqlRawAsync("CREATE TRIGGER audit_down BEFORE INSERT ON AuditEntries BEGIN SELECT RAISE(ABORT, 'audit log unavailable'); END;");
        }

        var refused = await directory.SetRolesAsync(users["alice@example.com"].Id, users["bob@example.com"].Id, [TeamRole.Viewer, TeamRole.Approver]);

        Assert.False(refused.Succeeded);
        Assert.Contains("audit log", refused.Error);
        Assert.Equal([TeamRole.Viewer], (await directory.FindAsync(users["bob@example.com"].Id))!.RoleList);
    }

    [Fact]
    public async Task Heroku_tokens_are_stored_encrypted_and_never_logged()
    {
        await portal.SignInAsync("alice@example.com");

        await using var db = await portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var alice = await db.Set<UserAccount>().SingleAsync(u => u.Email == "alice@example.com");
        var token = portal.Services.GetRequiredService<HerokuTokenVault>().Unprotect(alice.ProtectedAccessToken!);
        var refreshToken = portal.Services.GetRequiredService<HerokuTokenVault>().Unprotect(alice.ProtectedRefreshToken!);

        var account = await portal.Services.GetRequiredService<IHerokuClientFactory>()
            .Platform(new StaticTokenCredential(token, "test")).GetAccountAsync();
        Assert.Equal("alice@example.com", account.Email);
        Assert.DoesNotContain(token, alice.ProtectedAccessToken);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        var stored = await File.ReadAllTextAsync(databaseFile);
        Assert.DoesNotContain(token, stored);
        Assert.DoesNotContain(refreshToken, stored);
        Assert.DoesNotContain(portal.Logs, line => line.Contains(token) || line.Contains(refreshToken));
    }

    [Fact]
    public async Task A_grant_about_to_expire_is_refreshed_before_use()
    {
        // Ahead of the machine's clock, as the test client's cookie jar needs (see PortalFactory).
        var signedInAt = new DateTimeOffset(2100, 1, 4, 9, 0, 0, TimeSpan.Zero);
        var time = new FakeTimeProvider(signedInAt);
        using var timed = PortalFactory.OnSqlite(databaseFile, time);
        await timed.SignInAsync("alice@example.com");
        var directory = timed.Services.GetRequiredService<UserDirectory>();
        UserAccount signedIn;
        await using (var db = await timed.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync())
        {
            signedIn = await db.Set<UserAccount>().SingleAsync(u => u.Email == "alice@example.com");
        }

        var expires = signedIn.AccessTokenExpiresAt!.Value;
        var lifetime = expires - signedInAt;
        Assert.Equal(TimeSpan.FromHours(8), lifetime);
        var credential = timed.Services.GetRequiredService<UserCredentials>().For(signedIn.Id, "alice@example.com");
        var platform = timed.Services.GetRequiredService<IHerokuClientFactory>().Platform(credential);

        // Six minutes before expiry the grant from sign-in is still used as it is.
        time.SetUtcNow(expires - TimeSpan.FromMinutes(6));
        await platform.GetAccountAsync();
        Assert.Equal(signedIn.ProtectedAccessToken, (await directory.FindAsync(signedIn.Id))!.ProtectedAccessToken);

        // Four minutes before, it is refreshed first, and the new grant's lifetime counts from now.
        time.SetUtcNow(expires - TimeSpan.FromMinutes(4));
        var account = await platform.GetAccountAsync();

        Assert.Equal("alice@example.com", account.Email);
        var refreshed = (await directory.FindAsync(signedIn.Id))!;
        Assert.NotEqual(signedIn.ProtectedAccessToken, refreshed.ProtectedAccessToken);
        Assert.Equal(time.GetUtcNow() + lifetime, refreshed.AccessTokenExpiresAt);
    }

    [Fact]
    public async Task Signing_out_needs_the_pages_anti_forgery_token()
    {
        var alice = await portal.SignInAsync("alice@example.com");
        var page = await alice.GetStringAsync("/migrations");

        using var forged = await alice.PostAsync(IdentityModule.SignOutPath, new FormUrlEncodedContent([]));
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await alice.GetAsync("/migrations")).StatusCode);

        var token = AntiforgeryField().Match(page).Groups["token"].Value;
        using var signOut = await alice.PostAsync(IdentityModule.SignOutPath,
            new FormUrlEncodedContent([KeyValuePair.Create("__RequestVerificationToken", token)]));
        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);
        using var after = await alice.GetAsync("/migrations");
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
        Assert.StartsWith("/signin", after.Headers.Location!.PathAndQuery);
    }

    [GeneratedRegex("<input type=\"hidden\" name=\"(?<name>[^\"]+)\" value=\"(?<value>[^\"]*)\">")]
    private static partial Regex HiddenField();

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"(?<token>[^\"]+)\"")]
    private static partial Regex AntiforgeryField();

    public void Dispose()
    {
        portal.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        File.Delete(databaseFile);
    }
}
