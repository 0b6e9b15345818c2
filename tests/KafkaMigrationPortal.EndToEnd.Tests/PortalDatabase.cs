using KafkaMigrationPortal.Engine.Audit;
using KafkaMigrationPortal.Features.Identity;
using KafkaMigrationPortal.Engine.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;

namespace KafkaMigrationPortal.EndToEnd.Tests;

/// <summary>The running portal's SQLite file, opened from the test process: how a test puts in place the data it owns.</summary>
public sealed class PortalDatabase(string path) : IDbContextFactory<PortalDbContext>
{
    private readonly DbContextOptions<SqlitePortalDbContext> options =
        new DbContextOptionsBuilder<SqlitePortalDbContext>().UseSqlite($"Data Source={path}").Options;

    public PortalDbContext CreateDbContext() => new SqlitePortalDbContext(options);

    /// <summary>The portal's own audit log, appending to this database.</summary>
    public AuditLog AuditLog => new(this, TimeProvider.System, NullLogger<AuditLog>.Instance);

    /// <summary>
    /// Gives someone who has signed in exactly these roles, whatever an earlier test granted them. The portal reads
    /// roles on every request, so the next page loaded sees them.
    /// </summary>
    public async Task SetRolesAsync(string email, params string[] roles)
    {
        await using var db = CreateDbContext();
        var user = await db.Set<UserAccount>().SingleAsync(u => u.Email == email);
        user.Roles = string.Join(',', TeamRole.All.Where(roles.Contains));
        await db.SaveChangesAsync();
    }
}
