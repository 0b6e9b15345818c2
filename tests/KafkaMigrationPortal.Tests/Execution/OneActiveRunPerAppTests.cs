using Hangfire;
using KafkaMigrationPortal.Engine.Execution;
using KafkaMigrationPortal.Engine.Planning;
using KafkaMigrationPortal.Engine.Storage;
using KafkaMigrationPortal.TestSupport.Postgres;
using KafkaMigrationPortal.Tests.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace KafkaMigrationPortal.Tests.Execution;

/// <summary>
/// One active run per app is the database's rule, not only the service's: two portals that both checked before either
/// saved still leave one run, and the loser is told why.
/// </summary>
[Collection(PortalHostCollection.Name)]
public sealed class OneActiveRunPerAppTests
{
    private static readonly AddonSnapshot Source = new(Guid.NewGuid(), "kafka-source-1234", "heroku-kafka:basic-0", ["KAFKA"], null);

    private static MigrationPlan Plan() => EngineHost.HandPlan(Source, EngineHost.Step(new SetMaintenance(true)));

    [Fact]
    public async Task Two_portals_starting_a_run_of_the_same_app_at_once_on_PostgreSQL_leave_one_run_and_one_refusal()
    {
        await using var database = await TestPostgres.CreateDatabaseAsync();
        var bothChecked = new SaveOfNewRunHold(contenders: 2);
        var extra = new Dictionary<string, string?> { ["Execution:ReconcilerCron"] = Cron.Never() };
        await using var first = EngineHost.OnPostgres(database.DatabaseUrl, manualScheduling: true, extra, bothChecked.Install);
        await using var second = EngineHost.OnPostgres(database.DatabaseUrl, manualScheduling: true, extra, bothChecked.Install);
        _ = first.Services;
        _ = second.Services;

        var starts = new[] { first, second }.Select(host => Task.Run(() => host.Runs.StartAsync(Plan(), EngineHost.Starter))).ToList();
        var outcomes = await Task.WhenAll(starts.Select(async start =>
        {
            try
            {
                return (Run: (Guid?)await start, Refusal: (string?)null);
            }
            catch (RunRefusedException refused)
            {
                return (Run: null, Refusal: refused.Message);
            }
        }));

        // Both had passed the service's own check before either saved: only the index could refuse one.
        Assert.Equal(2, bothChecked.Arrived);
        var started = Assert.Single(outcomes, o => o.Run is not null).Run!.Value;
        var refusal = Assert.Single(outcomes, o => o.Refusal is not null).Refusal!;
        Assert.Contains("Another migration of mackerel is not finished", refusal);
        Assert.Contains(started.ToString(), refusal);
        await using (var db = await first.Databases.CreateDbContextAsync())
        {
            Assert.Equal([started], await db.MigrationRuns.Where(r => r.App == "mackerel").Select(r => r.Id).ToListAsync());
        }

        // A finished run holds nothing: once aborted, the next start goes through, on the other portal too.
        var aborted = await first.Runs.AbortAsync(started, EngineHost.Starter, "test over");
        Assert.True(aborted.Succeeded, aborted.Message);
        var next = await second.Runs.StartAsync(Plan(), EngineHost.Starter);
        await using (var db = await first.Databases.CreateDbContextAsync())
        {
            var statuses = await db.MigrationRuns.Where(r => r.App == "mackerel").ToDictionaryAsync(r => r.Id, r => r.Status);
            Assert.Equal(MigrationRunStatus.Aborted, statuses[started]);
            Assert.Equal(MigrationRunStatus.Running, statuses[next]);
        }
    }

    [Fact]
    public async Task On_SQLite_the_index_refuses_a_second_active_run_of_an_app_and_admits_finished_ones()
    {
        var file = Path.Combine(Path.GetTempPath(), $"kmp-one-active-{Guid.NewGuid():N}.db");
        try
        {
            var options = new DbContextOptionsBuilder<SqlitePortalDbContext>().UseSqlite($"Data Source={file}").Options;
            await using (var db = new SqlitePortalDbContext(options))
            {
                await db.Database.MigrateAsync();
                db.MigrationRuns.AddRange(
                    Row("mackerel", MigrationRunStatus.Paused),
                    Row("mackerel", MigrationRunStatus.Succeeded),
                    Row("mackerel", MigrationRunStatus.Failed),
                    Row("mackerel", MigrationRunStatus.Aborted),
                    Row("mackerel", MigrationRunStatus.RolledBack),
                    Row("herring", MigrationRunStatus.Running));
                await db.SaveChangesAsync();
            }

            foreach (var active in MigrationRunStatuses.Active)
            {
                await using var db = new SqlitePortalDbContext(options);
                db.MigrationRuns.Add(Row("mackerel", active));
                await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            File.Delete(file);
        }
    }

    private static MigrationRun Row(string app, MigrationRunStatus status) => new()
    {
        Id = Guid.NewGuid(), App = app, SourceAddon = "kafka-source-1234", TargetPlan = "heroku-kafka:standard-0",
        Status = status, StartedBy = EngineHost.Starter, CreatedAt = DateTimeOffset.UnixEpoch, Version = Guid.NewGuid(),
    };

    /// <summary>
    /// Holds every save that adds a run until <c>contenders</c> of them have arrived, so each start has made its own
    /// check for an active run before any of them writes.
    /// </summary>
    private sealed class SaveOfNewRunHold(int contenders) : SaveChangesInterceptor
    {
        private readonly TaskCompletionSource allArrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int arrived;

        public int Arrived => Volatile.Read(ref arrived);

        public void Install(IServiceCollection services) =>
            services.ConfigureDbContext<PostgresPortalDbContext>(options => options.AddInterceptors(this));

        public override async ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            // The app's runs only: each host's start-up warm-up saves a stub run of no app, inside a transaction it rolls back.
            if (eventData.Context!.ChangeTracker.Entries<MigrationRun>().Any(e => e.State == EntityState.Added && e.Entity.App == "mackerel")
                && Interlocked.Increment(ref arrived) <= contenders)
            {
                if (Arrived == contenders) allArrived.TrySetResult();
                await allArrived.Task.WaitAsync(TimeSpan.FromSeconds(60), cancellationToken);
            }

            return result;
        }
    }
}
