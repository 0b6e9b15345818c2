using KafkaMigrationPortal.Features.Connections;
using KafkaMigrationPortal.Features.Identity;
using KafkaMigrationPortal.Features.Settings;
using KafkaMigrationPortal.Engine.Storage;
using KafkaMigrationPortal.Tests.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace KafkaMigrationPortal.Tests.Settings;

/// <summary>
/// What Settings tells a signed-in person about their own Heroku grant, asked of the embedded sandbox with the grant the
/// portal stored when they signed in. The portal's own connection acts as alice, so a check made with the wrong
/// credential would name her.
/// </summary>
[Collection(PortalHostCollection.Name)]
public sealed class PersonalHerokuGrantTests : IAsyncLifetime
{
    private const string Bob = "bob@example.com";

    private readonly string databaseFile = Path.Combine(Path.GetTempPath(), $"kmp-grant-{Guid.NewGuid():N}.db");
    private PortalFactory portal = null!;
    private Guid bob;

    public async Task InitializeAsync()
    {
        portal = new PortalFactory(new Dictionary<string, string?>
        {
            ["Storage:SqlitePath"] = databaseFile,
            // One attempt per call: an unreachable Heroku is reported at once rather than after the back-off.
            ["Heroku:MaxRetryAttempts"] = "0",
        });
        await portal.SignInAsync("alice@example.com");
        await portal.SignInAsync(Bob);
        await using var db = await Databases.CreateDbContextAsync();
        bob = await db.Set<UserAccount>().Where(u => u.Email == Bob).Select(u => u.Id).SingleAsync();
    }

    public async Task DisposeAsync()
    {
        await portal.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        File.Delete(databaseFile);
    }

    private IDbContextFactory<PortalDbContext> Databases => portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>();

    /// <summary>Built the way the Settings page builds it, from the portal's own services.</summary>
    private PersonalHerokuGrant Grant => ActivatorUtilities.CreateInstance<PersonalHerokuGrant>(portal.Services);

    private async Task ChangeBobAsync(Action<UserAccount> change)
    {
        await using var db = await Databases.CreateDbContextAsync();
        change(await db.Set<UserAccount>().SingleAsync(u => u.Id == bob));
        await db.SaveChangesAsync();
    }

    [Fact]
    public async Task A_signed_in_persons_stored_grant_is_checked_with_Heroku_and_their_runs_act_with_it()
    {
        var answer = await Grant.CheckAsync(bob, Bob);

        Assert.True(answer.Succeeded, answer.Error);
        Assert.Equal(new PersonalGrantView(Bob, UserHerokuCredential.DescriptionPrefix + Bob), answer.Value);
    }

    [Fact]
    public async Task A_grant_Heroku_no_longer_accepts_says_to_sign_in_again()
    {
        var vault = portal.Services.GetRequiredService<HerokuTokenVault>();
        await ChangeBobAsync(u => u.ProtectedAccessToken = vault.Protect("a-token-heroku-revoked"));

        var answer = await Grant.CheckAsync(bob, Bob);

        Assert.False(answer.Succeeded);
        Assert.Equal("Heroku refused your grant (401): sign out and in again.", answer.Error);
    }

    [Fact]
    public async Task An_expired_grant_without_a_refresh_token_cannot_be_used_and_says_why()
    {
        var now = portal.Services.GetRequiredService<TimeProvider>().GetUtcNow();
        await ChangeBobAsync(u => (u.AccessTokenExpiresAt, u.ProtectedRefreshToken) = (now.AddMinutes(-1), null));

        var answer = await Grant.CheckAsync(bob, Bob);

        Assert.False(answer.Succeeded);
        Assert.Equal($"Your Heroku grant cannot be used: The Heroku grant of {Bob} has expired and cannot be refreshed: sign in again.", answer.Error);
    }

    [Fact]
    public async Task Heroku_unreachable_is_said_as_such()
    {
        await portal.Services.GetRequiredService<EmbeddedSandbox>().StoppedAsync(CancellationToken.None);

        var answer = await Grant.CheckAsync(bob, Bob);

        Assert.False(answer.Succeeded);
        Assert.Equal("Heroku could not be reached to check your grant. Try again in a moment.", answer.Error);
    }
}
