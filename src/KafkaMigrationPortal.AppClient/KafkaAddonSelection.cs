namespace KafkaMigrationPortal.AppClient;

/// <summary>
/// Which add-ons an app writes to and reads from, as the migration procedure steers it:
/// <c>PRODUCER_ADDON_NAMES</c> (comma-separated attachment names) and <c>CONSUMER_ADDON_NAME</c>, both <c>KAFKA</c> when unset.
/// </summary>
public static class KafkaAddonSelection
{
    public const string ProducerAddonNamesVar = "PRODUCER_ADDON_NAMES";
    public const string ConsumerAddonNameVar = "CONSUMER_ADDON_NAME";
    public const string DefaultAddonName = "KAFKA";

    public static IReadOnlyList<string> ProducerAddonNames(IReadOnlyDictionary<string, string> configVars)
    {
        if (!configVars.TryGetValue(ProducerAddonNamesVar, out var value)) return [DefaultAddonName];
        var names = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Distinct(StringComparer.Ordinal)
            .ToList();
        return names.Count > 0 ? names : [DefaultAddonName];
    }

    public static string ConsumerAddonName(IReadOnlyDictionary<string, string> configVars) =>
        configVars.TryGetValue(ConsumerAddonNameVar, out var value) && !string.IsNullOrWhiteSpace(value)
            ? value.Trim()
            : DefaultAddonName;
}
