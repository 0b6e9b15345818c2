namespace KafkaMigrationPortal.Engine.Execution;

/// <summary>
/// What may appear in the event log. Config var values are secrets (URLs with passwords, certificates, keys) except
/// for a few the migration itself sets and whose values are attachment names.
/// </summary>
public static class Redaction
{
    public const string Hidden = "[redacted]";

    public static readonly IReadOnlySet<string> PublicConfigVars = new HashSet<string>(StringComparer.Ordinal)
    {
        Planning.PinVars.ProducerAddonNames,
        Planning.PinVars.ConsumerAddonName,
    };

    public static string ConfigVarValue(string key, string? value) =>
        value is null ? "(unset)" : PublicConfigVars.Contains(key) ? value : Hidden;

    /// <summary><c>KEY=value</c> pairs, sorted, with every value that is not on the allow-list hidden.</summary>
    public static string ConfigVars(IEnumerable<KeyValuePair<string, string?>> vars) =>
        string.Join(", ", vars.OrderBy(v => v.Key, StringComparer.Ordinal).Select(v => $"{v.Key}={ConfigVarValue(v.Key, v.Value)}"));
}
