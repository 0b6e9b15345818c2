namespace KafkaMigrationPortal.Engine.KafkaChecks;

/// <summary>How the offset committed for a group on a partition of the new cluster was found.</summary>
public enum PositionMethod
{
    /// <summary>The copy of the group's last consumed record was found on the same partition: the offset after it.</summary>
    Exact,

    /// <summary>From the oldest "consumed up to" time across the topic's partitions, less the clock-skew margin.</summary>
    Conservative,

    /// <summary>The group had already committed at or past the offset found on the new cluster: left where it is.</summary>
    AlreadyAhead,

    /// <summary>Nothing to go by on the old cluster (no commit, or nothing it consumed is retained): the group starts at the
    /// new cluster's earliest record, which loses nothing.</summary>
    LeftAtEarliest,
}

/// <param name="Offset">What is committed for the group on the new cluster now; null when nothing is.</param>
/// <param name="LookUp">How the offset for a time was found: Kafka's timestamp look-up when the broker answered it
/// consistently, else a binary search over the partition's records.</param>
public sealed record CarriedPosition(string Group, string Topic, int Partition, long? Offset, PositionMethod Method, string Detail, string? LookUp = null);

public sealed record ConsumerPositionsReport(TimeSpan ClockSkewMargin, IReadOnlyList<CarriedPosition> Positions)
{
    public int Committed => Positions.Count(p => p.Method is PositionMethod.Exact or PositionMethod.Conservative);

    /// <summary>One line per group and topic, for the run's events and the audit log.</summary>
    public IEnumerable<string> Lines() => Positions
        .GroupBy(p => (p.Group, p.Topic))
        .Select(g => $"{g.Key.Group} on {g.Key.Topic}: " + string.Join(", ", g.OrderBy(p => p.Partition)
            .Select(p => $"[{p.Partition}] {(p.Offset is { } o ? o.ToString(System.Globalization.CultureInfo.InvariantCulture) : "earliest")} ({Describe(p)})")));

    private static string Describe(CarriedPosition p) => p.Method switch
    {
        PositionMethod.Exact => "exact",
        PositionMethod.Conservative => $"conservative, {p.Detail}",
        PositionMethod.AlreadyAhead => "already there",
        _ => p.Detail,
    } + (p.LookUp is { } lookUp ? $", {lookUp}" : "");
}
