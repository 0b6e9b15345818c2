using System.Text.Json;
using KafkaMigrationPortal.Engine.Audit;
using KafkaMigrationPortal.Engine.Storage;
using KafkaMigrationPortal.Tests.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using KafkaMigrationPortal.Features.Audit;

namespace KafkaMigrationPortal.Tests.Audit;

[Collection(PortalHostCollection.Name)]
public sealed class AuditLogTests : IDisposable
{
    private readonly string databaseFile = Path.Combine(Path.GetTempPath(), $"kmp-{Guid.NewGuid():N}.db");
    private readonly PortalFactory portal;

    public AuditLogTests() => portal = PortalFactory.OnSqlite(databaseFile);

    private AuditLog Log => portal.Services.GetRequiredService<AuditLog>();

    [Fact]
    public async Task Anything_shaped_like_a_secret_is_masked_before_it_is_stored()
    {
        const string pem = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----";
        var entry = await Log.AppendAsync(new AuditRecord("alice@example.com", "test.secrets",
            $"set KAFKA_URL=kafka+ssl://ec2-1-2-3-4.compute.amazonaws.com:9096 with key {pem}",
            Details: "called with Authorization: Bearer abc.DEF-123 and postgres://u:hunter2@db:5432/x"));

        await using var db = await portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var stored = await db.AuditEntries.SingleAsync(e => e.Id == entry.Id);
        var text = stored.Summary + stored.Details;
        Assert.DoesNotContain("MIIEvQ", text);
        Assert.DoesNotContain("ec2-1-2-3-4", text);
        Assert.DoesNotContain("abc.DEF-123", text);
        Assert.DoesNotContain("hunter2", text);
        Assert.Contains("[redacted", text);
    }

    [Fact]
    public async Task SQLite_refuses_update_and_delete_too()
    {
        await Log.AppendAsync(new AuditRecord("alice@example.com", "test.action", "one"));

        await using var connection = new SqliteConnection($"Data Source={databaseFile}");
        await connection.OpenAsync();
        foreach (var sql in new[] { """UPDATE "AuditEntries" SET "Summary" = 'two'""", """DELETE FROM "AuditEntries" """ })
        {
            await using var command = new SqliteCommand(sql, connection);
            var error = await Assert.ThrowsAsync<SqliteException>(() => command.ExecuteNonQueryAsync());
            Assert.Contains("append-only", error.Message);
        }
    }

    [Fact]
    public async Task Exports_are_filtered_and_carry_the_chain()
    {
        var alice = await portal.SignInAsync("alice@example.com");
        var run = Guid.NewGuid();
        await Log.AppendAsync(new AuditRecord("alice@example.com", "run.started", "started, with \"quotes\", commas", App: "mackerel", RunId: run));
        await Log.AppendAsync(new AuditRecord("alice@example.com", "run.started", "another app", App: "herring"));
        await Log.AppendAsync(new AuditRecord("bob@example.com", "=cmd|calc", "formula-looking action", App: "mackerel", RunId: run));

        var csv = await alice.GetStringAsync($"{AuditEndpoints.ExportPath}?format=csv&app=mackerel");
        var jsonl = await alice.GetStringAsync($"{AuditEndpoints.ExportPath}?format=jsonl&run={run}&user=bob@example.com");

        var rows = csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("sequence,at,actor,action", rows[0]);
        Assert.Equal(3, rows.Length);
        Assert.Contains("\"started, with \"\"quotes\"\", commas\"", rows[1]);
        Assert.Contains(",'=cmd|calc,", rows[2]);
        var line = JsonDocument.Parse(Assert.Single(jsonl.Split('\n', StringSplitOptions.RemoveEmptyEntries))).RootElement;
        Assert.Equal("bob@example.com", line.GetProperty("actor").GetString());
        Assert.Equal(64, line.GetProperty("hash").GetString()!.Length);
    }

    [Fact]
    public async Task Exports_are_named_after_the_time_on_the_portal_clock()
    {
        // Ahead of the machine's clock, as the test client's cookie jar needs (see PortalFactory).
        var time = new FakeTimeProvider(new DateTimeOffset(2100, 1, 2, 3, 4, 5, TimeSpan.Zero));
        using var timed = PortalFactory.OnSqlite(databaseFile, time);
        var alice = await timed.SignInAsync("alice@example.com");
        time.Advance(TimeSpan.FromSeconds(61));

        using var csv = await alice.GetAsync($"{AuditEndpoints.ExportPath}?format=csv");
        using var jsonl = await alice.GetAsync($"{AuditEndpoints.ExportPath}?format=jsonl");

        Assert.Equal("audit-21000102-030506.csv", csv.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        Assert.Equal("audit-21000102-030506.jsonl", jsonl.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
    }

    [Fact]
    public async Task Sign_ins_and_role_changes_are_audited()
    {
        await portal.SignInAsync("alice@example.com");
        await portal.SignInAsync("bob@example.com");

        await using var db = await portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var actions = await db.AuditEntries.OrderBy(e => e.Sequence).Select(e => new { e.Actor, e.Action }).ToListAsync();
        Assert.Contains(actions, a => a.Actor == "alice@example.com" && a.Action == "user.signed-in");
        Assert.Contains(actions, a => a.Actor == "bob@example.com" && a.Action == "user.signed-in");
        Assert.True((await Log.VerifyAsync()).Intact);
    }

    public void Dispose()
    {
        portal.Dispose();
        SqliteConnection.ClearAllPools();
        File.Delete(databaseFile);
    }
}
