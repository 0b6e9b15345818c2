using System.Buffers.Text;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using KafkaMigrationPortal.Engine;
using KafkaMigrationPortal.Engine.Audit;
using KafkaMigrationPortal.Engine.Storage;
using KafkaMigrationPortal.Features.Identity;
using Microsoft.EntityFrameworkCore;

namespace KafkaMigrationPortal.Features.AccessTokens;

/// <summary>A token as Settings lists it: never its value.</summary>
public sealed record AccessTokenView(
    Guid Id, string PublicId, string Name, string Owner, IReadOnlyList<string> Scopes,
    DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, DateTimeOffset? RevokedAt, DateTimeOffset? LastUsedAt)
{
    public bool IsUsableAt(DateTimeOffset now) => RevokedAt is null && ExpiresAt > now;

    internal static AccessTokenView Of(ApiAccessToken token, string owner) =>
        new(token.Id, token.PublicId, token.Name, owner, token.ScopeList, token.CreatedAt, token.ExpiresAt, token.RevokedAt, token.LastUsedAt);
}

/// <summary>What Settings asks for when creating a token.</summary>
public sealed record NewAccessToken(string Name, IReadOnlyList<string> Scopes, TimeSpan Lifetime);

/// <param name="Value">The token itself: shown once, then only its hash is kept.</param>
public sealed record CreatedAccessToken(AccessTokenView Token, string Value);

/// <summary>Who a presented token stands for, or why it stands for nobody (one of <see cref="AccessTokenRefusals"/>).</summary>
public sealed record AccessTokenCheck(ApiAccessToken? Token, UserAccount? Owner, string? Refusal, string? Message)
{
    public bool Accepted => Refusal is null;
}

/// <summary>Why a presented token was not accepted; the API answers each with its own problem type.</summary>
public static class AccessTokenRefusals
{
    public const string Missing = "token-missing";
    public const string Invalid = "token-invalid";
    public const string Revoked = "token-revoked";
    public const string Expired = "token-expired";
}

/// <summary>
/// Personal access tokens: created, listed and revoked by their owner in Settings (an admin may also revoke anyone's,
/// for someone who left or a token that leaked), checked by the API on every request. A token is <c>kmp_</c> and the base64url of 32 random bytes; the database holds its SHA-256 only, so a copy
/// of it authenticates nobody.
/// </summary>
public sealed class AccessTokenStore(
    IDbContextFactory<PortalDbContext> contexts,
    PortalMembers members,
    AuditLog audit,
    TimeProvider time,
    ILogger<AccessTokenStore> logger)
{
    public const string Prefix = "kmp_";
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromDays(366);
    private const int MaxNameLength = 100;

    public async Task<QueryResult<CreatedAccessToken>> CreateAsync(ClaimsPrincipal user, NewAccessToken request, CancellationToken ct = default)
    {
        if (await members.CurrentAsync(user, ct) is not { } member)
            return QueryResult<CreatedAccessToken>.Failed("You are no longer a user of this portal: sign in again.", Refusals.NotAMember);
        var name = request.Name?.Trim() ?? "";
        if (name.Length is 0 or > MaxNameLength)
            return QueryResult<CreatedAccessToken>.Failed($"Give the token a name of 1 to {MaxNameLength} characters (what uses it).", Refusals.InvalidRequest);
        var scopes = AccessTokenScopes.All.Where(s => request.Scopes.Contains(s, StringComparer.Ordinal)).ToList();
        if (scopes.Count == 0 || request.Scopes.Any(s => !AccessTokenScopes.All.Contains(s, StringComparer.Ordinal)))
            return QueryResult<CreatedAccessToken>.Failed($"Choose at least one scope of {string.Join(", ", AccessTokenScopes.All)}.", Refusals.InvalidRequest);
        if (request.Lifetime <= TimeSpan.Zero || request.Lifetime > MaxLifetime)
            return QueryResult<CreatedAccessToken>.Failed("A token must expire, at most a year from now.", Refusals.InvalidRequest);

        var value = Prefix + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        var now = time.GetUtcNow();
        var token = new ApiAccessToken
        {
            Id = Guid.NewGuid(),
            PublicId = "t-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4)),
            UserId = member.Id,
            Name = name,
            Hash = HashOf(value),
            Scopes = string.Join(',', scopes),
            CreatedAt = now,
            ExpiresAt = now + request.Lifetime,
        };
        try
        {
            await audit.RecordAsync(async (db, c) =>
            {
                db.Add(token);
                await db.SaveChangesAsync(c);
                return new AuditRecord(member.Email, "api-token.created",
                    $"{member.Email} created API token {token.PublicId} “{name}” ({token.Scopes}), expiring {token.ExpiresAt:yyyy-MM-dd HH:mm} UTC.");
            }, ct);
        }
        catch (Exception e) when (e is DbUpdateException or InvalidOperationException)
        {
            logger.LogError(e, "Creating an API token for {User} failed", member.Email);
            return QueryResult<CreatedAccessToken>.Failed("The token could not be saved: the portal's database did not answer. Try again in a moment.", Refusals.Unavailable);
        }

        return QueryResult<CreatedAccessToken>.Ok(new(AccessTokenView.Of(token, member.Email), value));
    }

    /// <summary>The signed-in person's own tokens, newest first, revoked and expired ones included.</summary>
    public async Task<QueryResult<IReadOnlyList<AccessTokenView>>> ListAsync(ClaimsPrincipal user, CancellationToken ct = default)
    {
        if (user.UserId() is not { } id) return QueryResult<IReadOnlyList<AccessTokenView>>.Failed("You are not signed in with a portal account.", Refusals.NotAMember);
        try
        {
            await using var db = await contexts.CreateDbContextAsync(ct);
            var tokens = await db.Set<ApiAccessToken>().AsNoTracking().Where(t => t.UserId == id).ToListAsync(ct);
            return QueryResult<IReadOnlyList<AccessTokenView>>.Ok(tokens.OrderByDescending(t => t.CreatedAt).Select(t => AccessTokenView.Of(t, user.Email() ?? "")).ToList());
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Listing the API tokens of {User} failed", id);
            return QueryResult<IReadOnlyList<AccessTokenView>>.Failed("Your tokens could not be loaded: the portal's database did not answer. Try again in a moment.", Refusals.Unavailable);
        }
    }

    /// <summary>For an admin: every other person's tokens that can still be used, newest first.</summary>
    public async Task<QueryResult<IReadOnlyList<AccessTokenView>>> ListOthersUsableAsync(ClaimsPrincipal user, CancellationToken ct = default)
    {
        if (await members.CurrentAsync(user, ct) is not { } member || !member.Has(TeamRole.Admin))
            return QueryResult<IReadOnlyList<AccessTokenView>>.Failed("Only an admin sees other people's tokens.", Refusals.RoleRequired);
        try
        {
            await using var db = await contexts.CreateDbContextAsync(ct);
            var now = time.GetUtcNow();
            var tokens = await db.Set<ApiAccessToken>().AsNoTracking().Where(t => t.UserId != member.Id && t.RevokedAt == null)
                .Join(db.Set<UserAccount>(), t => t.UserId, u => u.Id, (t, u) => new { Token = t, u.Email }).ToListAsync(ct);
            return QueryResult<IReadOnlyList<AccessTokenView>>.Ok(tokens.Where(t => t.Token.ExpiresAt > now).OrderByDescending(t => t.Token.CreatedAt)
                .Select(t => AccessTokenView.Of(t.Token, t.Email)).ToList());
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Listing everyone's API tokens for {User} failed", member.Email);
            return QueryResult<IReadOnlyList<AccessTokenView>>.Failed("The tokens could not be loaded: the portal's database did not answer. Try again in a moment.", Refusals.Unavailable);
        }
    }

    /// <summary>Revokes one of the signed-in person's own tokens, or anyone's for an admin; it is refused from the next request on.</summary>
    public async Task<QueryResult<AccessTokenView>> RevokeAsync(ClaimsPrincipal user, Guid tokenId, CancellationToken ct = default)
    {
        if (await members.CurrentAsync(user, ct) is not { } member)
            return QueryResult<AccessTokenView>.Failed("You are no longer a user of this portal: sign in again.", Refusals.NotAMember);
        var admin = member.Has(TeamRole.Admin);
        AccessTokenView? revoked = null;
        await audit.RecordAsync(async (db, c) =>
        {
            var token = await db.Set<ApiAccessToken>().SingleOrDefaultAsync(t => t.Id == tokenId && (admin || t.UserId == member.Id), c);
            if (token is null) return new AuditRecord(member.Email, "api-token.revoke-refused", $"{member.Email} tried to revoke an API token that is not theirs ({tokenId}).");
            var owner = token.UserId == member.Id ? member.Email : await db.Set<UserAccount>().Where(u => u.Id == token.UserId).Select(u => u.Email).SingleAsync(c);
            token.RevokedAt ??= time.GetUtcNow();
            await db.SaveChangesAsync(c);
            revoked = AccessTokenView.Of(token, owner);
            return new AuditRecord(member.Email, "api-token.revoked",
                $"{member.Email} revoked API token {token.PublicId} “{token.Name}”{(owner == member.Email ? "" : $" of {owner}")}.");
        }, ct);
        return revoked is null
            ? QueryResult<AccessTokenView>.Failed("You have no such token.", Refusals.InvalidRequest)
            : QueryResult<AccessTokenView>.Ok(revoked);
    }

    /// <summary>Whose token <paramref name="presented"/> is, if it is one that may be used now.</summary>
    public async Task<AccessTokenCheck> CheckAsync(string presented, CancellationToken ct = default)
    {
        if (!presented.StartsWith(Prefix, StringComparison.Ordinal) || presented.Length > 100)
            return new(null, null, AccessTokenRefusals.Invalid, "This is not a portal access token (they start with kmp_).");
        var hash = HashOf(presented);
        await using var db = await contexts.CreateDbContextAsync(ct);
        var token = await db.Set<ApiAccessToken>().AsNoTracking().SingleOrDefaultAsync(t => t.Hash == hash, ct);
        // The index found the row by its hash; comparing in constant time keeps even that comparison from timing leaks.
        if (token is null || !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(token.Hash), Encoding.ASCII.GetBytes(hash)))
            return new(null, null, AccessTokenRefusals.Invalid, "The portal knows no such token.");
        if (token.RevokedAt is not null) return new(token, null, AccessTokenRefusals.Revoked, $"Token {token.PublicId} was revoked.");
        if (token.ExpiresAt <= time.GetUtcNow()) return new(token, null, AccessTokenRefusals.Expired, $"Token {token.PublicId} expired at {token.ExpiresAt:u}.");
        var owner = await db.Set<UserAccount>().AsNoTracking().SingleOrDefaultAsync(u => u.Id == token.UserId, ct);
        if (owner is not { AccessRevokedAt: null })
            return new(token, null, AccessTokenRefusals.Revoked, $"The owner of token {token.PublicId} may no longer use the portal.");
        return new(token, owner, null, null);
    }

    /// <summary>Records a use of an accepted token in the audit log (by its public id, never its value).</summary>
    public Task RecordUseAsync(ApiAccessToken token, UserAccount owner, string request, CancellationToken ct = default) =>
        audit.RecordAsync(async (db, c) =>
        {
            await db.Set<ApiAccessToken>().Where(t => t.Id == token.Id)
                .ExecuteUpdateAsync(set => set.SetProperty(t => t.LastUsedAt, (DateTimeOffset?)time.GetUtcNow()), c);
            return new AuditRecord(owner.Email, "api-token.used", $"{owner.Email} used API token {token.PublicId} “{token.Name}”: {request}");
        }, ct);

    private static string HashOf(string value) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)));
}
