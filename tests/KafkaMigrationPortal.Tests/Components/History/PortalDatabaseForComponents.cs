using KafkaMigrationPortal.Engine.Audit;
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
