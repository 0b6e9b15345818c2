using System.Globalization;

namespace KafkaMigrationPortal.Engine.Planning;

public static class Durations
{
    /// <summary>"1 hour 17 minutes", "35 minutes", "4 minutes 20 seconds": seconds only below ten minutes.</summary>
    public static string InWords(TimeSpan span)
    {
        if (span <= TimeSpan.Zero) return "0 seconds";
        var parts = new List<string>();
        if (span.Days > 0) parts.Add(Unit(span.Days, "day"));
        if (span.Hours > 0) parts.Add(Unit(span.Hours, "hour"));
        if (span.Minutes > 0) parts.Add(Unit(span.Minutes, "minute"));
        if (span.Seconds > 0 && span.TotalMinutes < 10) parts.Add(Unit(span.Seconds, "second"));
        return parts.Count == 0 ? Unit((int)Math.Ceiling(span.TotalMilliseconds), "millisecond") : string.Join(" ", parts);
    }

    private static string Unit(int value, string unit) => $"{value.ToString(CultureInfo.InvariantCulture)} {unit}{(value == 1 ? "" : "s")}";
}
