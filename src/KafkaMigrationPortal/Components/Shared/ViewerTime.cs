using System.Globalization;
using KafkaMigrationPortal.Engine.Planning;

namespace KafkaMigrationPortal.Components.Shared;

/// <summary>
/// Times as the person looking at the page reads them: in their browser's time zone (read once per circuit by
/// <see cref="ViewerTimeZone"/>; UTC until then, and said so), or relative to now.
/// </summary>
public sealed class ViewerTime
{
    public TimeZoneInfo Zone { get; private set; } = TimeZoneInfo.Utc;

    public event Action? Changed;

    /// <summary>Takes the browser's IANA zone (e.g. <c>Europe/Berlin</c>); an unknown one keeps UTC.</summary>
    public void Use(string? browserZone)
    {
        if (string.IsNullOrWhiteSpace(browserZone) || !TimeZoneInfo.TryFindSystemTimeZoneById(browserZone, out var zone) || zone.Id == Zone.Id) return;
        Zone = zone;
        Changed?.Invoke();
    }

    public DateTimeOffset Local(DateTimeOffset at) => TimeZoneInfo.ConvertTime(at, Zone);

    /// <summary>"19:31" today, "Dec 3, 19:31" on another day, with the year when it is not this one.</summary>
    public string Clock(DateTimeOffset at, DateTimeOffset now)
    {
        var (local, today) = (Local(at), Local(now));
        var format = local.Date == today.Date ? "HH:mm" : local.Year == today.Year ? "MMM d, HH:mm" : "MMM d yyyy, HH:mm";
        return local.ToString(format, CultureInfo.InvariantCulture);
    }

    /// <summary>"in 25 minutes, at 19:31" or "3 minutes ago, at 19:03".</summary>
    public string Relative(DateTimeOffset at, DateTimeOffset now) => at >= now
        ? $"in {Durations.InWords(at - now)}, at {Clock(at, now)}"
        : $"{Durations.InWords(now - at)} ago, at {Clock(at, now)}";

    /// <summary>The zone's name for a label: "Europe/Berlin", or "UTC".</summary>
    public string ZoneName => Zone == TimeZoneInfo.Utc ? "UTC" : Zone.Id;
}
