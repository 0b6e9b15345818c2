using System.Security.Claims;
using Bunit.TestDoubles;
using KafkaMigrationPortal.Engine.Audit;
using KafkaMigrationPortal.Features.Audit;
using KafkaMigrationPortal.Features.Identity;
using Microsoft.AspNetCore.DataProtection;
using KafkaMigrationPortal.Features.History;
using KafkaMigrationPortal.Engine.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace KafkaMigrationPortal.Tests.Components.History;

/// <summary>
/// A real portal database (SQLite in a temporary file, migrated) behind the services the History and Settings
/// components use, so their queries, paging and filters run for real under bunit.
/// </summary>
public sealed class PortalDatabaseForComponents : IDisposable
{
    private readonly string path = Path.Combine(Path.GetTempPath(), $"kmp-components-{Guid.NewGuid():N}.db");

    public PortalDatabaseForComponents(IServiceCollection services, bool migrated = true)
    {
        services.AddLogging();
        services.AddSingleton<TimeProvider>(Clock);
        services.AddDbContextFactory<SqlitePortalDbContext>(o => o.UseSqlite($"Data Source={path};Pooling=false"));
        services.AddSingleton<IDbContextFactory<PortalDbContext>>(sp => new Contexts(sp.GetRequiredService<IDbContextFactory<SqlitePortalDbContext>>()));
        services.AddSingleton<AuditLog>();
        services.AddSingleton<AuditQueries>();
        services.AddDataProtection().UseEphemeralDataProtectionProvider();
        services.AddSingleton<HerokuTokenVault>();
        services.AddSingleton(new SignInAllowList([], [], []) { FirstSignInIsAdmin = true });
        services.AddSingleton<UserDirectory>();
        services.AddSingleton<PortalMembers>();
        services.AddSingleton<AuditReaders>();
        services.AddSingleton<KafkaMigrationPortal.Features.AccessTokens.AccessTokenStore>();
        Migrated = migrated;
    }

    public SteppingClock Clock { get; } = new(new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero));

    private bool Migrated { get; }

    public async Task PrepareAsync(IServiceProvider services)
    {
        if (!Migrated) return;
        await using var db = await services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        await db.Database.MigrateAsync();
    }

    /// <summary>Records <paramref name="email"/>'s sign-in (the first one becomes admin) and signs them in for the rendered components.</summary>
    public static async Task<UserAccount> SignInAsync(IServiceProvider services, BunitAuthorizationContext authorization, string email, string[]? roles = null)
    {
        var directory = services.GetRequiredService<UserDirectory>();
        var user = await directory.RecordSignInAsync(new HerokuIdentity($"heroku-{email}", email, null), new HerokuTokens("token-" + email, null, null));
        if (roles is not null)
        {
            await using var db = await services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
            var stored = await db.Set<UserAccount>().SingleAsync(u => u.Id == user.Id);
            stored.Roles = string.Join(',', roles);
            await db.SaveChangesAsync();
            user = stored;
        }

        authorization.SetAuthorized(email);
        authorization.SetRoles([.. user.RoleList]);
        // Last: bunit's SetRoles replaces the claims set before it.
        authorization.SetClaims(new Claim(ClaimTypes.NameIdentifier, user.Id.ToString()), new Claim(ClaimTypes.Email, email));
        return user;
    }

    public void Dispose()
    {
        foreach (var file in new[] { path, path + "-wal", path + "-shm" })
        {
            try { File.Delete(file); } catch (IOException) { }
        }
    }

    private sealed class Contexts(IDbContextFactory<SqlitePortalDbContext> inner) : IDbContextFactory<PortalDbContext>
    {
        public PortalDbContext CreateDbContext() => inner.CreateDbContext();
    }
}

/// <summary>A clock that moves only when told, so seeded entries have known, distinct times.</summary>
public sealed class SteppingClock(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset now = start;

    public override DateTimeOffset GetUtcNow() => now;

    public void Advance(TimeSpan by) => now += by;
}
