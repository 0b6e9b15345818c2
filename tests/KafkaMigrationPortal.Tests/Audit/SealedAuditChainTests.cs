using KafkaMigrationPortal.Engine.Audit;
using KafkaMigrationPortal.Engine.Storage;
using KafkaMigrationPortal.Tests.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace KafkaMigrationPortal.Tests.Audit;

/// <summary>
/// What someone who can write the database, but does not hold PORTAL_AUDIT_KEY, can do to the audit log, and that
/// <see cref="AuditLog.VerifyAsync"/> tells.
/// </summary>
[Collection(PortalHostCollection.Name)]
public sealed class SealedAuditChainTests : IDisposable
{
    private const string Secret = "audit-secret-for-tests";

    private readonly string databaseFile = Path.Combine(Path.GetTempPath(), $"kmp-{Guid.NewGuid():N}.db");
    private readonly PortalFactory portal;

    public SealedAuditChainTests() => portal = new PortalFactory(new Dictionary<string, string?>
    {
        ["Storage:SqlitePath"] = databaseFile,
        [AuditKey.EnvironmentVariable] = Secret,
    });

    private AuditLog Log => portal.Services.GetRequiredService<AuditLog>();

    private IDbContextFactory<PortalDbContext> Contexts => portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>();

    private async Task AppendSomeAsync(int count)
    {
        for (var i = 1; i <= count; i++)
        {
            await Log.AppendAsync(new AuditRecord("alice@example.com", "test.action", $"entry {i}", App: "mackerel"));
        }
    }

    /// <summary>The append-only triggers are the first line; a database owner can drop them.</summary>
    private async Task<PortalDbContext> BehindTheTriggersAsync()
    {
        var db = await Contexts.CreateDbContextAsync();
        await db.Database.ExecuteSqlRawAsync("DROP TRIGGER audit_entries_no_update; DROP TRIGGER audit_entries_no_delete;");
        return db;
    }

    private async Task<long> EntryCountAsync()
    {
        await using var db = await Contexts.CreateDbContextAsync();
        return await db.AuditEntries.LongCountAsync();
    }

    [Fact]
    public async Task An_untouched_log_verifies()
    {
        await AppendSomeAsync(5);

        var verification = await Log.VerifyAsync();

        Assert.True(verification.Intact, verification.Problem);
        Assert.Equal(await EntryCountAsync(), verification.EntriesChecked);
        Assert.True(verification.EntriesChecked >= 5);
    }

    [Fact]
    public async Task Entries_are_sealed_with_the_key_not_with_a_plain_hash()
    {
        var entry = await Log.AppendAsync(new AuditRecord("alice@example.com", "test.action", "one"));

        Assert.NotEqual(AuditLog.HashOf(entry), entry.Hash);
        Assert.Equal(64, entry.Hash.Length);
    }

    [Fact]
    public async Task An_entry_edited_and_the_chain_rehashed_without_the_key_is_named()
    {
        await AppendSomeAsync(5);
        var edited = await EntryCountAsync() - 2;
        await using (var db = await BehindTheTriggersAsync())
        {
            // Everything a keyless writer can do: change the entry, recompute every later link with SHA-256.
            var entries = await db.AuditEntries.OrderBy(e => e.Sequence).ToListAsync();
            var previous = entries.Single(e => e.Sequence == edited - 1).Hash;
            foreach (var entry in entries.Where(e => e.Sequence >= edited))
            {
                if (entry.Sequence == edited) entry.Summary = "nothing happened";
                entry.PreviousHash = previous;
                entry.Hash = previous = AuditLog.HashOf(entry);
            }

            await db.SaveChangesAsync();
        }

        var verification = await Log.VerifyAsync();

        Assert.False(verification.Intact);
        Assert.Equal(edited, verification.FirstBrokenSequence);
        Assert.Contains("changed", verification.Problem);
    }

    [Fact]
    public async Task A_truncated_tail_is_named()
    {
        await AppendSomeAsync(5);
        var total = await EntryCountAsync();
        await using (var db = await BehindTheTriggersAsync())
        {
            await db.AuditEntries.Where(e => e.Sequence > total - 2).ExecuteDeleteAsync();
        }

        var verification = await Log.VerifyAsync();

        Assert.False(verification.Intact);
        Assert.Equal(total - 1, verification.FirstBrokenSequence);
        Assert.Contains("missing", verification.Problem);
    }

    [Fact]
    public async Task A_truncated_tail_with_a_checkpoint_rewritten_without_the_key_is_named()
    {
        await AppendSomeAsync(5);
        var total = await EntryCountAsync();
        await using (var db = await BehindTheTriggersAsync())
        {
            await db.AuditEntries.Where(e => e.Sequence > total - 2).ExecuteDeleteAsync();
            var newHead = await db.AuditEntries.OrderByDescending(e => e.Sequence).FirstAsync();
            await db.AuditCheckpoints.ExecuteUpdateAsync(c => c
                .SetProperty(x => x.Sequence, newHead.Sequence).SetProperty(x => x.Head, newHead.Hash).SetProperty(x => x.Mac, new string('0', 64)));
        }

        var verification = await Log.VerifyAsync();

        Assert.False(verification.Intact);
        Assert.Contains("checkpoint was not written by the portal", verification.Problem);
    }

    [Fact]
    public async Task A_removed_checkpoint_is_named()
    {
        await AppendSomeAsync(3);
        await using (var db = await Contexts.CreateDbContextAsync())
        {
            await db.AuditCheckpoints.ExecuteDeleteAsync();
        }

        var verification = await Log.VerifyAsync();

        Assert.False(verification.Intact);
        Assert.Contains("checkpoint is missing", verification.Problem);
    }

    [Fact]
    public async Task The_chain_does_not_verify_under_another_key()
    {
        await AppendSomeAsync(3);

        var verification = await new AuditLog(Contexts, TimeProvider.System, NullLogger<AuditLog>.Instance, AuditKey.FromSecret("another secret")).VerifyAsync();

        Assert.False(verification.Intact);
    }

    [Fact]
    public async Task Entries_written_before_the_HMAC_stay_verifiable_and_later_ones_are_sealed()
    {
        await using (var db = await Contexts.CreateDbContextAsync())
        {
            // A database from before the checkpoint: plain SHA-256 links, no checkpoint row.
            await db.AuditCheckpoints.ExecuteDeleteAsync();
            var previous = AuditLog.GenesisHash;
            for (var sequence = 1; sequence <= 3; sequence++)
            {
                var entry = new AuditEntry
                {
                    Sequence = sequence, At = new DateTimeOffset(2026, 1, 1, 0, 0, sequence, TimeSpan.Zero), Actor = "alice@example.com",
                    Action = "test.legacy", Summary = $"legacy {sequence}", PreviousHash = previous, Hash = "",
                };
                entry.Hash = previous = AuditLog.HashOf(entry);
                db.AuditEntries.Add(entry);
            }

            await db.SaveChangesAsync();
        }

        var upgraded = new AuditLog(Contexts, TimeProvider.System, NullLogger<AuditLog>.Instance, AuditKey.FromSecret(Secret));
        Assert.Equal(3, await upgraded.AnchorAsync());
        var sealedEntry = await upgraded.AppendAsync(new AuditRecord("alice@example.com", "test.action", "after the upgrade"));

        var verification = await upgraded.VerifyAsync();
        Assert.True(verification.Intact, verification.Problem);
        Assert.Equal(4, verification.EntriesChecked);
        Assert.NotEqual(AuditLog.HashOf(sealedEntry), sealedEntry.Hash);
    }

    public void Dispose()
    {
        portal.Dispose();
        SqliteConnection.ClearAllPools();
        File.Delete(databaseFile);
    }
}
