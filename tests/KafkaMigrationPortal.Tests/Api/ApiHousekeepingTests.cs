using System.Net;
using KafkaMigrationPortal.Engine.Storage;
using KafkaMigrationPortal.Features.AccessTokens;
using KafkaMigrationPortal.Features.Api;
using KafkaMigrationPortal.Tests.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace KafkaMigrationPortal.Tests.Api;

/// <summary>What keeps the API cheap to leave running: a rate limit per token, and idempotency keys that do not pile up.</summary>
[Collection(PortalHostCollection.Name)]
public sealed class ApiHousekeepingTests : IDisposable
{
    private readonly string databaseFile = Path.Combine(Path.GetTempPath(), $"kmp-api-housekeeping-{Guid.NewGuid():N}.db");
    // Ahead of the machine's clock, as the test client's cookie jar needs (see PortalFactory).
    private readonly FakeTimeProvider time = new(new DateTimeOffset(2100, 1, 4, 9, 0, 0, TimeSpan.Zero));
    private PortalFactory? portal;

    private PortalFactory Portal(params (string Key, string Value)[] settings)
    {
        var all = new Dictionary<string, string?> { ["Storage:SqlitePath"] = databaseFile };
        foreach (var (key, value) in settings) all[key] = value;
        return portal = new PortalFactory(all, time);
    }

    [Fact]
    public async Task A_token_over_its_rate_limit_gets_429_with_Retry_After_and_neither_other_tokens_nor_the_audit_log_pay_for_it()
    {
        // Three per hour rather than the shipped 600 a minute: the window must not roll over while the test runs.
        var portal = Portal(($"{ApiRateLimit.Section}:Requests", "3"), ($"{ApiRateLimit.Section}:Window", "01:00:00"));
        var alice = await portal.PersonAsync("alice@example.com", scope: null);
        var busy = await portal.CreatedTokenAsync(alice, TimeSpan.FromDays(30), AccessTokenScopes.Read);
        var other = portal.Client(await portal.TokenAsync(alice, AccessTokenScopes.Read));
        var script = portal.Client(busy.Value);

        var allowed = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            using var response = await script.GetAsync("/api/v1/runs");
            allowed.Add(response.StatusCode);
        }

        using var refused = await script.GetAsync("/api/v1/runs");
        using var byTheOtherToken = await other.GetAsync("/api/v1/runs");

        Assert.All(allowed, status => Assert.Equal(HttpStatusCode.OK, status));
        await refused.AssertProblemAsync(HttpStatusCode.TooManyRequests, ApiProblems.RateLimited);
        var retryAfter = refused.Headers.RetryAfter!.Delta!.Value;
        Assert.InRange(retryAfter, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1));
        Assert.Equal(HttpStatusCode.OK, byTheOtherToken.StatusCode);
        await using var db = await portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var uses = await db.AuditEntries.AsNoTracking().Where(e => e.Action == "api-token.used").Select(e => e.Summary).ToListAsync();
        Assert.Equal(3, uses.Count(u => u.Contains(busy.Token.PublicId)));
    }

    [Fact]
    public async Task An_idempotency_key_is_kept_for_its_lifetime_then_swept_by_the_next_claim_of_anyone()
    {
        var portal = Portal();
        var alice = await portal.PersonAsync("alice@example.com", scope: null);
        var bob = await portal.PersonAsync("bob@example.com", scope: null);
        var keys = portal.Services.GetRequiredService<IdempotencyKeys>();
        var run = Guid.NewGuid();

        Assert.IsType<IdempotencyClaim.Claimed>(await keys.ClaimAsync(alice.Id, "pipeline-7", "hash-a", CancellationToken.None));
        await keys.CompleteAsync(alice.Id, "pipeline-7", run, CancellationToken.None);
        time.Advance(IdempotencyKeys.Lifetime - TimeSpan.FromSeconds(1));
        var withinLifetime = await keys.ClaimAsync(alice.Id, "pipeline-7", "hash-a", CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(1));
        var bobsClaim = await keys.ClaimAsync(bob.Id, "deploy-1", "hash-b", CancellationToken.None);

        Assert.Equal(run, Assert.IsType<IdempotencyClaim.Repeat>(withinLifetime).RunId);
        Assert.IsType<IdempotencyClaim.Claimed>(bobsClaim);
        await using var db = await portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var left = await db.Set<ApiIdempotencyKey>().AsNoTracking().Select(k => k.Key).ToListAsync();
        Assert.Equal(["deploy-1"], left);
    }

    public void Dispose()
    {
        portal?.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        File.Delete(databaseFile);
    }
}
