using KafkaMigrationPortal.Engine.Planning;
using KafkaMigrationPortal.Heroku;
using KafkaMigrationPortal.Heroku.Kafka;

namespace KafkaMigrationPortal.Engine.Execution;

/// <summary>
/// Creates the missing topics, then is done only when Heroku lists every one with its requested partition count: creation
/// is asynchronous (a new topic is listed with 0 partitions and clients fail on it until then), so until then the step
/// waits and looks again. A re-run creates nothing that is listed, pending or not, and counts no pending topic as done.
/// </summary>
public sealed class CreateTopicsExecutor : StepExecutor<CreateTopics>
{
    protected override async Task<StepOutcome> ExecuteAsync(StepContext context, CreateTopics action)
    {
        var cluster = context.RequireAddonId(action.Addon).ToString();
        var wanted = action.Topics.Where(t => !KafkaInternalTopics.IsInternal(t.Name)).ToList();
        var topicList = await context.Kafka.ListTopicsAsync(cluster, context.CancellationToken);
        var listed = ListedPartitions(topicList);
        // Read right after provisioning, before anything is created: a target that cannot hold the topics pauses the run.
        var info = await context.Kafka.GetClusterAsync(cluster, context.CancellationToken);
        var creation = TopicCreationPlan.For(action, info, topicList.Topics, $"the {Role(action.Addon)}");
        if (creation.Problems.Count > 0)
            return Failed($"No topic was created: the {Role(action.Addon)} cannot take the old add-on's topics as they are. {string.Join(" ", creation.Problems)}");
        var created = new List<string>();
        foreach (var topic in wanted.Where(t => !listed.ContainsKey(t.Name)))
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

        var already = wanted.Count - created.Count;
        // Once per step, not at every look while waiting for its own topics.
        if (already > 0 && context.Step.WaitReason is null)
        {
            await context.LogAsync(RunEventKinds.Reconciled, $"{already} topic(s) already existed on the {Role(action.Addon)}.");
        }

        if (created.Count > 0) listed = ListedPartitions(await context.Kafka.ListTopicsAsync(cluster, context.CancellationToken));
        var pending = wanted.Where(t => listed.GetValueOrDefault(t.Name) != t.Partitions).Select(t => t.Name).ToList();
        if (pending.Count > 0)
        {
            return Wait(context, context.Options.KafkaDataReadyPollInterval,
                $"Waiting for topics to be ready on the {Role(action.Addon)} ({pending.Count} of {wanted.Count} not yet listed with their partitions: {string.Join(", ", pending)}).");
        }

        return Done($"{wanted.Count} topic(s) ready ({created.Count} created in this attempt).");
    }

    /// <summary>Listed app topics → partition count (0 while Heroku is still creating the topic).</summary>
    private static Dictionary<string, int> ListedPartitions(KafkaTopicList list) =>
        list.AppTopics().GroupBy(t => t.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Partitions, StringComparer.Ordinal);
}

/// <summary>
/// Creates the missing consumer groups, then is done only when Heroku lists every one (a new group appears after a while,
/// and multi-tenant clients get "Group authorization failed" until then): until then it waits and looks again. A group
/// not listed yet is not asked for again: the groups asked for are kept in the step's state.
/// </summary>
public sealed class CreateConsumerGroupsExecutor : StepExecutor<CreateConsumerGroups>
{
    protected override async Task<StepOutcome> ExecuteAsync(StepContext context, CreateConsumerGroups action)
    {
        var cluster = context.RequireAddonId(action.Addon).ToString();
        var existing = await ListedAsync(context, cluster);
        var requested = context.State<List<string>>() ?? [];
        var created = 0;
        foreach (var group in action.Groups.Where(g => !existing.Contains(g) && !requested.Contains(g, StringComparer.Ordinal)))
        {
            ConsumerGroupCreation answer;
            try
            {
                answer = await context.MutateAsync(
                    "Create consumer group",
                    $"POST /data/kafka/v0/clusters/{cluster}/consumer_groups name={group}",
                    ct => context.Kafka.CreateConsumerGroupAsync(cluster, group, ct),
                    r => r.ToString());
            }
            catch (HerokuApiException e) when ((int)e.Status == 409 || e.Id == "conflict")
            {
                // Created by an earlier attempt (not listed yet, or its answer was lost).
                answer = ConsumerGroupCreation.Created;
            }

            if (answer == ConsumerGroupCreation.NotRequiredOnDedicatedCluster)
            {
                context.SetState<List<string>>(null);
                return Done("The new add-on is dedicated: consumer groups need not be created.");
            }

            created++;
            requested.Add(group);
            context.SetState(requested);
            await context.SaveAsync();
        }

        if (created > 0) existing = await ListedAsync(context, cluster);
        var pending = action.Groups.Where(g => !existing.Contains(g)).ToList();
        if (pending.Count > 0)
        {
            return Wait(context, context.Options.KafkaDataReadyPollInterval,
                $"Waiting for consumer groups to be ready on the {Role(action.Addon)} ({pending.Count} of {action.Groups.Count} not yet listed: {string.Join(", ", pending)}).");
        }

        context.SetState<List<string>>(null);
        return Done($"{action.Groups.Count} consumer group(s) ready ({created} created in this attempt).");
    }

    private static async Task<HashSet<string>> ListedAsync(StepContext context, string cluster) =>
        (await context.Kafka.ListConsumerGroupsAsync(cluster, context.CancellationToken)).ConsumerGroups
            .Select(g => g.Name).ToHashSet(StringComparer.Ordinal);
}
