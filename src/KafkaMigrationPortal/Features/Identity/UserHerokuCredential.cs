using System.Net.Http.Json;
using System.Text.Json.Serialization;
using KafkaMigrationPortal.Engine.Storage;
using KafkaMigrationPortal.Heroku;
using Microsoft.EntityFrameworkCore;

namespace KafkaMigrationPortal.Features.Identity;

/// <summary>
/// A signed-in person's Heroku grant, read from the database and refreshed shortly before it expires, so a step
/// approved hours after its run started still acts with a valid token of the person who started it. A refresh also
/// re-checks the team membership that admitted them: whoever left every allowed team is signed out for good.
/// </summary>
public sealed class UserHerokuCredential(
    Guid userId,
    string email,
    IDbContextFactory<PortalDbContext> contexts,
    UserDirectory users,
    HerokuTokenVault vault,
    HerokuTokenRefresher refresher,
    SignInGate gate,
    TimeProvider time) : IHerokuCredential
{
    public const string DescriptionPrefix = "Heroku grant of ";

    private static readonly TimeSpan RefreshAhead = TimeSpan.FromMinutes(5);
    private readonly SemaphoreSlim refreshing = new(1, 1);

    public Guid UserId => userId;

    public string Description => DescriptionPrefix + email;

    public async ValueTask<string> GetAccessTokenAsync(CancellationToken cancellationToken)
    {
        await refreshing.WaitAsync(cancellationToken);
        try
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            var user = await db.Set<UserAccount>().SingleOrDefaultAsync(u => u.Id == userId, cancellationToken)
                ?? throw new InvalidOperationException($"{email} is no longer a portal user.");
            if (user.ProtectedAccessToken is null)
            {
                throw new InvalidOperationException($"{email} has no Heroku grant: sign in again.");
            }

            if (user.AccessTokenExpiresAt is { } expires && expires - RefreshAhead <= time.GetUtcNow())
            {
                if (user.ProtectedRefreshToken is null)
                {
                    throw new InvalidOperationException($"The Heroku grant of {email} has expired and cannot be refreshed: sign in again.");
                }

                var tokens = await refresher.RefreshAsync(vault.Unprotect(user.ProtectedRefreshToken), cancellationToken);
                if (gate.DependsOnTeams(user.Email)
                    && await gate.DecideAsync(user.Email, tokens.AccessToken, cancellationToken) is { Allowed: false } verdict)
                {
                    await users.RevokeAccessAsync(userId, verdict.Reason, cancellationToken);
                    throw new InvalidOperationException($"{email} may no longer use the portal: {verdict.Reason}.");
                }

                users.StoreTokens(user, tokens);
                await db.SaveChangesAsync(cancellationToken);
                return tokens.AccessToken;
            }

            return vault.Unprotect(user.ProtectedAccessToken);
        }
        finally
        {
            refreshing.Release();
        }
    }

    public override string ToString() => Description;
}

/// <summary>Exchanges a refresh token at the OAuth token endpoint (Heroku's, or the sandbox's).</summary>
public sealed class HerokuTokenRefresher(IHttpClientFactory http, HerokuOAuthAddresses endpoints, SignInSettings settings, TimeProvider time)
{
    public async Task<HerokuTokens> RefreshAsync(string refreshToken, CancellationToken cancellationToken)
    {
        using var response = await http.CreateClient(nameof(HerokuTokenRefresher)).PostAsync(endpoints.Token, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token",
            ["refresh_token"] = refreshToken,
            ["client_secret"] = settings.ClientSecret ?? "",
        }), cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"Heroku refused to refresh the grant ({(int)response.StatusCode}): sign in again.");
        }

        var body = await response.Content.ReadFromJsonAsync<TokenResponse>(cancellationToken)
            ?? throw new InvalidOperationException("Heroku's token endpoint answered without a body.");
        return new(body.AccessToken, body.RefreshToken ?? refreshToken, time.GetUtcNow().AddSeconds(body.ExpiresIn));
    }

    private sealed record TokenResponse(
        [property: JsonPropertyName("access_token")] string AccessToken,
        [property: JsonPropertyName("refresh_token")] string? RefreshToken,
        [property: JsonPropertyName("expires_in")] int ExpiresIn);
}

/// <summary>Hands out the Heroku credential a person acts with.</summary>
public sealed class UserCredentials(IServiceProvider services)
{
    public UserHerokuCredential For(Guid userId, string email) =>
        ActivatorUtilities.CreateInstance<UserHerokuCredential>(services, userId, email);
}
