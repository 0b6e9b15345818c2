using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using KafkaMigrationPortal.Engine.Storage;

namespace KafkaMigrationPortal.Features.Health;

internal sealed class StorageHealthCheck(IDbContextFactory<PortalDbContext> contexts, StorageSettings settings) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object> { ["provider"] = settings.Provider.ToString() };
        try
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).Count();
            data["pendingMigrations"] = pending;
            return pending == 0
                ? HealthCheckResult.Healthy("reachable, schema up to date", data)
                : HealthCheckResult.Degraded($"{pending} schema migration(s) not applied", data: data);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The provider's message may carry the host name but never the password; keep only its type.
            return HealthCheckResult.Unhealthy($"unreachable ({e.GetType().Name})", data: data);
        }
    }
}
