using KafkaMigrationPortal.Engine.Storage;
using KafkaMigrationPortal.Heroku;
using Microsoft.EntityFrameworkCore;

namespace KafkaMigrationPortal.Engine.Execution;

/// <summary>
/// What a process's first step would otherwise pay for, paid before its job server takes jobs: the EF model, a
/// pooled database connection, the executors and Heroku clients, and the queries every step runs first (claiming the
/// run, loading it) compiled on a run id that matches nothing, so nothing is written or changed.
/// </summary>
public sealed class ExecutionWarmUp(IServiceProvider services)
{
    public async Task WarmAsync(IHerokuCredential? credential, CancellationToken ct)
    {
        var contexts = services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        await using (var db = await contexts.CreateDbContextAsync(ct))
        {
            _ = db.Model;
            await db.Database.ExecuteSqlRawAsync("SELECT 1", ct);
        }

        _ = services.GetRequiredService<StepExecutors>();
        _ = services.GetRequiredService<RunWriter>();
        _ = services.GetRequiredService<IRunScheduler>();
        _ = services.GetRequiredService<StepContextFactory>();
        if (credential is not null)
        {
            var clients = services.GetRequiredService<IHerokuClientFactory>();
            _ = clients.Platform(credential);
            _ = clients.Kafka(credential);
        }

        var nobody = Guid.NewGuid();
        var lease = services.GetRequiredService<RunLease>();
        if (await lease.TryAcquireAsync(nobody, RunLease.NewOwner("warm-up"), ct))
            throw new InvalidOperationException("A freshly made run id matched a run.");
        _ = await lease.HolderAsync(nobody, ct);
        using var scope = services.CreateScope();
        await scope.ServiceProvider.GetRequiredService<AdvanceRunJob>().AdvanceAsync(nobody, ct);
    }
}
