using KafkaMigrationPortal.Engine.Storage;
using Microsoft.EntityFrameworkCore;

namespace KafkaMigrationPortal.Features.Api;

/// <summary>What a start with an <c>Idempotency-Key</c> finds: its own claim to go ahead, or an earlier request's.</summary>
public abstract record IdempotencyClaim
{
    /// <summary>First use of the key: go ahead, then <see cref="IdempotencyKeys.CompleteAsync"/> or <see cref="IdempotencyKeys.ReleaseAsync"/>.</summary>
    public sealed record Claimed : IdempotencyClaim;

    /// <summary>The same request was carried out before: answer its run.</summary>
    public sealed record Repeat(Guid RunId) : IdempotencyClaim;

    /// <summary>The key came with another request before.</summary>
    public sealed record Mismatch : IdempotencyClaim;

    /// <summary>The same request is still being carried out.</summary>
    public sealed record InProgress : IdempotencyClaim;
}

/// <summary>
/// Keys are per person (two people may pick the same key) and kept for <see cref="Lifetime"/>, then swept. A claim is a row written
/// before the start is attempted, so two requests with one key racing each other start at most one run; a start
/// that is refused releases its claim, so the same request can be tried again.
/// </summary>
public sealed class IdempotencyKeys(IDbContextFactory<PortalDbContext> contexts, TimeProvider time)
{
    public const int MaxKeyLength = 200;
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(24);

    public async Task<IdempotencyClaim> ClaimAsync(Guid userId, string key, string requestHash, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var now = time.GetUtcNow();
        // Every claim sweeps the keys that have lived out their lifetime, anyone's: the table stays as small as a day's starts.
        var expired = now - Lifetime;
        await db.Set<ApiIdempotencyKey>().Where(k => k.CreatedAt <= expired).ExecuteDeleteAsync(ct);
        var earlier = await db.Set<ApiIdempotencyKey>().SingleOrDefaultAsync(k => k.UserId == userId && k.Key == key, ct);
        if (earlier is null)
        {
            db.Add(new ApiIdempotencyKey { UserId = userId, Key = key, RequestHash = requestHash, CreatedAt = now });
            try
            {
                await db.SaveChangesAsync(ct);
                return new IdempotencyClaim.Claimed();
            }
            catch (DbUpdateException)
            {
                // Another request with the same key claimed it between our read and our insert.
                await using var fresh = await contexts.CreateDbContextAsync(ct);
                earlier = await fresh.Set<ApiIdempotencyKey>().AsNoTracking().SingleAsync(k => k.UserId == userId && k.Key == key, ct);
            }
        }

        if (earlier.RequestHash != requestHash) return new IdempotencyClaim.Mismatch();
        return earlier.RunId is { } runId ? new IdempotencyClaim.Repeat(runId) : new IdempotencyClaim.InProgress();
    }

    public async Task CompleteAsync(Guid userId, string key, Guid runId, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        await db.Set<ApiIdempotencyKey>().Where(k => k.UserId == userId && k.Key == key)
            .ExecuteUpdateAsync(set => set.SetProperty(k => k.RunId, (Guid?)runId), ct);
    }

    public async Task ReleaseAsync(Guid userId, string key)
    {
        await using var db = await contexts.CreateDbContextAsync();
        await db.Set<ApiIdempotencyKey>().Where(k => k.UserId == userId && k.Key == key && k.RunId == null).ExecuteDeleteAsync();
    }
}
