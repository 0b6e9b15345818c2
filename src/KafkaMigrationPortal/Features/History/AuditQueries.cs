using KafkaMigrationPortal.Components.Shared;
using KafkaMigrationPortal.Features.Audit;
using KafkaMigrationPortal.Features.Storage;
using Microsoft.EntityFrameworkCore;

namespace KafkaMigrationPortal.Features.History;

public sealed record AuditEntryView(long Id, DateTimeOffset At, string Actor, string Action, string? App, string Summary);

public sealed class AuditQueries(IDbContextFactory<PortalDbContext> contexts, ILogger<AuditQueries> logger)
{
    public async Task<QueryResult<IReadOnlyList<AuditEntryView>>> ListRecentAsync(int count, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            var entries = await db.Set<AuditEntry>()
                .OrderByDescending(e => e.Id)
                .Take(count)
                .Select(e => new AuditEntryView(e.Id, e.At, e.Actor, e.Action, e.App, e.Summary))
                .ToListAsync(cancellationToken);
            return QueryResult<IReadOnlyList<AuditEntryView>>.Ok(entries);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Listing audit entries failed");
            return QueryResult<IReadOnlyList<AuditEntryView>>.Failed("The history could not be loaded: the portal's database did not answer. Try again in a moment.");
        }
    }
}
