using Microsoft.EntityFrameworkCore;

namespace KafkaMigrationPortal.Features.Storage;

public static class StorageModule
{
    public static StorageSettings AddPortalStorage(this IHostApplicationBuilder builder)
    {
        var settings = StorageSettings.From(builder.Configuration, builder.Environment.ContentRootPath);
        builder.Services.AddSingleton(settings);

        if (settings.Provider == StorageProvider.PostgreSql)
        {
            builder.Services.AddDbContextFactory<PostgresPortalDbContext>(o => o.UseNpgsql(settings.ConnectionString));
            builder.Services.AddSingleton<IDbContextFactory<PortalDbContext>, PortalDbContextFactory<PostgresPortalDbContext>>();
        }
        else
        {
            builder.Services.AddDbContextFactory<SqlitePortalDbContext>(o => o.UseSqlite(settings.ConnectionString));
            builder.Services.AddSingleton<IDbContextFactory<PortalDbContext>, PortalDbContextFactory<SqlitePortalDbContext>>();
        }

        builder.Services.AddHealthChecks().AddCheck<StorageHealthCheck>("storage");
        return settings;
    }

    /// <summary>Brings the schema up to date before the portal serves anything or runs any job.</summary>
    public static async Task MigratePortalStorageAsync(this IServiceProvider services, CancellationToken cancellationToken = default)
    {
        await using var db = await services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(cancellationToken);
        await db.Database.MigrateAsync(cancellationToken);
    }

    private sealed class PortalDbContextFactory<TContext>(IDbContextFactory<TContext> inner) : IDbContextFactory<PortalDbContext>
        where TContext : PortalDbContext
    {
        public PortalDbContext CreateDbContext() => inner.CreateDbContext();
    }
}
