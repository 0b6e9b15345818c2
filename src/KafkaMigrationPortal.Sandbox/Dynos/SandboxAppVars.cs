namespace KafkaMigrationPortal.Sandbox.Dynos;

/// <summary>The config vars the simulated dynos read besides the add-on attachment vars.</summary>
public static class SandboxAppVars
{
    /// <summary>Comma-separated, unprefixed topic names the producers write and the consumers read.</summary>
    public const string Topics = "SANDBOX_TOPICS";

    /// <summary>The consumers' group, unprefixed.</summary>
    public const string ConsumerGroup = "SANDBOX_CONSUMER_GROUP";

    public static IReadOnlyList<string> TopicsOf(IReadOnlyDictionary<string, string> configVars) =>
        configVars.TryGetValue(Topics, out var value)
            ? [.. value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct(StringComparer.Ordinal)]
            : [];

    public static string? ConsumerGroupOf(IReadOnlyDictionary<string, string> configVars) =>
        configVars.TryGetValue(ConsumerGroup, out var value) && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;
}
