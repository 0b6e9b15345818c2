using KafkaMigrationPortal.Engine.Planning;
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
    /// <param name="credential">The portal's own Heroku credential, or null when it has none (runs act with their starters' grants).</param>
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
        // Built, not called: a start-up that waits on Heroku (retries, an outage) would hold the job server back.
        if (credential is not null)
        {
            var clients = services.GetRequiredService<IHerokuClientFactory>();
            _ = clients.Platform(credential);
            _ = clients.Kafka(credential);
        }

        // Every step reads its action from JSON; the serializer builds the polymorphic contract on first use.
        _ = PlanSerialization.DeserializeAction(PlanSerialization.Serialize(new SetMaintenance(true)));

        var nobody = Guid.NewGuid();
        var lease = services.GetRequiredService<RunLease>();
        if (await lease.TryAcquireAsync(nobody, RunLease.NewOwner("warm-up"), ct))
            throw new InvalidOperationException("A freshly made run id matched a run.");
        _ = await lease.HolderAsync(nobody, ct);
        using var scope = services.CreateScope();
        await scope.ServiceProvider.GetRequiredService<AdvanceRunJob>().AdvanceAsync(nobody, ct);
        await SaveNothingAsync(contexts, nobody, ct);
    }

    /// <summary>
    /// EF's save pipeline (change detection, the UPDATE batch) through an update that cannot match: the run does not
    /// exist, so the concurrency check fails and no row changes.
    /// </summary>
    private static async Task SaveNothingAsync(IDbContextFactory<PortalDbContext> contexts, Guid nobody, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var stub = new MigrationRun { Id = nobody, App = "", SourceAddon = "", TargetPlan = "", StartedBy = "", Version = Guid.NewGuid() };
        db.MigrationRuns.Attach(stub);
        stub.UpdatedAt = DateTimeOffset.UnixEpoch;
        stub.Version = Guid.NewGuid();
        try
        {
            await db.SaveChangesAsync(ct);
            throw new InvalidOperationException("A freshly made run id matched a run.");
        }
        catch (DbUpdateConcurrencyException)
        {
        }
    }
}
