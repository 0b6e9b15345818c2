using KafkaMigrationPortal.Engine.Planning;
using KafkaMigrationPortal.Heroku;
using KafkaMigrationPortal.Heroku.Kafka;

namespace KafkaMigrationPortal.Engine.Execution;

public sealed class CreateTopicsExecutor : StepExecutor<CreateTopics>
{
    protected override async Task<StepOutcome> ExecuteAsync(StepContext context, CreateTopics action)
    {
        var cluster = context.RequireAddonId(action.Addon).ToString();
        var listed = (await context.Kafka.ListTopicsAsync(cluster, context.CancellationToken)).Topics;
        var existing = listed.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        // Read right after provisioning, before anything is created: a target that cannot hold the topics pauses the run.
        var info = await context.Kafka.GetClusterAsync(cluster, context.CancellationToken);
        var creation = TopicCreationPlan.For(action, info, listed, $"the {Role(action.Addon)}");
        if (creation.Problems.Count > 0)
            return Failed($"No topic was created: the {Role(action.Addon)} cannot take the old add-on's topics as they are. {string.Join(" ", creation.Problems)}");
        var created = new List<string>();
        foreach (var topic in action.Topics.Where(t => !existing.Contains(t.Name)))
        {
            var request = creation.Request(topic);
            try
            {
                await context.MutateAsync(
                    "Create topic",
                    $"POST /data/kafka/v0/clusters/{cluster}/topics name={topic.Name} partitions={topic.Partitions} retention_ms={request.RetentionTimeMs?.ToString() ?? "none"} compaction={topic.Compacted}",
                    ct => context.Kafka.CreateTopicAsync(cluster, request, ct));
                created.Add(topic.Name);
            }
            catch (HerokuApiException e) when ((int)e.Status == 409 || e.Id == "conflict")
            {
                // Created by an earlier attempt whose answer was lost.
            }
        }

        var kept = action.Topics.Count - created.Count;
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
