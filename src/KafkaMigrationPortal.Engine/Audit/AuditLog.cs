using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using KafkaMigrationPortal.Engine.Storage;
using Microsoft.EntityFrameworkCore;

namespace KafkaMigrationPortal.Engine.Audit;

public sealed record AuditRecord(string Actor, string Action, string Summary, string? App = null, Guid? RunId = null, string? Details = null);

/// <param name="FirstBrokenSequence">Null when every link holds.</param>
public sealed record AuditVerification(long EntriesChecked, long? FirstBrokenSequence, string? Problem)
{
    public bool Intact => FirstBrokenSequence is null;
}

/// <summary>
/// The portal's append-only audit log. Each entry is chained to the previous one and sealed with an HMAC-SHA256
/// keyed by the <see cref="AuditKey"/>, and a sealed <see cref="AuditCheckpoint"/> names the chain's head, so a
/// database writer without the key can neither re-seal an edited entry nor cut off the newest ones unnoticed.
/// </summary>
public sealed partial class AuditLog(IDbContextFactory<PortalDbContext> contexts, TimeProvider time, ILogger<AuditLog> logger, AuditKey? key = null)
{
    public const string GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000";

    private readonly AuditKey key = key ?? AuditKey.Unconfigured;

    // The boundary never moves once anchored; null until this process has read or written it.
    private long? legacyThrough;

    public Task<AuditEntry> AppendAsync(AuditRecord record, CancellationToken cancellationToken = default) =>
        RecordAsync((_, _) => Task.FromResult(record), cancellationToken);

    /// <summary>
    /// Makes a change and appends the entry that records it in one transaction: the change is never saved without its
    /// entry. <paramref name="change"/> runs on a fresh context at each attempt (when another writer took the chain's
    /// next sequence first, both are tried again) and answers the record to append.
    /// </summary>
    public async Task<AuditEntry> RecordAsync(Func<PortalDbContext, CancellationToken, Task<AuditRecord>> change, CancellationToken cancellationToken = default)
    {
        var boundary = await AnchorAsync(cancellationToken);
        for (var attempt = 1; ; attempt++)
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var record = await change(db, cancellationToken);
            var last = await db.AuditEntries.OrderByDescending(e => e.Sequence)
                .Select(e => new { e.Sequence, e.Hash })
                .FirstOrDefaultAsync(cancellationToken);
            var entry = new AuditEntry
            {
                Sequence = (last?.Sequence ?? 0) + 1,
                At = Truncated(time.GetUtcNow()),
                Actor = Scrub(record.Actor)!,
                Action = record.Action,
                App = record.App,
                RunId = record.RunId,
                Summary = Scrub(record.Summary)!,
                Details = Scrub(record.Details),
                PreviousHash = last?.Hash ?? GenesisHash,
                Hash = "",
            };
            entry.Hash = SealOf(entry);
            db.AuditEntries.Add(entry);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
            }
            catch (DbUpdateException e) when (attempt < 20)
            {
                // Most often another writer extended the chain first (the unique sequence refused ours), or on SQLite
                // wrote since this transaction read: chain onto theirs. A change that fails for good fails every time.
                await transaction.RollbackAsync(CancellationToken.None);
                logger.LogDebug(e, "Audit sequence {Sequence} could not be written; retrying", entry.Sequence);
                continue;
            }

            await AdvanceCheckpointAsync(db, boundary, entry, cancellationToken);
            return entry;
        }
    }

    /// <summary>
    /// Seals the chain's head as its first checkpoint, once (at start-up and before the first append): entries
    /// already there were written before the HMAC and stay checked by their SHA-256 hashes. The boundary is the
    /// longest run of entries from the first that hold under that rule; sealed entries after it mean the checkpoint
    /// was removed, which is logged as an error (the log line is the evidence a database writer cannot erase).
    /// </summary>
    public async Task<long> AnchorAsync(CancellationToken cancellationToken = default)
    {
        if (legacyThrough is { } known)
        {
            return known;
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        if (await db.AuditCheckpoints.AsNoTracking().FirstOrDefaultAsync(cancellationToken) is { } existing)
        {
            return (legacyThrough = existing.LegacyThrough).Value;
        }

        long boundary = 0, lastSequence = 0;
        string previousHash = GenesisHash, head = GenesisHash;
        var legacy = true;
        await foreach (var entry in db.AuditEntries.AsNoTracking().OrderBy(e => e.Sequence).AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            legacy = legacy && entry.Sequence == boundary + 1 && entry.PreviousHash == previousHash && HashOf(entry) == entry.Hash;
            if (legacy)
            {
                boundary = entry.Sequence;
            }

            previousHash = head = entry.Hash;
            lastSequence = entry.Sequence;
        }

        var checkpoint = Sealed(new AuditCheckpoint { LegacyThrough = boundary, Sequence = lastSequence, Head = head, Mac = "" });
        db.AuditCheckpoints.Add(checkpoint);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            if (lastSequence > boundary)
            {
                logger.LogError("The audit checkpoint was missing although entries {First} to {Last} are HMAC-sealed: it was removed. Re-anchored at entry {Last} (head {Head}); entries up to {Boundary} are checked by SHA-256 only",
                    boundary + 1, lastSequence, lastSequence, head, boundary);
            }
            else if (boundary > 0)
            {
                logger.LogWarning("Audit chain anchored at entry {Sequence} (head {Head}): entries up to it predate the HMAC and are checked by SHA-256 only", boundary, head);
            }
        }
        catch (DbUpdateException)
        {
            // Another process anchored first: its boundary holds.
            await using var again = await contexts.CreateDbContextAsync(cancellationToken);
            checkpoint = await again.AuditCheckpoints.AsNoTracking().FirstAsync(cancellationToken);
        }

        return (legacyThrough = checkpoint.LegacyThrough).Value;
    }

    private async Task AdvanceCheckpointAsync(PortalDbContext db, long boundary, AuditEntry entry, CancellationToken cancellationToken)
    {
        var next = Sealed(new AuditCheckpoint { LegacyThrough = boundary, Sequence = entry.Sequence, Head = entry.Hash, Mac = "" });
        // Only forward: a slower writer must not move the head back behind a faster one's entry.
        await db.AuditCheckpoints.Where(c => c.Id == AuditCheckpoint.SingleRowId && c.Sequence < next.Sequence)
            .ExecuteUpdateAsync(c => c.SetProperty(x => x.Sequence, next.Sequence).SetProperty(x => x.Head, next.Head).SetProperty(x => x.Mac, next.Mac), cancellationToken);
        // Published outside the database too: a log drain keeps what a database writer cannot roll back.
        logger.LogInformation("Audit checkpoint {Sequence} {Head} {Mac}", next.Sequence, next.Head, next.Mac);
    }

    /// <summary>
    /// Recomputes every link in order and names the first entry whose hash or link does not hold, then checks that
    /// the chain still reaches the sealed checkpoint.
    /// </summary>
    public async Task<AuditVerification> VerifyAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var checkpoint = await db.AuditCheckpoints.AsNoTracking().FirstOrDefaultAsync(cancellationToken);
        if (checkpoint is not null && Sealed(checkpoint).Mac != checkpoint.Mac)
        {
            return new(0, checkpoint.LegacyThrough + 1, "the audit checkpoint was not written by the portal (its HMAC does not hold)");
        }

        var previousHash = GenesisHash;
        long expected = 1, checkedCount = 0;
        await foreach (var entry in db.AuditEntries.AsNoTracking().OrderBy(e => e.Sequence).AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            checkedCount++;
            if (checkpoint is null)
            {
                return new(checkedCount, entry.Sequence, "the audit checkpoint is missing: the chain's head cannot be confirmed");
            }

            if (entry.Sequence != expected)
            {
                return new(checkedCount, expected, $"entry {expected} is missing (the next one is {entry.Sequence})");
            }

            if (entry.PreviousHash != previousHash)
            {
                return new(checkedCount, entry.Sequence, $"entry {entry.Sequence} does not link to entry {entry.Sequence - 1}");
            }

            var expectedHash = entry.Sequence <= checkpoint.LegacyThrough ? HashOf(entry) : SealOf(entry);
            if (expectedHash != entry.Hash || (entry.Sequence == checkpoint.Sequence && entry.Hash != checkpoint.Head))
            {
                return new(checkedCount, entry.Sequence, $"entry {entry.Sequence} was changed after it was written");
            }

            previousHash = entry.Hash;
            expected++;
        }

        if (checkpoint is not null && expected <= checkpoint.Sequence)
        {
            return new(checkedCount, expected, $"entries {expected} to {checkpoint.Sequence} are missing: the checkpoint names entry {checkpoint.Sequence}");
        }

        return new(checkedCount, null, null);
    }

    // Both providers keep at least millisecond precision; hash exactly what will be read back.
    private static DateTimeOffset Truncated(DateTimeOffset at) => new(at.UtcTicks - at.UtcTicks % TimeSpan.TicksPerMillisecond, TimeSpan.Zero);

    private static string CanonicalOf(AuditEntry e) => string.Join('\u001f',
        e.Sequence.ToString(CultureInfo.InvariantCulture),
        e.At.UtcTicks.ToString(CultureInfo.InvariantCulture),
        e.Actor, e.Action, e.App ?? "", e.RunId?.ToString() ?? "", e.Summary, e.Details ?? "", e.PreviousHash);

    /// <summary>The keyless SHA-256 rule, kept for entries written before the HMAC (up to the checkpoint's boundary).</summary>
    internal static string HashOf(AuditEntry e)
    {
        var canonical = CanonicalOf(e);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }

    /// <summary>The entry's HMAC over the same fields as <see cref="HashOf"/>: what entries after the legacy boundary carry.</summary>
    internal string SealOf(AuditEntry e) => key.Mac(string.Join('\u001f', "entry", CanonicalOf(e)));

    private AuditCheckpoint Sealed(AuditCheckpoint c) => new()
    {
        LegacyThrough = c.LegacyThrough, Sequence = c.Sequence, Head = c.Head,
        Mac = key.Mac(string.Join('\u001f', "checkpoint", c.LegacyThrough.ToString(CultureInfo.InvariantCulture), c.Sequence.ToString(CultureInfo.InvariantCulture), c.Head)),
    };

    /// <summary>
    /// A last line of defence: callers write no secrets, but anything shaped like one is masked before it is stored
    /// (PEM blocks, credentials in URLs, bearer tokens, Kafka broker URLs).
    /// </summary>
    public static string? Scrub(string? text) =>
        text is null ? null : UrlCredentials().Replace(Bearer().Replace(KafkaUrl().Replace(Pem().Replace(text, "[redacted certificate or key]"), "[redacted broker URL]"), "Bearer [redacted]"), "://[redacted]@");

    [GeneratedRegex("-----BEGIN [A-Z ]+-----.*?(-----END [A-Z ]+-----|$)", RegexOptions.Singleline)]
    private static partial Regex Pem();

    [GeneratedRegex(@"kafka(\+ssl)?://[^\s,""']+")]
    private static partial Regex KafkaUrl();

    [GeneratedRegex(@"Bearer\s+[A-Za-z0-9\-._~+/]+=*")]
    private static partial Regex Bearer();

    [GeneratedRegex(@"://[^/\s:@]+:[^/\s@]+@")]
    private static partial Regex UrlCredentials();
}
