using KafkaMigrationPortal.Engine.Audit;
using KafkaMigrationPortal.Tests.Hosting;
using KafkaMigrationPortal.TestSupport.Postgres;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace KafkaMigrationPortal.Tests.Audit;

[Collection(PortalHostCollection.Name)]
public sealed class AuditLogOnPostgresTests : IAsyncLifetime
{
    private TestDatabase database = null!;
    private PortalFactory portal = null!;

    private AuditLog Log => portal.Services.GetRequiredService<AuditLog>();

    public async Task InitializeAsync()
    {
        database = await TestPostgres.CreateDatabaseAsync();
        portal = PortalFactory.OnPostgres(database.DatabaseUrl);
        _ = portal.Services;
    }

    private async Task AppendSomeAsync(int count)
    {
        for (var i = 1; i <= count; i++)
        {
            await Log.AppendAsync(new AuditRecord("alice@example.com", "test.action", $"entry {i}", App: "mackerel"));
        }
    }

    private async Task<int> ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteNonQueryAsync();
    }

    [Fact]
    public async Task The_table_refuses_update_delete_and_truncate()
    {
        await AppendSomeAsync(3);

        var update = await Assert.ThrowsAsync<PostgresException>(() => ExecuteAsync("""UPDATE "AuditEntries" SET "Summary" = 'nothing happened' WHERE "Sequence" = 2"""));
        var delete = await Assert.ThrowsAsync<PostgresException>(() => ExecuteAsync("""DELETE FROM "AuditEntries" WHERE "Sequence" = 3"""));
        var truncate = await Assert.ThrowsAsync<PostgresException>(() => ExecuteAsync("""TRUNCATE "AuditEntries" """));

        Assert.All([update, delete, truncate], e => Assert.Contains("append-only", e.MessageText));
        Assert.True((await Log.VerifyAsync()).Intact);
        Assert.Equal(3, (await Log.VerifyAsync()).EntriesChecked);
    }

    [Fact]
    public async Task Tampering_with_one_row_behind_the_triggers_back_is_named_by_verify()
    {
        await AppendSomeAsync(5);
        Assert.True((await Log.VerifyAsync()).Intact);

        // A superuser can switch triggers off for a session; the hash chain still gives it away.
        await ExecuteAsync("""
            SET session_replication_role = replica;
            UPDATE "AuditEntries" SET "Summary" = 'entry 3 (edited)' WHERE "Sequence" = 3;
            """);

        var verification = await Log.VerifyAsync();
        Assert.False(verification.Intact);
        Assert.Equal(3, verification.FirstBrokenSequence);
        Assert.Contains("changed", verification.Problem);
    }

    [Fact]
    public async Task A_removed_row_is_named_too()
    {
        await AppendSomeAsync(4);

        await ExecuteAsync("""
            SET session_replication_role = replica;
            DELETE FROM "AuditEntries" WHERE "Sequence" = 2;
            """);

        var verification = await Log.VerifyAsync();
        Assert.Equal(2, verification.FirstBrokenSequence);
        Assert.Contains("missing", verification.Problem);
    }

    [Fact]
    public async Task Concurrent_writers_extend_one_unbroken_chain()
    {
        await Task.WhenAll(Enumerable.Range(1, 30).Select(i =>
            Log.AppendAsync(new AuditRecord($"writer-{i % 3}", "test.concurrent", $"entry from task {i}"))));

        var verification = await Log.VerifyAsync();
        Assert.True(verification.Intact, verification.Problem);
        Assert.Equal(30, verification.EntriesChecked);
    }

    public async Task DisposeAsync()
    {
        await portal.DisposeAsync();
        await database.DisposeAsync();
    }
}
