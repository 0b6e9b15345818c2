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

/// <summary>The portal's append-only, hash-chained audit log.</summary>
public sealed partial class AuditLog(IDbContextFactory<PortalDbContext> contexts, TimeProvider time, ILogger<AuditLog> logger)
{
    public const string GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000";

    public async Task<AuditEntry> AppendAsync(AuditRecord record, CancellationToken cancellationToken = default)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
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
            entry.Hash = HashOf(entry);
            db.AuditEntries.Add(entry);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                return entry;
            }
            catch (DbUpdateException) when (attempt < 20)
            {
                // Another writer extended the chain first (the unique sequence refused ours): chain onto theirs.
                logger.LogDebug("Audit sequence {Sequence} was taken; retrying", entry.Sequence);
            }
        }
    }

    /// <summary>Recomputes every link in order and names the first entry whose hash or link does not hold.</summary>
    public async Task<AuditVerification> VerifyAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var previousHash = GenesisHash;
        long expected = 1, checkedCount = 0;
        await foreach (var entry in db.AuditEntries.AsNoTracking().OrderBy(e => e.Sequence).AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            checkedCount++;
            if (entry.Sequence != expected)
            {
                return new(checkedCount, expected, $"entry {expected} is missing (the next one is {entry.Sequence})");
            }

            if (entry.PreviousHash != previousHash)
            {
                return new(checkedCount, entry.Sequence, $"entry {entry.Sequence} does not link to entry {entry.Sequence - 1}");
            }

            if (HashOf(entry) != entry.Hash)
            {
                return new(checkedCount, entry.Sequence, $"entry {entry.Sequence} was changed after it was written");
            }

            previousHash = entry.Hash;
            expected++;
        }

        return new(checkedCount, null, null);
    }

    // Both providers keep at least millisecond precision; hash exactly what will be read back.
    private static DateTimeOffset Truncated(DateTimeOffset at) => new(at.UtcTicks - at.UtcTicks % TimeSpan.TicksPerMillisecond, TimeSpan.Zero);

    internal static string HashOf(AuditEntry e)
    {
        var canonical = string.Join('\u001f',
            e.Sequence.ToString(CultureInfo.InvariantCulture),
            e.At.UtcTicks.ToString(CultureInfo.InvariantCulture),
            e.Actor, e.Action, e.App ?? "", e.RunId?.ToString() ?? "", e.Summary, e.Details ?? "", e.PreviousHash);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }

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
