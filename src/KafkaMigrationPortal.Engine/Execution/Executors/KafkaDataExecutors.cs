using KafkaMigrationPortal.Engine.Planning;
using KafkaMigrationPortal.Heroku;
using KafkaMigrationPortal.Heroku.Kafka;

namespace KafkaMigrationPortal.Engine.Execution;

public sealed class CreateTopicsExecutor : StepExecutor<CreateTopics>
{
    protected override async Task<StepOutcome> ExecuteAsync(StepContext context, CreateTopics action)
    {
        var cluster = context.RequireAddonId(action.Addon).ToString();
        var existing = (await context.Kafka.ListTopicsAsync(cluster, context.CancellationToken)).Topics
            .Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var created = new List<string>();
        // Kafka's internal topics (a plan stored before they were left out may list them) are never created.
        foreach (var topic in action.Topics.Where(t => !existing.Contains(t.Name) && !KafkaInternalTopics.IsInternal(t.Name)))
        {
            var request = new KafkaTopicCreate(topic.Name, topic.Partitions, action.SendReplicationFactor ? topic.ReplicationFactor : null,
                topic.RetentionTimeMs, topic.Compacted);
            try
            {
                await context.MutateAsync(
                    "Create topic",
                    $"POST /data/kafka/v0/clusters/{cluster}/topics name={topic.Name} partitions={topic.Partitions} retention_ms={topic.RetentionTimeMs?.ToString() ?? "default"} compaction={topic.Compacted}",
                    ct => context.Kafka.CreateTopicAsync(cluster, request, ct));
                created.Add(topic.Name);
            }
            catch (HerokuApiException e) when ((int)e.Status == 409 || e.Id == "conflict")
            {
                // Created by an earlier attempt whose answer was lost.
            }
        }

        var kept = action.Topics.Count(t => !KafkaInternalTopics.IsInternal(t.Name)) - created.Count;
        if (kept > 0) await context.LogAsync(RunEventKinds.Reconciled, $"{kept} topic(s) already existed on the {Role(action.Addon)}.");
        return Done($"{created.Count} topic(s) created, {kept} already there.");
    }
}

public sealed class CreateConsumerGroupsExecutor : StepExecutor<CreateConsumerGroups>
{
    protected override async Task<StepOutcome> ExecuteAsync(StepContext context, CreateConsumerGroups action)
    {
        var cluster = context.RequireAddonId(action.Addon).ToString();
        var existing = (await context.Kafka.ListConsumerGroupsAsync(cluster, context.CancellationToken)).ConsumerGroups
            .Select(g => g.Name).ToHashSet(StringComparer.Ordinal);
        var created = 0;
        foreach (var group in action.Groups.Where(g => !existing.Contains(g)))
        {
            var answer = await context.MutateAsync(
                "Create consumer group",
                $"POST /data/kafka/v0/clusters/{cluster}/consumer_groups name={group}",
                ct => context.Kafka.CreateConsumerGroupAsync(cluster, group, ct),
                r => r.ToString());
            if (answer == ConsumerGroupCreation.NotRequiredOnDedicatedCluster)
            {
                return Done("The new add-on is dedicated: consumer groups need not be created.");
            }

            created++;
        }

        return Done($"{created} consumer group(s) created, {action.Groups.Count - created} already there.");
    }
}
