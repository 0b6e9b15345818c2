using System.Text;
using System.Text.Json;
using KafkaMigrationPortal.Engine.Storage;
using Microsoft.EntityFrameworkCore;

namespace KafkaMigrationPortal.Engine.Audit;

/// <summary>Writes audit entries as CSV (RFC 4180) or JSON Lines, streaming, oldest first.</summary>
public sealed class AuditExport(IDbContextFactory<PortalDbContext> contexts)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static readonly string[] Columns = ["sequence", "at", "actor", "action", "app", "run_id", "summary", "details", "previous_hash", "hash"];

    public async Task WriteCsvAsync(AuditFilter filter, Stream output, CancellationToken cancellationToken)
    {
        await using var writer = new StreamWriter(output, new UTF8Encoding(false), leaveOpen: true);
        await writer.WriteAsync(string.Join(',', Columns) + "\r\n");
        await foreach (var e in EntriesAsync(filter, cancellationToken))
        {
            string[] fields = [e.Sequence.ToString(), e.At.UtcDateTime.ToString("O"), e.Actor, e.Action, e.App ?? "", e.RunId?.ToString() ?? "", e.Summary, e.Details ?? "", e.PreviousHash, e.Hash];
            await writer.WriteAsync(string.Join(',', fields.Select(Quote)) + "\r\n");
        }
    }

    public async Task WriteJsonLinesAsync(AuditFilter filter, Stream output, CancellationToken cancellationToken)
    {
        await using var writer = new StreamWriter(output, new UTF8Encoding(false), leaveOpen: true);
        await foreach (var e in EntriesAsync(filter, cancellationToken))
        {
            await writer.WriteAsync(JsonSerializer.Serialize(new
            {
                sequence = e.Sequence,
                at = e.At,
                actor = e.Actor,
                action = e.Action,
                app = e.App,
                run_id = e.RunId,
                summary = e.Summary,
                details = e.Details,
                previous_hash = e.PreviousHash,
                hash = e.Hash,
            }, Json) + "\n");
        }
    }

    private async IAsyncEnumerable<AuditEntry> EntriesAsync(AuditFilter filter, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await foreach (var entry in filter.ApplyTo(db.AuditEntries.AsNoTracking()).OrderBy(e => e.Sequence).AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            yield return entry;
        }
    }

    // Quoted when needed; a leading formula character is neutralised so a spreadsheet never evaluates a field.
    private static string Quote(string field)
    {
        if (field.Length > 0 && "=+-@\t\r".Contains(field[0]))
        {
            field = "'" + field;
        }

        return field.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? "\"" + field.Replace("\"", "\"\"") + "\"" : field;
    }
}
