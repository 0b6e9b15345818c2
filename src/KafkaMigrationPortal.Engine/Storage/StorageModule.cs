using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace KafkaMigrationPortal.Engine.Storage;

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

        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<PortalSchema>();
        builder.Services.AddHostedService<SchemaMigrator>();
        return settings;
    }

    /// <summary>
    /// Waits for the database and applies its schema before the host runs; Program does this before starting the
    /// host, so that a database that never answers ends start-up with one line rather than a hosting failure.
    /// </summary>
    public static Task PreparePortalStorageAsync(this IServiceProvider services, CancellationToken ct = default) =>
        services.GetRequiredService<PortalSchema>().ApplyAsync(ct);

    /// <summary>
    /// Brings the schema up to date in the hosts' "starting" phase (when Program has not already), which completes
    /// before any hosted service starts: before Kestrel takes a request and before the job server picks up a job.
    /// </summary>
    private sealed class SchemaMigrator(PortalSchema schema) : IHostedLifecycleService
    {
        public Task StartingAsync(CancellationToken cancellationToken) => schema.ApplyAsync(cancellationToken);

        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed class PortalDbContextFactory<TContext>(IDbContextFactory<TContext> inner) : IDbContextFactory<PortalDbContext>
        where TContext : PortalDbContext
    {
        public PortalDbContext CreateDbContext() => inner.CreateDbContext();
    }
}
