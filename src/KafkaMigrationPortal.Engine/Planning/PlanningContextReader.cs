using System.Net;
using KafkaMigrationPortal.Engine.Storage;
using KafkaMigrationPortal.Heroku;
using KafkaMigrationPortal.Heroku.Kafka;
using KafkaMigrationPortal.Heroku.Platform;
using Microsoft.EntityFrameworkCore;

namespace KafkaMigrationPortal.Engine.Planning;

/// <summary>
/// Reads the <see cref="PlanningContext"/> for a request: the app, its add-ons and attachments, formation, the source
/// add-on's topics and consumer groups (Kafka data API), and unfinished runs from the portal database. Only GETs:
/// planning changes nothing on Heroku.
/// </summary>
public sealed class PlanningContextReader(IHerokuClientFactory clients, IDbContextFactory<PortalDbContext> databases)
{
    /// <param name="tokenScopes">The scopes of <paramref name="credential"/>'s token (an OAuth grant's; <c>global</c> for API keys).</param>
    public async Task<PlanningContext> ReadAsync(
        IHerokuCredential credential, IReadOnlyCollection<string> tokenScopes, MigrationRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var active = await ActiveMigrationsAsync(request.App, cancellationToken);
        var platform = clients.Platform(credential);
        try
        {
            await platform.GetAppAsync(request.App, cancellationToken);
        }
        catch (HerokuApiException e) when (e.IsNotFound || e.Status == HttpStatusCode.Forbidden)
        {
            return PlanningContext.UnknownApp(request.App, active, tokenScopes);
        }

        var addOns = await platform.ListAddOnsAsync(request.App, cancellationToken);
        var attachments = await platform.ListAttachmentsAsync(request.App, cancellationToken);
        var formation = await platform.ListFormationAsync(request.App, cancellationToken);
        var addons = AppAddons(request.App, addOns, attachments);

        var problems = new List<string>();
        var topics = new List<TopicSpec>();
        var groups = new List<string>();
        KafkaCluster? sourceCluster = null;
        var sourceLoad = SourceLoad.Unknown;
        var sourceIndex = addons.FindIndex(a => a.AttachmentNames.Contains(request.SourceAttachment, StringComparer.Ordinal));
        if (sourceIndex >= 0 && addons[sourceIndex].IsKafka)
        {
            var source = addons[sourceIndex];
            var kafka = clients.Kafka(credential);
            var clusterId = source.Id.ToString();
            var reads = new DataApiReads(problems, tokenScopes);
            sourceCluster = await reads.ReadAsync($"the cluster info of {source.Name}", () => kafka.GetClusterAsync(clusterId, cancellationToken));
            var prefix = string.IsNullOrEmpty(sourceCluster?.TopicPrefix) ? null : sourceCluster.TopicPrefix;
            // Destroying the source at the end removes it from every app it is attached to: the plan must name them.
            var otherApps = (await platform.ListAttachmentsOfAddOnAsync(clusterId, cancellationToken))
                .Select(a => a.App.Name)
                .Where(name => !string.Equals(name, request.App, StringComparison.Ordinal))
                .Distinct(StringComparer.Ordinal)
                .Order(StringComparer.Ordinal)
                .ToList();
            addons[sourceIndex] = source with { TopicPrefix = prefix, AlsoAttachedTo = otherApps.Count == 0 ? null : otherApps };
            var topicList = await reads.ReadAsync($"the topics of {source.Name}", () => kafka.ListTopicsAsync(clusterId, cancellationToken));
            var rates = (topicList?.AppTopics() ?? []).Select(t => t.BytesInPerSecond).OfType<double>().ToList();
            sourceLoad = new SourceLoad(rates.Count == 0 ? null : rates.Sum(), sourceCluster?.DataSizeBytes);
            foreach (var topic in topicList?.AppTopics() ?? [])
            {
                topics.Add(new TopicSpec(NameMapping.ToDataApiName(topic.Name, prefix ?? topic.Prefix), topic.Partitions, topic.ReplicationFactor, topic.RetentionTimeMs, topic.Compaction));
            }
            // Dedicated clusters do not manage consumer groups through the data API; their groups come with the request.
            var groupList = await reads.ReadAsync($"the consumer groups of {source.Name}", async () =>
            {
                try
                {
                    return await kafka.ListConsumerGroupsAsync(clusterId, cancellationToken);
                }
                catch (HerokuApiException e) when (prefix is null && e.Status is HttpStatusCode.BadRequest or HttpStatusCode.NotFound)
                {
                    return new KafkaConsumerGroupList([]);
                }
            });
            groups.AddRange((groupList?.ConsumerGroups ?? []).Select(g => NameMapping.ToDataApiName(g.Name, prefix)));
        }

        return new PlanningContext(
            request.App,
            AppExists: true,
            addons,
            formation.GroupBy(f => f.Type, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Sum(f => f.Quantity), StringComparer.Ordinal),
            topics,
            groups,
            active,
            tokenScopes,
            KafkaPlans.IsKafkaPlan(request.TargetPlan) ? KafkaPlanLimits.ForPlan(request.TargetPlan) : KafkaPlanLimits.Unknown,
            problems)
        {
            SourceLimits = sourceCluster is null ? KafkaPlanLimits.Unknown : KafkaPlanLimits.FromCluster(sourceCluster),
            SourceLoad = sourceLoad,
        };
    }

    private async Task<IReadOnlyList<ActiveMigration>> ActiveMigrationsAsync(string app, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var runs = await db.MigrationRuns
            .Where(r => r.App == app && MigrationRunStatuses.Active.Contains(r.Status))
            .Select(r => new { r.Id, r.SourceAddon, r.TargetPlan, r.Status })
            .ToListAsync(cancellationToken);
        return runs.Select(r => new ActiveMigration(r.Id, r.SourceAddon, r.TargetPlan, r.Status)).ToList();
    }

    private static List<AppAddon> AppAddons(string app, IReadOnlyList<HerokuAddOn> addOns, IReadOnlyList<HerokuAttachment> attachments)
    {
        var namesByAddon = attachments
            .Where(a => string.Equals(a.App.Name, app, StringComparison.Ordinal))
            .GroupBy(a => a.Addon.Id, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<string>)g.Select(a => a.Name).Order(StringComparer.Ordinal).ToList(), StringComparer.Ordinal);
        var result = addOns
            .Where(a => Guid.TryParse(a.Id, out _))
            .Select(a => new AppAddon(Guid.Parse(a.Id), a.Name, a.AddonService.Name, a.Plan.Name, namesByAddon.GetValueOrDefault(a.Id, [])))
            .ToList();
        // Add-ons owned by another app and only attached to this one.
        foreach (var attached in attachments.Select(a => a.Addon).DistinctBy(a => a.Id).Where(a => result.All(r => r.Id.ToString() != a.Id)))
        {
            if (!Guid.TryParse(attached.Id, out var id) || attached.Plan is null) continue;
            var service = attached.Plan.Name.Split(':')[0];
            result.Add(new AppAddon(id, attached.Name, service, attached.Plan.Name, namesByAddon.GetValueOrDefault(attached.Id, [])));
        }
        return result;
    }

    /// <summary>
    /// The data API reads of one planning: a refusal becomes a problem the validator reports (Heroku's message, never a
    /// body). A 403 to a token without <c>global</c> says which grant the data API needs, once, and stops further reads.
    /// </summary>
    private sealed class DataApiReads(List<string> problems, IReadOnlyCollection<string> tokenScopes)
    {
        private bool refusedForScope;

        public async Task<T?> ReadAsync<T>(string what, Func<Task<T>> read)
        {
            if (refusedForScope) return default;
            try
            {
                return await read();
            }
            catch (HerokuApiException e) when (e.Status == HttpStatusCode.Forbidden && !HasGlobalScope(tokenScopes))
            {
                refusedForScope = true;
                problems.Add(
                    $"The Kafka data API refused to give {what} ({(int)e.Status} {e.Id ?? "error"}): {e.Message} It accepts only tokens with the "
                    + $"'global' scope and API keys; this sign-in granted {DescribeScopes(tokenScopes)}. Sign in again granting 'global' "
                    + "(or connect the portal with an API key) to plan this migration. Nothing was changed.");
                return default;
            }
            catch (HerokuApiException e)
            {
                problems.Add($"The Kafka data API refused to give {what} ({(int)e.Status} {e.Id ?? "error"}): {e.Message}");
                return default;
            }
        }

        private static bool HasGlobalScope(IReadOnlyCollection<string> scopes) => scopes.Contains("global", StringComparer.OrdinalIgnoreCase);

        private static string DescribeScopes(IReadOnlyCollection<string> scopes) =>
            scopes.Count == 0 ? "no scope" : string.Join(", ", scopes.Select(s => $"'{s}'"));
    }
}

public static class PlanningModule
{
    public static IServiceCollection AddMigrationPlanning(this IServiceCollection services) =>
        services.AddScoped<PlanningContextReader>();
}
