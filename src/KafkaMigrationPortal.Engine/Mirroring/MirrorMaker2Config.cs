using System.Text;
using System.Text.RegularExpressions;
using KafkaMigrationPortal.Engine.Planning;

namespace KafkaMigrationPortal.Engine.Mirroring;

/// <summary>
/// A MirrorMaker 2 configuration (dedicated mode, <c>connect-mirror-maker.sh</c>) that copies a plan's topics and
/// consumer groups from the old add-on to the new one, for clusters beyond what the portal's own copier carries. It holds
/// no secret: every broker list and certificate is a placeholder naming the config var to take it from.
/// </summary>
/// <param name="Properties">The file's text; null when MirrorMaker 2 cannot do this migration as is.</param>
/// <param name="TopicsToCreate">Topics MirrorMaker 2 writes besides the app's, which Heroku does not create on first
/// write: create them on the new add-on (<c>heroku kafka:topics:create</c>) before starting it.</param>
/// <param name="Refusal">Why no configuration is given, when it is not.</param>
public sealed record MirrorMaker2Config(string? Properties, IReadOnlyList<string> TopicsToCreate, string? Refusal)
{
    private const string Source = "old";
    private const string Target = "new";

    public static MirrorMaker2Config For(MigrationPlan plan)
    {
        // MirrorMaker 2's identity policy keeps each topic's name; a multi-tenant side has a prefix of its own, and
        // renaming between prefixes needs a ReplicationPolicy class of one's own.
        if (plan.Source.IsMultiTenant || plan.TargetMultiTenant)
            return new(null, [], "MirrorMaker 2 keeps topic names as they are (IdentityReplicationPolicy), and basic plans prefix every " +
                "topic with a prefix of their own: copying from or to a basic plan needs a custom ReplicationPolicy that swaps the " +
                "prefixes. Use the portal's mirror, or write that policy.");

        var topics = plan.Topics.Where(t => !t.Name.StartsWith("__", StringComparison.Ordinal)).Select(t => t.Name).Order(StringComparer.Ordinal).ToList();
        var partitions = plan.Topics.Sum(t => t.Partitions);
        var text = new StringBuilder()
            .AppendLine($"# MirrorMaker 2 for {plan.App}: {plan.Source.Name} ({plan.Source.Plan}) -> the new add-on ({plan.TargetPlan}).")
            .AppendLine("# Fill in every <...> from the config vars named, keep this file out of version control, and")
            .AppendLine("# create the topics listed below on the new add-on first: Heroku creates no topic on first write.")
            .AppendLine($"clusters = {Source}, {Target}")
            .AppendLine();
        Cluster(text, Source, plan.PrimaryAttachment);
        Cluster(text, Target, AttachmentNames.New);
        text.AppendLine($"{Source}->{Target}.enabled = true")
            .AppendLine($"{Target}->{Source}.enabled = false")
            .AppendLine($"{Source}->{Target}.topics = {Alternatives(topics)}")
            .AppendLine($"{Source}->{Target}.groups = {Alternatives(plan.ConsumerGroups)}")
            .AppendLine("# Same names on both clusters; the portal has created the topics with the same partition counts.")
            .AppendLine("replication.policy.class = org.apache.kafka.connect.mirror.IdentityReplicationPolicy")
            .AppendLine("sync.topic.configs.enabled = false")
            .AppendLine("sync.topic.acls.enabled = false")
            .AppendLine("refresh.topics.enabled = false")
            .AppendLine("emit.heartbeats.enabled = false")
            .AppendLine("emit.checkpoints.enabled = true")
            .AppendLine("sync.group.offsets.enabled = true")
            .AppendLine("offset-syncs.topic.location = target")
            .AppendLine("replication.factor = 3")
            .AppendLine("checkpoints.topic.replication.factor = 3")
            .AppendLine("offset-syncs.topic.replication.factor = 3")
            .AppendLine($"tasks.max = {Math.Clamp(partitions, 1, 64)}");
        return new(text.ToString(), [$"mm2-offset-syncs.{Target}.internal", $"{Source}.checkpoints.internal",
            "mm2-configs.old.internal", "mm2-offsets.old.internal", "mm2-status.old.internal"], null);
    }

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
