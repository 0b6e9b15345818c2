namespace KafkaMigrationPortal.Engine.Audit;

/// <summary>Which audit entries to show or export; every part optional.</summary>
public sealed record AuditFilter(string? App = null, Guid? RunId = null, string? Actor = null, string? Action = null, DateTimeOffset? From = null, DateTimeOffset? To = null)
{
    public IQueryable<AuditEntry> ApplyTo(IQueryable<AuditEntry> entries)
    {
        if (!string.IsNullOrWhiteSpace(App))
        {
            entries = entries.Where(e => e.App == App);
        }

        if (RunId is { } run)
        {
            entries = entries.Where(e => e.RunId == run);
        }

        if (!string.IsNullOrWhiteSpace(Actor))
        {
            entries = entries.Where(e => e.Actor == Actor);
        }

        if (!string.IsNullOrWhiteSpace(Action))
        {
            entries = entries.Where(e => e.Action == Action);
        }

        if (From is { } from)
        {
            entries = entries.Where(e => e.At >= from);
        }

        if (To is { } to)
        {
            entries = entries.Where(e => e.At < to);
        }

        return entries;
    }
}
