using System.Text;
using System.Text.RegularExpressions;
using KafkaMigrationPortal.Engine.Planning;

namespace KafkaMigrationPortal.Engine.Mirroring;

/// <summary>
/// A MirrorMaker 2 configuration (dedicated mode, <c>connect-mirror-maker.sh</c>) that copies a plan's topics from the
/// old add-on to the new one, for clusters beyond what the portal's own copier carries. The portal's cutover steps stay
/// the same: it watches MirrorMaker 2 on the clusters (<see cref="MirrorMaker2Watch"/>) and carries the consumer
/// groups' positions itself (<see cref="MirrorMaker2OffsetTranslator"/>), so MirrorMaker 2's own group-offset sync
/// and checkpoints are off: its translation lags behind by design, and a later sync would move a group the portal
/// placed back onto records it has read. It holds no secret: every broker list and certificate is a placeholder
/// naming the config var to take it from.
/// </summary>
/// <param name="Properties">The file's text; null when MirrorMaker 2 cannot do this migration as is.</param>
/// <param name="TopicsToCreate">Topics MirrorMaker 2 writes on the new add-on besides the app's, which Heroku does not
/// create on first write: the plan's topic-creation step creates them.</param>
/// <param name="Refusal">Why no configuration is given, when it is not.</param>
public sealed record MirrorMaker2Config(string? Properties, IReadOnlyList<TopicSpec> TopicsToCreate, string? Refusal)
{
    /// <summary>The old add-on's alias in the configuration.</summary>
    public const string SourceAlias = "old";

    /// <summary>The new add-on's alias in the configuration.</summary>
    public const string TargetAlias = "new";

    /// <summary>Where MirrorMaker 2's heartbeat connector writes, on the new add-on, once a second while it runs.</summary>
    public const string HeartbeatsTopic = "heartbeats";

    /// <summary>Where its source connector writes offset syncs: on the target (<c>offset-syncs.topic.location = target</c>),
    /// named after the source's alias.</summary>
    public const string OffsetSyncsTopic = $"mm2-offset-syncs.{SourceAlias}.internal";

    public const string MultiTenantRefusal =
        "MirrorMaker 2 keeps topic names as they are (IdentityReplicationPolicy), and basic plans prefix every topic and " +
        "consumer group with a prefix of their own: copying from or to a basic plan needs a custom ReplicationPolicy that " +
        "swaps the prefixes. Use the portal's mirror, or write that policy.";

    private const int ReplicationFactor = 3;

    public static MirrorMaker2Config For(MigrationPlan plan)
    {
        if (plan.Source.IsMultiTenant || plan.TargetMultiTenant || KafkaPlans.IsMultiTenant(plan.Source.Plan))
            return new(null, [], MultiTenantRefusal);

        var topics = MirrorWorker.Partitions(plan).Select(p => p.Topic).Distinct().Order(StringComparer.Ordinal).ToList();
        var partitions = MirrorWorker.Partitions(plan).Count;
        var text = new StringBuilder()
            .AppendLine($"# MirrorMaker 2 for {plan.App}: {plan.Source.Name} ({plan.Source.Plan}) -> the new add-on ({plan.TargetPlan}).")
            .AppendLine("# Fill in every <...> from the config vars named and keep this file out of version control. Start it")
            .AppendLine("# (connect-mirror-maker.sh mm2.properties) when the run's step asks for it, and stop it when the run asks.")
            .AppendLine($"clusters = {SourceAlias}, {TargetAlias}")
            .AppendLine();
        Cluster(text, SourceAlias, plan.PrimaryAttachment);
        Cluster(text, TargetAlias, AttachmentNames.New);
        text.AppendLine($"{SourceAlias}->{TargetAlias}.enabled = true")
            .AppendLine($"{TargetAlias}->{SourceAlias}.enabled = false")
            .AppendLine($"{SourceAlias}->{TargetAlias}.topics = {Alternatives(topics)}")
            .AppendLine("# Same names on both clusters; the portal has created the topics with the same partition counts.")
            .AppendLine("replication.policy.class = org.apache.kafka.connect.mirror.IdentityReplicationPolicy")
            .AppendLine("# Aborted transactions are not copied, as the portal counts records.")
            .AppendLine($"{SourceAlias}.consumer.isolation.level = read_committed")
            .AppendLine($"{SourceAlias}.consumer.auto.offset.reset = earliest")
            .AppendLine("sync.topic.configs.enabled = false")
            .AppendLine("sync.topic.acls.enabled = false")
            .AppendLine("refresh.topics.enabled = false")
            .AppendLine("# The portal carries the consumer groups' positions itself, exactly, at the cutover.")
            .AppendLine("emit.checkpoints.enabled = false")
            .AppendLine("sync.group.offsets.enabled = false")
            .AppendLine("# The portal reads these heartbeats to see MirrorMaker 2 start and stop.")
            .AppendLine("emit.heartbeats.enabled = true")
            .AppendLine("emit.heartbeats.interval.seconds = 1")
            .AppendLine("offset-syncs.topic.location = target")
            .AppendLine($"replication.factor = {ReplicationFactor}")
            .AppendLine($"heartbeats.topic.replication.factor = {ReplicationFactor}")
            .AppendLine($"offset-syncs.topic.replication.factor = {ReplicationFactor}")
            .AppendLine($"offset.storage.replication.factor = {ReplicationFactor}")
            .AppendLine($"status.storage.replication.factor = {ReplicationFactor}")
            .AppendLine($"config.storage.replication.factor = {ReplicationFactor}")
            .AppendLine($"tasks.max = {Math.Clamp(partitions, 1, 64)}");
        return new(text.ToString(), InternalTopics, null);
    }

    /// <summary>What MirrorMaker 2 (dedicated mode, the aliases above) writes on the new add-on: its heartbeats and
    /// offset syncs, and Kafka Connect's config, offset and status topics, which Connect refuses unless compacted.</summary>
    public static IReadOnlyList<TopicSpec> InternalTopics { get; } =
    [
        Compacted(HeartbeatsTopic, 1),
        Compacted(OffsetSyncsTopic, 1),
        Compacted($"mm2-configs.{SourceAlias}.internal", 1),
        Compacted($"mm2-offsets.{SourceAlias}.internal", 25),
        Compacted($"mm2-status.{SourceAlias}.internal", 5),
    ];

    private static TopicSpec Compacted(string name, int partitions) => new(name, partitions, ReplicationFactor, null, Compacted: true);

    private static void Cluster(StringBuilder text, string alias, string attachment) =>
        text.AppendLine($"# {alias}: the add-on attached as {attachment}. Heroku's broker certificates do not name the hosts.")
            .AppendLine($"{alias}.bootstrap.servers = <{attachment}_URL without the kafka+ssl:// of each broker>")
            .AppendLine($"{alias}.security.protocol = SSL")
            .AppendLine($"{alias}.ssl.endpoint.identification.algorithm =")
            .AppendLine($"{alias}.ssl.truststore.type = PEM")
            .AppendLine($"{alias}.ssl.truststore.certificates = <{attachment}_TRUSTED_CERT, on one line>")
            .AppendLine($"{alias}.ssl.keystore.type = PEM")
            .AppendLine($"{alias}.ssl.keystore.certificate.chain = <{attachment}_CLIENT_CERT, on one line>")
            .AppendLine($"{alias}.ssl.keystore.key = <{attachment}_CLIENT_CERT_KEY as unencrypted PKCS#8, on one line>")
            .AppendLine();

    private static string Alternatives(IEnumerable<string> names) =>
        names.Any() ? string.Join("|", names.Select(Regex.Escape)) : "^$";
}
