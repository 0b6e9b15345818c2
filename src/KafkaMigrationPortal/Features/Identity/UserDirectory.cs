using KafkaMigrationPortal.Engine.Audit;
using KafkaMigrationPortal.Engine.Storage;
using Microsoft.EntityFrameworkCore;
using KafkaMigrationPortal.Engine;

namespace KafkaMigrationPortal.Features.Identity;

public sealed record HerokuIdentity(string HerokuUserId, string Email, string? Name);

/// <param name="Scope">What the grant was asked for; null when unchanged (a refresh keeps its grant's scope).</param>
public sealed record HerokuTokens(string AccessToken, string? RefreshToken, DateTimeOffset? ExpiresAt, string? Scope = null);

public sealed record UserView(Guid Id, string Email, string? Name, IReadOnlyList<string> Roles, DateTimeOffset LastSignInAt);

/// <summary>Someone added by an admin who has not signed in yet: their first sign-in gets <paramref name="Roles"/>.</summary>
public sealed record PendingPersonView(Guid Id, string Email, IReadOnlyList<string> Roles, string AddedBy, DateTimeOffset AddedAt);

/// <summary>The people who have signed in, their roles and their (encrypted) Heroku grants.</summary>
public sealed class UserDirectory(IDbContextFactory<PortalDbContext> contexts, HerokuTokenVault vault, SignInAllowList allowList, AuditLog audit, TimeProvider time)
{
    // Where the first person to sign in administers the portal, a single process-wide gate keeps two first sign-ins
    // from both becoming that person on SQLite.
    private static readonly SemaphoreSlim FirstUserGate = new(1, 1);

    /// <summary>
    /// Records an admitted sign-in: creates the account on first sign-in and stores the tokens encrypted. Admins come
    /// from <see cref="SignInAllowList.Admins"/> (granted again at each sign-in: the setting is the source), or, in the
    /// sandbox and single-operator mode only, the very first person to sign in.
    /// </summary>
    /// <param name="tokens">Null keeps the grant stored earlier (a wider one than this sign-in asked for).</param>
    public async Task<UserAccount> RecordSignInAsync(HerokuIdentity identity, HerokuTokens? tokens, CancellationToken cancellationToken = default)
    {
        await FirstUserGate.WaitAsync(cancellationToken);
        try
        {
            UserAccount? signedIn = null;
            await audit.RecordAsync(async (db, ct) =>
            {
                var now = time.GetUtcNow();
                var user = await db.Set<UserAccount>().SingleOrDefaultAsync(u => u.HerokuUserId == identity.HerokuUserId, ct);
                PendingMember? added = null;
                if (user is null)
                {
                    var isFirst = allowList.FirstSignInIsAdmin && !await db.Set<UserAccount>().AnyAsync(ct);
                    var email = identity.Email.Trim().ToLowerInvariant();
                    added = await db.Set<PendingMember>().SingleOrDefaultAsync(p => p.Email == email, ct);
                    user = new UserAccount
                    {
                        Id = Guid.NewGuid(),
                        HerokuUserId = identity.HerokuUserId,
                        Email = identity.Email,
                        CreatedAt = now,
                        Roles = isFirst ? string.Join(',', TeamRole.All) : added?.Roles ?? TeamRole.Viewer,
                    };
                    db.Add(user);
                    if (added is not null) db.Remove(added);
                }

                user.Email = identity.Email;
                user.Name = identity.Name;
                user.LastSignInAt = now;
                user.AccessRevokedAt = null;
                var madeAdmin = allowList.IsAdmin(identity.Email) && !user.HasRole(TeamRole.Admin);
                if (madeAdmin)
                {
                    user.Roles = string.Join(',', TeamRole.All);
                }

                if (tokens is not null) StoreTokens(user, tokens);
                signedIn = user;
                var grant = tokens is null ? $"kept the earlier '{user.EffectiveGrantedScope()}' grant" : $"granted '{user.EffectiveGrantedScope()}'";
                var inAdvance = added is null ? "" : $"; roles given in advance by {added.AddedBy}";
                return new AuditRecord(user.Email, "user.signed-in",
                    $"{user.Email} signed in with Heroku (roles: {user.Roles}; {grant}{inAdvance}{(madeAdmin ? $"; admin as listed in {SignInAllowList.AdminsKey}" : "")})");
            }, cancellationToken);
            return signedIn!;
        }
        finally
        {
            FirstUserGate.Release();
        }
    }

    /// <summary>The account of single-operator mode; it holds no token (the operator acts with HEROKU_API_KEY).</summary>
    public async Task<UserAccount> EnsureLocalOperatorAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var user = await db.Set<UserAccount>().SingleOrDefaultAsync(u => u.HerokuUserId == PortalClaims.LocalOperatorEmail, cancellationToken);
        if (user is null)
        {
            user = new UserAccount
            {
                Id = Guid.NewGuid(),
                HerokuUserId = PortalClaims.LocalOperatorEmail,
                Email = PortalClaims.LocalOperatorEmail,
                Name = "Local operator (HEROKU_API_KEY)",
                Roles = string.Join(',', TeamRole.All),
                CreatedAt = time.GetUtcNow(),
                LastSignInAt = time.GetUtcNow(),
            };
            db.Add(user);
            await db.SaveChangesAsync(cancellationToken);
        }

        return user;
    }

    /// <summary>Signs a person out for good (until a sign-in admits them again) and forgets their Heroku grant.</summary>
    public async Task RevokeAccessAsync(Guid userId, string reason, CancellationToken cancellationToken = default)
    {
        if (await FindAsync(userId, cancellationToken) is null) return;
        await audit.RecordAsync(async (db, ct) =>
        {
            var user = await db.Set<UserAccount>().SingleAsync(u => u.Id == userId, ct);
            user.AccessRevokedAt = time.GetUtcNow();
            user.ProtectedAccessToken = null;
            user.ProtectedRefreshToken = null;
            user.AccessTokenExpiresAt = null;
            return new AuditRecord("portal", "user.access-revoked", $"{user.Email} may no longer use the portal: {reason}");
        }, cancellationToken);
    }

    private static string Describe(string roles) => roles.Length == 0 ? "(none)" : roles;

    public void StoreTokens(UserAccount user, HerokuTokens tokens)
    {
        user.ProtectedAccessToken = vault.Protect(tokens.AccessToken);
        if (tokens.RefreshToken is not null)
        {
            user.ProtectedRefreshToken = vault.Protect(tokens.RefreshToken);
        }

        user.AccessTokenExpiresAt = tokens.ExpiresAt;
        if (tokens.Scope is not null) user.GrantedScope = tokens.Scope;
    }

    public async Task<UserAccount?> FindAsync(Guid id, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Set<UserAccount>().AsNoTracking().SingleOrDefaultAsync(u => u.Id == id, cancellationToken);
    }

    public async Task<UserAccount?> FindByHerokuIdAsync(string herokuUserId, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Set<UserAccount>().AsNoTracking().SingleOrDefaultAsync(u => u.HerokuUserId == herokuUserId, cancellationToken);
    }

    public async Task<QueryResult<IReadOnlyList<UserView>>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var users = await db.Set<UserAccount>().AsNoTracking().OrderBy(u => u.Email).ToListAsync(cancellationToken);
        return QueryResult<IReadOnlyList<UserView>>.Ok(users.Select(u => new UserView(u.Id, u.Email, u.Name, u.RoleList, u.LastSignInAt)).ToList());
    }

    /// <summary>People added by an admin who have not signed in yet.</summary>
    public async Task<QueryResult<IReadOnlyList<PendingPersonView>>> ListPendingAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var pending = await db.Set<PendingMember>().AsNoTracking().OrderBy(p => p.Email).ToListAsync(cancellationToken);
        return QueryResult<IReadOnlyList<PendingPersonView>>.Ok(pending.Select(View).ToList());
    }

    /// <summary>
    /// Adds a person by e-mail before their first sign-in, which then gets <paramref name="roles"/> (if the allow-list
    /// admits them: this admits nobody). Only admins may; adding the same address again replaces the roles.
    /// </summary>
    public async Task<QueryResult<PendingPersonView>> AddInAdvanceAsync(Guid adminId, string email, IReadOnlyCollection<string> roles, CancellationToken cancellationToken = default)
    {
        var address = (email ?? "").Trim().ToLowerInvariant();
        if (!IsEmailAddress(address))
        {
            return QueryResult<PendingPersonView>.Failed($"'{email?.Trim()}' is not an e-mail address: enter one such as name@example.com.");
        }

        var unknown = roles.Except(TeamRole.All).ToList();
        if (unknown.Count > 0)
        {
            return QueryResult<PendingPersonView>.Failed($"Unknown role(s): {string.Join(", ", unknown)}.");
        }

        if (roles.Count == 0)
        {
            return QueryResult<PendingPersonView>.Failed("Choose at least one role (viewer to let them only look).");
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var admin = await db.Set<UserAccount>().AsNoTracking().SingleOrDefaultAsync(u => u.Id == adminId, cancellationToken);
        if (admin is null || !admin.HasRole(TeamRole.Admin) || admin.AccessRevokedAt is not null)
        {
            return QueryResult<PendingPersonView>.Failed("Only an admin can add people.");
        }

        var existing = await db.Set<UserAccount>().AsNoTracking().Select(u => u.Email).ToListAsync(cancellationToken);
        if (existing.Any(e => string.Equals(e, address, StringComparison.OrdinalIgnoreCase)))
        {
            return QueryResult<PendingPersonView>.Failed($"{address} has signed in already: change their roles in the table.");
        }

        var granted = string.Join(',', TeamRole.All.Where(roles.Contains));
        PendingMember? stored = null;
        try
        {
            await audit.RecordAsync(async (changing, ct) =>
            {
                stored = await changing.Set<PendingMember>().SingleOrDefaultAsync(p => p.Email == address, ct);
                var before = stored?.Roles;
                if (stored is null)
                {
                    stored = new PendingMember { Id = Guid.NewGuid(), Email = address, Roles = granted, AddedBy = admin.Email, AddedAt = time.GetUtcNow() };
                    changing.Add(stored);
                }
                else
                {
                    stored.Roles = granted;
                    stored.AddedBy = admin.Email;
                }

                return new AuditRecord(admin.Email, "user.added-in-advance",
                    before is null
                        ? $"{address} added before their first sign-in, with roles {granted}"
                        : $"{address} (not signed in yet): roles {Describe(before)} → {granted}");
            }, cancellationToken);
        }
        catch (DbUpdateException)
        {
            return QueryResult<PendingPersonView>.Failed("The change could not be written to the audit log, so it was not made. Try again in a moment.");
        }

        return QueryResult<PendingPersonView>.Ok(View(stored!));
    }

    /// <summary>Withdraws a person added in advance who has not signed in yet. Only admins may.</summary>
    public async Task<QueryResult<PendingPersonView>> WithdrawInAdvanceAsync(Guid adminId, Guid pendingId, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var admin = await db.Set<UserAccount>().AsNoTracking().SingleOrDefaultAsync(u => u.Id == adminId, cancellationToken);
        if (admin is null || !admin.HasRole(TeamRole.Admin) || admin.AccessRevokedAt is not null)
        {
            return QueryResult<PendingPersonView>.Failed("Only an admin can withdraw people.");
        }

        PendingMember? removed = null;
        await audit.RecordAsync(async (changing, ct) =>
        {
            removed = await changing.Set<PendingMember>().SingleOrDefaultAsync(p => p.Id == pendingId, ct);
            if (removed is null) return new AuditRecord(admin.Email, "user.added-in-advance-withdrawn", "nobody to withdraw (already signed in or withdrawn)");
            changing.Remove(removed);
            return new AuditRecord(admin.Email, "user.added-in-advance-withdrawn", $"{removed.Email} withdrawn before their first sign-in (roles were {removed.Roles})");
        }, cancellationToken);
        return removed is null ? QueryResult<PendingPersonView>.Failed("They have signed in or were withdrawn already.") : QueryResult<PendingPersonView>.Ok(View(removed));
    }

    private static PendingPersonView View(PendingMember p) => new(p.Id, p.Email, p.RoleList, p.AddedBy, p.AddedAt);

    private static bool IsEmailAddress(string address) =>
        address.Length is > 2 and <= 320
        && !address.Any(char.IsWhiteSpace)
        && address.IndexOf('@') is var at and > 0
        && at == address.LastIndexOf('@')
        && at < address.Length - 1
        && System.Net.Mail.MailAddress.TryCreate(address, out var parsed)
        && parsed.Address == address;

    /// <summary>Replaces a user's roles. Only admins may; the last admin cannot give up the role.</summary>
    public async Task<QueryResult<UserView>> SetRolesAsync(Guid adminId, Guid userId, IReadOnlyCollection<string> roles, CancellationToken cancellationToken = default)
    {
        var unknown = roles.Except(TeamRole.All).ToList();
        if (unknown.Count > 0)
        {
            return QueryResult<UserView>.Failed($"Unknown role(s): {string.Join(", ", unknown)}.");
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var admin = await db.Set<UserAccount>().SingleOrDefaultAsync(u => u.Id == adminId, cancellationToken);
        if (admin is null || !admin.HasRole(TeamRole.Admin))
        {
            return QueryResult<UserView>.Failed("Only an admin can change roles.");
        }

        var user = await db.Set<UserAccount>().SingleOrDefaultAsync(u => u.Id == userId, cancellationToken);
        if (user is null)
        {
            return QueryResult<UserView>.Failed("No such user.");
        }

        if (user.HasRole(TeamRole.Admin) && !roles.Contains(TeamRole.Admin))
        {
            var admins = (await db.Set<UserAccount>().Select(u => u.Roles).ToListAsync(cancellationToken))
                .Count(r => r.Split(',').Contains(TeamRole.Admin));
            if (admins <= 1)
            {
                return QueryResult<UserView>.Failed("The portal needs at least one admin: grant the role to someone else first.");
            }
        }

        var granted = string.Join(',', TeamRole.All.Where(roles.Contains));
        try
        {
            await audit.RecordAsync(async (changing, ct) =>
            {
                user = await changing.Set<UserAccount>().SingleAsync(u => u.Id == userId, ct);
                var before = user.Roles;
                user.Roles = granted;
                return new AuditRecord(admin.Email, "user.roles-changed", $"{user.Email}: roles {Describe(before)} → {Describe(user.Roles)}");
            }, cancellationToken);
        }
        catch (DbUpdateException)
        {
            return QueryResult<UserView>.Failed("The change could not be written to the audit log, so it was not made. Try again in a moment.");
        }

        return QueryResult<UserView>.Ok(new(user.Id, user.Email, user.Name, user.RoleList, user.LastSignInAt));
    }
}
