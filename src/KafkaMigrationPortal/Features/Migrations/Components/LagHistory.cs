using KafkaMigrationPortal.Components.Shared;
using KafkaMigrationPortal.Features.Migrations;

namespace KafkaMigrationPortal.Features.Migrations.Components;

/// <summary>One cluster's lag per consumer group over the panel's readings, as a line chart plots it.</summary>
/// <param name="Labels">Each reading's time, in the viewer's zone.</param>
/// <param name="Series">Per group, its total lag at each reading (null where that reading had none).</param>
public sealed record LagHistory(string[] Labels, IReadOnlyList<(string Group, double?[] Lag)> Series)
{
    public static LagHistory Of(IReadOnlyList<KafkaPanelReading> readings, string role, IReadOnlyCollection<string> idleGroups, ViewerTime viewer)
    {
        var lags = readings.Select(r => r.Clusters.FirstOrDefault(c => c.Role == role)?.Lag?.LagByGroup).ToList();
        var groups = lags.Where(l => l is not null).SelectMany(l => l!.Keys).Distinct(StringComparer.Ordinal)
            .Where(g => !idleGroups.Contains(g)).Order(StringComparer.Ordinal).ToList();
        var labels = readings.Select(r => viewer.Local(r.At).ToString("HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        return new(labels, [.. groups.Select(g => (g, lags.Select(l => l is not null && l.TryGetValue(g, out var v) ? (double?)v : null).ToArray()))]);
    }

    /// <summary>Groups that never committed on the old add-on: nothing consumes them, so the catch-up checks skip them.</summary>
    public static IReadOnlyCollection<string> IdleGroups(KafkaPanelReading? reading) =>
        reading?.Clusters.FirstOrDefault(c => c.Role == "old")?.Lag is { } old
            ? [.. old.Partitions.GroupBy(p => p.Group, StringComparer.Ordinal).Where(g => !g.Any(p => p.HasCommitted)).Select(g => g.Key)]
            : [];
}
