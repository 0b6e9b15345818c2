using System.Collections.Concurrent;
using Hangfire;
using KafkaMigrationPortal.TestSupport;
using KafkaMigrationPortal.TestSupport.Postgres;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace KafkaMigrationPortal.Tests.Hosting;

[Collection(PortalHostCollection.Name)]
public sealed class PortalOnPostgresTests : IAsyncLifetime
{
    private TestDatabase database = null!;
    private PortalFactory portal = null!;

    public async Task InitializeAsync()
    {
        database = await TestPostgres.CreateDatabaseAsync();
        portal = PortalFactory.OnPostgres(database.DatabaseUrl);
    }

    [Fact]
    public async Task Health_reports_PostgreSQL_storage_and_the_PostgreSQL_job_server()
    {
        var health = await HealthReport.WaitUntilHealthyAsync(portal.CreateClient());

        Assert.Equal("PostgreSql", (string?)health["checks"]!["storage"]!["data"]!["provider"]);
        Assert.Equal("PostgreSqlStorage", (string?)health["checks"]!["jobs"]!["data"]!["storage"]);
        Assert.True((int)health["checks"]!["jobs"]!["data"]!["servers"]! >= 1);
    }

    [Fact]
    public async Task The_schema_of_the_portal_and_of_Hangfire_is_applied_at_start_up()
    {
        await HealthReport.WaitUntilHealthyAsync(portal.CreateClient());

        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var tables = new NpgsqlCommand(
            "SELECT table_schema || '.' || table_name FROM information_schema.tables WHERE table_schema IN ('public', 'hangfire')", connection);
        var names = new List<string>();
        await using (var reader = await tables.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                names.Add(reader.GetString(0));
            }
        }

        Assert.Contains("public.MigrationRuns", names);
        Assert.Contains("public.AuditEntries", names);
        Assert.Contains("public.__EFMigrationsHistory", names);
        Assert.Contains("hangfire.job", names);
    }

    [Fact]
    public async Task A_job_enqueued_on_PostgreSQL_storage_runs_on_the_portals_job_server()
    {
        await HealthReport.WaitUntilHealthyAsync(portal.CreateClient());
        var marker = Guid.NewGuid();

        var jobId = portal.Services.GetRequiredService<IBackgroundJobClient>().Enqueue(() => RecordingJob.Record(marker));

        await Deadline.PollAsync(() => Task.FromResult(RecordingJob.Seen.ContainsKey(marker)), TimeSpan.FromSeconds(30), "the job ran");
        var state = await Deadline.PollAsync(
            () => Task.FromResult(portal.Services.GetRequiredService<JobStorage>().GetConnection().GetStateData(jobId)?.Name),
            name => name == "Succeeded",
            TimeSpan.FromSeconds(10),
            "the job is recorded as succeeded in PostgreSQL");
        Assert.Equal("Succeeded", state);
    }

    public async Task DisposeAsync()
    {
        await portal.DisposeAsync();
        await database.DisposeAsync();
    }
}

public static class RecordingJob
{
    public static ConcurrentDictionary<Guid, DateTimeOffset> Seen { get; } = new();

    public static void Record(Guid marker) => Seen[marker] = DateTimeOffset.UtcNow;
}
