using KafkaMigrationPortal.Engine.Audit;
using KafkaMigrationPortal.Engine.Planning;
using KafkaMigrationPortal.Engine.Storage;
using KafkaMigrationPortal.Heroku;
using Microsoft.EntityFrameworkCore;

namespace KafkaMigrationPortal.Engine.Execution;

/// <summary>
/// What a process's first step would otherwise pay for, paid before its job server takes jobs: the EF model, a
/// pooled database connection, the executors and Heroku clients (built, not called), the plan's JSON, and the
/// queries and writes every step makes first (claiming the run, loading it, saving it, its event and audit entry) on
/// a run id that matches nothing or inside a transaction that is rolled back, so nothing is written or changed.
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
        if (credential is not null)
        {
            // Built, not called: a Heroku that is down or slow would fill the start-up log with retries, or hold it back.
            var clients = services.GetRequiredService<IHerokuClientFactory>();
            _ = clients.Platform(credential);
            _ = clients.Kafka(credential);
        }

        // Every step reads its run's plan and its action from JSON; the serializer builds each contract on first use.
        var action = new SetMaintenance(true);
        var step = new PlanStep(0, action, "", "", "", "", RequiresApproval: false, Reversible: true, Compensation: null, TimeSpan.Zero);
        _ = PlanSerialization.DeserializePlan(PlanSerialization.Serialize(new MigrationPlan("", MigrationStrategy.MaintenanceWindow,
            new AddonSnapshot(Guid.Empty, "", "", [], null), "", [], [], [new TopicSpec("", 1, 1, null, false)], [], [step], [])));
        _ = PlanSerialization.DeserializeAction(PlanSerialization.Serialize(action));

        var nobody = Guid.NewGuid();
        var lease = services.GetRequiredService<RunLease>();
        if (await lease.TryAcquireAsync(nobody, RunLease.NewOwner("warm-up"), ct))
            throw new InvalidOperationException("A freshly made run id matched a run.");
        _ = await lease.HolderAsync(nobody, ct);
        using var scope = services.CreateScope();
        await scope.ServiceProvider.GetRequiredService<AdvanceRunJob>().AdvanceAsync(nobody, ct);
        await SaveNothingAsync(contexts, nobody, ct);
        await WriteNothingAsync(contexts, nobody, ct);
    }

    /// <summary>
    /// What a step's first event and audit entry cost (the reads before each, EF's insert pipeline for runs, events and
    /// audit entries), in a transaction that is rolled back: nothing is ever committed, and the audit entry's sequence
    /// (-1) is one no real entry takes, so no writer waits on it.
    /// </summary>
    private static async Task WriteNothingAsync(IDbContextFactory<PortalDbContext> contexts, Guid runId, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        _ = await db.RunEvents.Where(e => e.RunId == runId).MaxAsync(e => (int?)e.Sequence, ct);
        _ = await db.RunEvents.AnyAsync(e => e.RunId == runId && e.StepSequence == 0 && e.Kind == RunEventKinds.StepStarted, ct);
        _ = await db.MigrationRuns.Where(r => r.Id == runId).Select(r => r.App).FirstOrDefaultAsync(ct);
        _ = await db.AuditEntries.OrderByDescending(e => e.Sequence).Select(e => new { e.Sequence, e.Hash }).FirstOrDefaultAsync(ct);
        var now = DateTimeOffset.UnixEpoch;
        var stub = new MigrationRun { Id = runId, App = "", SourceAddon = "", TargetPlan = "", StartedBy = "", Version = Guid.NewGuid() };
        stub.Steps.Add(new RunStep { RunId = runId, Sequence = 0, Title = "", ActionJson = "{}" });
        db.MigrationRuns.Add(stub);
        db.RunEvents.Add(new RunEvent { RunId = runId, Sequence = 1, At = now, Actor = RunEvent.EngineActor, Kind = RunEventKinds.StepStarted, Summary = "warm-up" });
        db.AuditEntries.Add(new AuditEntry
        {
            Sequence = -1, At = now, Actor = RunEvent.EngineActor, Action = "warm-up", RunId = runId, Summary = "warm-up",
            PreviousHash = AuditLog.GenesisHash, Hash = AuditLog.GenesisHash,
        });
        await db.SaveChangesAsync(ct);

        // A step's start as the job makes it: the run and its steps loaded (materialized, tracked), changed, saved.
        db.ChangeTracker.Clear();
        var run = await db.MigrationRuns.Include(r => r.Steps).FirstAsync(r => r.Id == runId, ct);
        run.Steps.First().Status = RunStepStatus.Running;
        run.Status = MigrationRunStatus.Running;
        run.Version = Guid.NewGuid();
        await db.SaveChangesAsync(ct);
        await transaction.RollbackAsync(ct);
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
