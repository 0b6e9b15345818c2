using KafkaMigrationPortal.Engine.Audit;
using KafkaMigrationPortal.Engine.Storage;
using Microsoft.EntityFrameworkCore;

namespace KafkaMigrationPortal.Engine.Execution;

/// <summary>Appends to a run's event log, each line committed on its own before the caller goes on.</summary>
public sealed class RunEventLog(IDbContextFactory<PortalDbContext> contexts, TimeProvider time, IRunNotifier notifier, AuditLog audit, ILogger<RunEventLog> logger)
{
    public async Task<RunEvent> AppendAsync(Guid runId, string actor, string kind, string summary,
        int? stepSequence = null, string? request = null, string? result = null, bool? succeeded = null, CancellationToken ct = default)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var db = await contexts.CreateDbContextAsync(ct);
            var last = await db.RunEvents.Where(e => e.RunId == runId).MaxAsync(e => (int?)e.Sequence, ct) ?? 0;
            var entry = new RunEvent
            {
                RunId = runId,
                Sequence = last + 1,
                At = time.GetUtcNow(),
                Actor = actor,
                Kind = kind,
                StepSequence = stepSequence,
                Summary = Truncate(summary, 2000)!,
                Request = Truncate(request, 8000),
                Result = Truncate(result, 8000),
                Succeeded = succeeded,
            };
            db.RunEvents.Add(entry);
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException) when (attempt < 10)
            {
                // Another writer took the same sequence number (the unique index refused ours): take the next one.
                logger.LogDebug("Event sequence {Sequence} of run {RunId} was taken; retrying", entry.Sequence, runId);
                continue;
            }

            notifier.Publish(new RunChange(runId, kind, entry.Sequence));
            // Everything a run does goes into the portal-wide, hash-chained audit log too; the texts are already redacted.
            var app = await db.MigrationRuns.Where(r => r.Id == runId).Select(r => r.App).FirstOrDefaultAsync(ct);
            await audit.AppendAsync(new AuditRecord(actor, kind, entry.Summary, app, runId, AuditDetails(entry)), ct);
            return entry;
        }
    }

    private static string? AuditDetails(RunEvent entry) =>
        entry.Request is null && entry.Result is null
            ? null
            : $"step {entry.StepSequence}; request: {entry.Request ?? "-"}; result: {entry.Result ?? "-"}; succeeded: {entry.Succeeded?.ToString() ?? "-"}";

    private static string? Truncate(string? text, int max) => text is null || text.Length <= max ? text : text[..(max - 1)] + "…";
}
