namespace KafkaMigrationPortal.Engine.Planning;

public enum NameKind
{
    Topic,
    ConsumerGroup,
}

/// <summary>
/// One topic or consumer group as each cluster names it. The data API speaks <see cref="Name"/> (unprefixed) on both
/// clusters; over the Kafka protocol a multi-tenant cluster wants its prefix in front. The target's prefix exists only
/// once the target is provisioned (its <c>_PREFIX</c> config var / cluster info), so it is supplied at run time.
/// </summary>
/// <param name="Name">The unprefixed name, as the data API lists and creates it.</param>
/// <param name="SourceKafkaName">The name Kafka clients use on the source cluster.</param>
/// <param name="TargetPrefixed">Whether the target is multi-tenant, so its Kafka name needs the target's prefix.</param>
public sealed record NameMapping(NameKind Kind, string Name, string SourceKafkaName, bool TargetPrefixed)
{
    /// <summary>The name Kafka clients use on the target cluster.</summary>
    /// <param name="targetPrefix">The target's prefix (e.g. <c>wabash-12345.</c>); required when the target is multi-tenant.</param>
    public string TargetKafkaName(string? targetPrefix)
    {
        if (!TargetPrefixed) return Name;
        if (string.IsNullOrEmpty(targetPrefix))
            throw new InvalidOperationException($"The target cluster is multi-tenant: the Kafka name of {Kind} '{Name}' needs its prefix, which is known once the add-on is provisioned.");
        return targetPrefix + Name;
    }

    /// <summary>The Kafka protocol name of <paramref name="name"/> on a cluster with <paramref name="prefix"/> (null on dedicated).</summary>
    public static string ToKafkaName(string name, string? prefix) => string.IsNullOrEmpty(prefix) ? name : prefix + name;

    /// <summary>The data API name for a name that may or may not carry the cluster's prefix.</summary>
    public static string ToDataApiName(string name, string? prefix) =>
        !string.IsNullOrEmpty(prefix) && name.StartsWith(prefix, StringComparison.Ordinal) ? name[prefix.Length..] : name;
}
