using KafkaMigrationPortal.Sandbox.Kafka;

namespace KafkaMigrationPortal.Sandbox.Platform;

// Mutable state of the simulated Heroku. Only touched under HerokuSandbox's lock.

internal sealed class AppRecord(Guid id, string name, SandboxUser owner, DateTimeOffset createdAt)
{
    public Guid Id { get; } = id;
    public string Name { get; } = name;
    public SandboxUser Owner { get; } = owner;
    public HashSet<Guid> Collaborators { get; } = [];
    public bool Maintenance { get; set; }
    public DateTimeOffset CreatedAt { get; } = createdAt;
    public DateTimeOffset UpdatedAt { get; set; } = createdAt;
    public DateTimeOffset? ReleasedAt { get; set; }
    public Dictionary<string, string> ConfigVars { get; } = new(StringComparer.Ordinal);
    public List<ReleaseRecord> Releases { get; } = [];
    public List<FormationRecord> Formation { get; } = [];

    public bool IsAccessibleBy(SandboxUser user) => user.Id == Owner.Id || Collaborators.Contains(user.Id);
}

internal sealed record ReleaseRecord(
    Guid Id,
    int Version,
    string Description,
    DateTimeOffset CreatedAt,
    SandboxUser User,
    IReadOnlyList<string> AddonPlanNames,
    IReadOnlyDictionary<string, string> ConfigVars);

internal sealed class FormationRecord(Guid id, string type, string command, int quantity, DateTimeOffset createdAt)
{
    public Guid Id { get; } = id;
    public string Type { get; } = type;
    public string Command { get; } = command;
    public int Quantity { get; set; } = quantity;
    public string Size { get; set; } = "Standard-1X";
    public DateTimeOffset CreatedAt { get; } = createdAt;
    public DateTimeOffset UpdatedAt { get; set; } = createdAt;
}

internal static class AddonStates
{
    public const string Provisioning = "provisioning";
    public const string Provisioned = "provisioned";
    /// <summary>Destroyed, not yet gone. Heroku's CLI shows it; the published schema's enum lacks it.</summary>
    public const string Deprovisioning = "deprovisioning";
    public const string Deprovisioned = "deprovisioned";
}

internal sealed class AddonRecord(Guid id, string name, AppRecord app, KafkaPlan plan, DateTimeOffset createdAt)
{
    public Guid Id { get; } = id;
    public string Name { get; } = name;
    public AppRecord App { get; } = app;
    public KafkaPlan Plan { get; } = plan;
    public string State { get; set; } = AddonStates.Provisioning;
    public string ProvisionMessage { get; set; } = "Kafka is being provisioned.";
    public DateTimeOffset CreatedAt { get; } = createdAt;
    public DateTimeOffset UpdatedAt { get; set; } = createdAt;
    public DateTimeOffset ReadyAt { get; set; } = createdAt;
    /// <summary>When a deprovisioning add-on is gone; null until it is destroyed.</summary>
    public DateTimeOffset? GoneAt { get; set; }
    public SandboxUser? DestroyedBy { get; set; }
    public bool FailsToProvision { get; set; }
    public string TopicPrefix { get; set; } = "";
    public SandboxKafkaCredentials? Credentials { get; set; }
    public SortedDictionary<string, TopicRecord> Topics { get; } = new(StringComparer.Ordinal);
    public SortedSet<string> ConsumerGroups { get; } = new(StringComparer.Ordinal);

    /// <summary>Groups created through the data API that are not listed yet: name → when they appear.</summary>
    public Dictionary<string, DateTimeOffset> PendingConsumerGroups { get; } = new(StringComparer.Ordinal);
}

internal sealed class AttachmentRecord(Guid id, string name, AddonRecord addon, AppRecord app, DateTimeOffset createdAt)
{
    public Guid Id { get; } = id;
    public string Name { get; } = name;
    public AddonRecord Addon { get; } = addon;
    public AppRecord App { get; } = app;
    public DateTimeOffset CreatedAt { get; } = createdAt;
    public DateTimeOffset UpdatedAt { get; set; } = createdAt;
}

internal sealed class TopicRecord(string name, int partitions, int replicationFactor, long retentionMs, bool compaction, DateTimeOffset createdAt)
{
    public string Name { get; } = name;
    public int Partitions { get; } = partitions;
    public int ReplicationFactor { get; set; } = replicationFactor;
    public long RetentionMs { get; set; } = retentionMs;
    public bool Compaction { get; set; } = compaction;
    public DateTimeOffset CreatedAt { get; } = createdAt;

    /// <summary>When an asynchronous creation finishes; until then the topic is listed with 0 partitions.</summary>
    public DateTimeOffset ReadyAt { get; init; } = createdAt;

    /// <summary>The topic exists on the brokers.</summary>
    public bool Ready { get; set; }
}
