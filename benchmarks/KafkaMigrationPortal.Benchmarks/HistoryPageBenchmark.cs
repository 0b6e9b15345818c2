using KafkaMigrationPortal.Engine.Audit;
using KafkaMigrationPortal.Features.History;
using KafkaMigrationPortal.Engine.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace KafkaMigrationPortal.Benchmarks;

/// <summary>
/// The History page's server-side query (<see cref="AuditQueries.PageAsync"/>: count plus the first page, newest first)
/// over --entries (100,000) audit entries on PostgreSQL, with the filters the page offers. The entries are loaded with
/// COPY straight into a throwaway database, bypassing the hash chain (a benchmark database, never verified): the query
/// neither reads nor checks the chain.
/// </summary>
public sealed class HistoryPageBenchmark : IBenchmark
{
    public const string ConnectionVariable = "KMP_BENCH_POSTGRES";
    private static readonly TimeSpan Target = TimeSpan.FromMilliseconds(150);

    public string Name => "history";

    public string Description =>
        $"History page query: first page of --entries (100000) audit entries with a filter on PostgreSQL ({ConnectionVariable} or KMP_TEST_POSTGRES); --runs (30), --page-size (25)";

    public async Task<int> RunAsync(BenchmarkArgs args)
    {
        int entries = args.Int("entries", 100_000), runs = args.Int("runs", 30), pageSize = args.Int("page-size", 25);
        var server = Environment.GetEnvironmentVariable(ConnectionVariable) ?? Environment.GetEnvironmentVariable("KMP_TEST_POSTGRES");
        if (string.IsNullOrWhiteSpace(server))
        {
            Console.Error.WriteLine($"history: set {ConnectionVariable} to an Npgsql connection string of a PostgreSQL server the benchmark may create a database on");
            return 2;
        }

        var database = $"kmp_bench_{Guid.NewGuid():N}"[..24];
        await Postgres.ExecuteAsync(server, $"CREATE DATABASE {database}");
        var connectionString = new NpgsqlConnectionStringBuilder(server) { Database = database }.ConnectionString;
        try
        {
            await using var services = new ServiceCollection()
                .AddLogging(l => l.SetMinimumLevel(LogLevel.Warning))
                .AddSingleton(TimeProvider.System)
                .AddDbContextFactory<PostgresPortalDbContext>(o => o.UseNpgsql(connectionString))
                .AddSingleton<IDbContextFactory<PortalDbContext>>(sp => new Contexts(sp.GetRequiredService<IDbContextFactory<PostgresPortalDbContext>>()))
                .AddSingleton<AuditLog>()
                .AddSingleton<AuditQueries>()
                .BuildServiceProvider();
            await using (var db = await services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync())
            {
                await db.Database.MigrateAsync();
            }

            var seeding = await Timing.MeasureAsync(() => SeedAsync(connectionString, entries));
            Console.WriteLine($"seeded {entries:N0} audit entries with COPY in {Timing.Format(seeding)} (20 apps, 10 users, 12 actions, one a minute)");

            var queries = services.GetRequiredService<AuditQueries>();
            var newest = SeedStart.AddMinutes(entries);
            (string Name, AuditFilter Filter)[] scenarios =
            [
                ("no filter", new AuditFilter()),
                ("app", new AuditFilter(App: "app-07")),
                ("user", new AuditFilter(Actor: "user-3@example.com")),
                ("action", new AuditFilter(Action: "step.approved")),
                ("app + last 7 days", new AuditFilter(App: "app-07", From: newest.AddDays(-7), To: newest.AddDays(1))),
                ("user + action + 30 days", new AuditFilter(Actor: "user-3@example.com", Action: "step.approved", From: newest.AddDays(-30))),
            ];

            var allMet = true;
            foreach (var (name, filter) in scenarios)
            {
                for (var i = 0; i < 3; i++) await FirstPageAsync(queries, filter, pageSize); // warm-up: connection pool, query plans
                var samples = new List<TimeSpan>();
                var total = 0;
                for (var i = 0; i < runs; i++) samples.Add(await Timing.MeasureAsync(async () => total = await FirstPageAsync(queries, filter, pageSize)));
                TimeSpan median = Timing.Median(samples), p95 = Timing.Percentile(samples, 0.95);
                var met = median <= Target;
                allMet &= met;
                Console.WriteLine($"history first page, {name,-24} {total,7:N0} matching: median {Timing.Format(median)}, p95 {Timing.Format(p95)} (target <= {Timing.Format(Target)}) {(met ? "OK" : "MISSED")}");
            }

            return allMet ? 0 : 1;
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await Postgres.ExecuteAsync(server, $"DROP DATABASE IF EXISTS {database} WITH (FORCE)");
        }
    }

    private static readonly DateTimeOffset SeedStart = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static async Task<int> FirstPageAsync(AuditQueries queries, AuditFilter filter, int pageSize)
    {
        var page = await queries.PageAsync(filter, 0, pageSize);
        if (!page.Succeeded) throw new InvalidOperationException(page.Error);
        if (page.Value!.Items.Count == 0) throw new InvalidOperationException("the filter matched nothing: not measuring an empty answer");
        return page.Value.TotalCount;
    }

    private static readonly string[] Actions =
        ["run.started", "step.started", "step.done", "step.approved", "step.rejected", "run.succeeded", "run.rolled-back", "user.signed-in", "roles.changed", "addon.created", "addon.destroyed", "config.changed"];

    /// <summary>One entry a minute (about 70 days for 100,000), app, user and action cycling at co-prime strides.</summary>
    private static async Task SeedAsync(string connectionString, int count)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var hash = new string('0', 64);
        await using (var import = await connection.BeginBinaryImportAsync(
            """COPY "AuditEntries" ("Sequence", "At", "Actor", "Action", "App", "RunId", "Summary", "Details", "PreviousHash", "Hash") FROM STDIN (FORMAT BINARY)"""))
        {
            for (var i = 1; i <= count; i++)
            {
                await import.StartRowAsync();
                await import.WriteAsync((long)i, NpgsqlDbType.Bigint);
                await import.WriteAsync(SeedStart.AddMinutes(i), NpgsqlDbType.TimestampTz);
                await import.WriteAsync($"user-{i % 10}@example.com", NpgsqlDbType.Varchar);
                await import.WriteAsync(Actions[i % Actions.Length], NpgsqlDbType.Varchar);
                await import.WriteAsync($"app-{i % 20:00}", NpgsqlDbType.Varchar);
                await import.WriteNullAsync();
                await import.WriteAsync($"benchmark entry {i}: something happened to app-{i % 20:00}", NpgsqlDbType.Text);
                await import.WriteNullAsync();
                await import.WriteAsync(hash, NpgsqlDbType.Varchar);
                await import.WriteAsync(hash, NpgsqlDbType.Varchar);
            }

            await import.CompleteAsync();
        }

        await using var analyze = new NpgsqlCommand("""ANALYZE "AuditEntries" """, connection);
        await analyze.ExecuteNonQueryAsync();
    }


    private sealed class Contexts(IDbContextFactory<PostgresPortalDbContext> inner) : IDbContextFactory<PortalDbContext>
    {
        public PortalDbContext CreateDbContext() => inner.CreateDbContext();
    }
}
