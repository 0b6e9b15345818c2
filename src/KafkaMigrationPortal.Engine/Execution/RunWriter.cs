using KafkaMigrationPortal.Engine.Storage;

namespace KafkaMigrationPortal.Engine.Execution;

/// <summary>
/// Commits changes to a run: stamps it (time, and a new version, so a concurrent writer's save fails rather than
/// overwrites) and tells the open pages it changed.
/// </summary>
public sealed class RunWriter(IRunNotifier notifier, TimeProvider time)
{
    public async Task SaveAsync(PortalDbContext db, MigrationRun run, CancellationToken ct)
    {
        run.UpdatedAt = time.GetUtcNow();
        run.Version = Guid.NewGuid();
        await db.SaveChangesAsync(ct);
        notifier.Publish(new RunChange(run.Id, "run-updated", null));
    }
}
