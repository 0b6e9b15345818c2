using KafkaMigrationPortal.Engine.Planning;
using KafkaMigrationPortal.Heroku.Kafka;

namespace KafkaMigrationPortal.Engine.Execution;

/// <summary>
/// How the topics of a <see cref="CreateTopics"/> step are created on a cluster, decided from what that cluster reports
/// (cluster info's limits and capabilities, its topic list) and never from a table: the body the CLI would send, and
/// the reasons, if any, why creating them must not start.
/// </summary>
internal sealed class TopicCreationPlan
{
    private readonly CreateTopics action;
    private readonly KafkaPlanLimits limits;
    private readonly bool multiTenant;

    private TopicCreationPlan(CreateTopics action, KafkaPlanLimits limits, bool multiTenant, IReadOnlyList<string> problems)
    {
        this.action = action;
        this.limits = limits;
        this.multiTenant = multiTenant;
        Problems = problems;
    }

    /// <summary>Why no topic may be created; empty when all of them fit.</summary>
    public IReadOnlyList<string> Problems { get; }

    public static TopicCreationPlan For(CreateTopics action, KafkaCluster cluster, IReadOnlyList<KafkaTopic> listed, string clusterName)
    {
        var limits = KafkaPlanLimits.FromCluster(cluster);
        var multiTenant = cluster.SharedCluster ?? !action.SendReplicationFactor;
        var problems = TargetFit.Check(action.Topics, limits, clusterName, multiTenant).Select(r => r.Message).ToList();
        var byName = listed.ToDictionary(t => t.Name, StringComparer.Ordinal);
        foreach (var topic in action.Topics)
        {
            // Partitions 0: Heroku is still creating it (possibly from an earlier attempt of this step).
            if (!byName.TryGetValue(topic.Name, out var there) || there.Partitions == 0) continue;
            if (there.Partitions != topic.Partitions)
                problems.Add($"Topic '{topic.Name}' already exists on {clusterName} with {there.Partitions} partitions; the old add-on's has {topic.Partitions}, and partition counts cannot change. Delete it there (`heroku kafka:topics:destroy {topic.Name}`) so that it is created again, or give it up.");
            if (limits.RetentionToSend(topic, multiTenant) is { } wanted && there.RetentionTimeMs is { } kept && kept < wanted)
                problems.Add($"Topic '{topic.Name}' already exists on {clusterName} keeping messages for {TargetFit.Hours(kept)}; the old add-on's keeps them for {TargetFit.Hours(wanted)}. Raise its retention there (`heroku kafka:topics:retention-time {topic.Name} {wanted}`) first.");
        }

        return new(action, limits, multiTenant, problems);
    }

    /// <summary>The body the CLI sends: a retention always on multi-tenant clusters; none for a compacted topic on a dedicated one.</summary>
    public KafkaTopicCreate Request(TopicSpec topic) =>
        new(topic.Name, topic.Partitions, action.SendReplicationFactor && !multiTenant ? topic.ReplicationFactor : null,
            limits.RetentionToSend(topic, multiTenant), topic.Compacted);
}
