using KafkaMigrationPortal.Engine.Planning;
using KafkaMigrationPortal.Engine.Storage;
using Microsoft.EntityFrameworkCore;

namespace KafkaMigrationPortal.Engine.Execution;

public sealed record MigrationRunSummary(
    Guid Id, string App, string SourceAddon, string TargetPlan, MigrationStrategy Strategy, MigrationRunStatus Status, string StartedBy,
    DateTimeOffset CreatedAt, DateTimeOffset? FinishedAt, int StepCount, CurrentRunStep? CurrentStep)
{
    /// <summary>From creation until it finished, or until <paramref name="now"/> while it goes on.</summary>
    public TimeSpan Duration(DateTimeOffset now) => (FinishedAt ?? now) - CreatedAt;
}

/// <summary>The first step of a run not yet done (the one running, waiting or waiting for people).</summary>
public sealed record CurrentRunStep(int Sequence, string Title, RunStepStatus Status);

public sealed class MigrationRunQueries(IDbContextFactory<PortalDbContext> contexts, ILogger<MigrationRunQueries> logger)
{
    public async Task<QueryResult<IReadOnlyList<MigrationRunSummary>>> ListRecentAsync(int count, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            var runs = await db.MigrationRuns
                .OrderByDescending(r => r.CreatedAt)
                .Take(count)
                .Select(r => new MigrationRunSummary(r.Id, r.App, r.SourceAddon, r.TargetPlan, r.Strategy, r.Status, r.StartedBy, r.CreatedAt, r.FinishedAt,
                    r.Steps.Count,
                    r.Steps.Where(s => s.Status != RunStepStatus.Done && s.Status != RunStepStatus.Skipped && s.Status != RunStepStatus.RolledBack)
                        .OrderBy(s => s.Sequence).Select(s => new CurrentRunStep(s.Sequence, s.Title, s.Status)).FirstOrDefault()))
                .ToListAsync(cancellationToken);
            return QueryResult<IReadOnlyList<MigrationRunSummary>>.Ok(runs);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Listing migration runs failed");
            return QueryResult<IReadOnlyList<MigrationRunSummary>>.Failed("The migrations could not be loaded: the portal's database did not answer. Try again in a moment.");
        }
    }
}
