using KafkaMigrationPortal.Engine.Mirroring;
using KafkaMigrationPortal.Heroku.Kafka;

namespace KafkaMigrationPortal.Engine.Planning;

/// <summary>Why a migration cannot be planned: a stable <see cref="Code"/> and a message naming the cause.</summary>
public sealed record PlanRefusal(string Code, string Message);

public static class RefusalCodes
{
    public const string UnknownApp = "unknown-app";
    public const string SourceNotFound = "source-not-found";
    public const string SourceNotKafka = "source-not-kafka";
    public const string SourceUnreadable = "source-unreadable";
    public const string TargetNotKafka = "target-not-kafka";
    public const string SameTargetPlan = "same-target-plan";
    public const string NoProducers = "no-producers";
    public const string NoConsumers = "no-consumers";
    public const string UnknownProcessType = "unknown-process-type";
    public const string ProcessTypeInBothRoles = "process-type-in-both-roles";
    public const string NoConsumerGroups = "no-consumer-groups";
    public const string MigrationAlreadyActive = "migration-already-active";
    public const string AttachmentNameInUse = "attachment-name-in-use";
    public const string TargetNameInUse = "target-name-in-use";
    public const string TargetTooFewTopics = "target-too-few-topics";
    public const string TargetPartitionsPerTopic = "target-partitions-per-topic";
    public const string TargetTotalPartitions = "target-total-partitions";
    public const string TargetRetentionTooLong = "target-retention-too-long";
    public const string TargetReplicationFactor = "target-replication-factor";
    public const string TargetMixedCleanup = TargetFit.MixedCleanupCode;
    public const string TargetProduceQuota = TargetFit.ProduceQuotaCode;
    public const string TargetDataSize = TargetFit.DataSizeCode;
    public const string MissingTokenScope = "missing-token-scope";
    public const string ApprovalCount = "approval-count";
    public const string MirrorEngineStrategy = "mirror-engine-strategy";
    public const string MirrorEngineMultiTenant = "mirror-engine-multi-tenant";
}

public sealed record PlanValidationResult(IReadOnlyList<PlanRefusal> Refusals, PlanRequest? Request)
{
    public bool IsValid => Refusals.Count == 0 && Request is not null;
}

/// <summary>
/// Decides whether a migration may be planned. Pure: it reads only the <see cref="PlanningContext"/> snapshot and
/// changes nothing. A valid result carries the <see cref="PlanRequest"/> for <see cref="MigrationPlanBuilder.Build"/>.
/// </summary>
public static class PlanValidator
{
    private static readonly string[] ScopesAllowingConfigVars = ["global", "write-protected"];

    public static PlanValidationResult Validate(PlanningContext context, MigrationRequest request)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(request);
        var refusals = new List<PlanRefusal>();
        void Refuse(string code, string message) => refusals.Add(new(code, message));

        if (!context.AppExists)
        {
            Refuse(RefusalCodes.UnknownApp, $"There is no app named '{request.App}' that this Heroku account can see.");
            return new(refusals, null);
        }

        if (!context.TokenScopes.Any(s => ScopesAllowingConfigVars.Contains(s, StringComparer.OrdinalIgnoreCase)))
            Refuse(RefusalCodes.MissingTokenScope,
                $"The Heroku token has the scopes {Scopes(context.TokenScopes)}; changing config vars needs 'write-protected' (or 'global'). Sign in again granting it.");

        if (request.RequiredApprovals is < 1 or > MigrationRequest.MaxRequiredApprovals)
            Refuse(RefusalCodes.ApprovalCount,
                $"Each gate needs between 1 and {MigrationRequest.MaxRequiredApprovals} approvals from people other than the starter; {request.RequiredApprovals} was asked for.");

        foreach (var active in context.ActiveMigrations)
            Refuse(RefusalCodes.MigrationAlreadyActive,
                $"Migration {active.RunId} of '{request.App}' (from {active.SourceAddon} to {active.TargetPlan}) is {active.Status}: finish, roll back or abort it first.");

        var source = context.Addons.FirstOrDefault(a => a.AttachmentNames.Contains(request.SourceAttachment, StringComparer.Ordinal));
        if (source is null)
            Refuse(RefusalCodes.SourceNotFound, $"No add-on is attached to '{request.App}' as {request.SourceAttachment}.");
        else if (!source.IsKafka)
            Refuse(RefusalCodes.SourceNotKafka, $"{request.SourceAttachment} is {source.Name}, a {source.ServiceName} add-on ({source.Plan}), not Apache Kafka on Heroku.");

        if (!KafkaPlans.IsKafkaPlan(request.TargetPlan))
            Refuse(RefusalCodes.TargetNotKafka, $"The target plan '{request.TargetPlan}' is not an Apache Kafka on Heroku plan.");
        else if (source is { IsKafka: true } && KafkaPlans.SamePlan(source.Plan, request.TargetPlan))
            Refuse(RefusalCodes.SameTargetPlan, $"{source.Name} is already on {KafkaPlans.Normalize(source.Plan)}: pick a different target plan (same-plan changes need no migration).");

        CheckMirrorEngine(request, source, Refuse);
        CheckProcessTypes(context, request, Refuse);
        CheckAttachmentNames(context, request, Refuse);
        if (source is not null && context.Addons.FirstOrDefault(a => a.Name == MigrationPlanBuilder.TargetAddonName(request.App, source.Id)) is { } namesake)
            Refuse(RefusalCodes.TargetNameInUse,
                $"The new add-on would be named {namesake.Name}, which an add-on of '{request.App}' already has (an earlier migration's, perhaps still being destroyed): destroy it or wait until it is gone.");

        foreach (var problem in context.ReadProblems)
            Refuse(RefusalCodes.SourceUnreadable, problem);

        var groups = context.SourceConsumerGroups.Concat(request.ConsumerGroups ?? [])
            .Select(g => NameMapping.ToDataApiName(g.Trim(), source?.TopicPrefix)).Where(g => g.Length > 0)
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (source is { IsKafka: true } && groups.Count == 0)
            Refuse(RefusalCodes.NoConsumerGroups,
                $"No consumer groups are known for {source.Name}: without them the portal cannot tell when consumers have caught up. Add them to the request (`heroku kafka:consumer-groups {request.SourceAttachment} -a {request.App}` lists them on multi-tenant plans).");

        var sourceTopics = context.SourceTopics.Where(t => !KafkaInternalTopics.IsInternal(t.Name)).ToList();
        if (KafkaPlans.IsKafkaPlan(request.TargetPlan))
            refusals.AddRange(TargetFit.Check(sourceTopics, context.TargetLimits, KafkaPlans.Normalize(request.TargetPlan),
                KafkaPlans.IsMultiTenant(request.TargetPlan), context.SourceLoad).Select(r => ForStrategy(r, request.Strategy)));

        if (refusals.Count > 0 || source is null) return new(refusals, null);
        return new(refusals, new PlanRequest(
            request.App,
            source.ToSnapshot(),
            KafkaPlans.Normalize(request.TargetPlan),
            KafkaPlans.IsMultiTenant(request.TargetPlan),
            request.Strategy,
            request.ProducerProcessTypes,
            request.ConsumerProcessTypes,
            context.Formation,
            sourceTopics,
            groups,
            request.RetentionMargin,
            request.SourceAttachment) { MirrorEngine = request.MirrorEngine });
    }

    private static void CheckMirrorEngine(MigrationRequest request, AppAddon? source, Action<string, string> refuse)
    {
        if (request.MirrorEngine == MirrorEngine.Portal) return;
        if (request.Strategy != MigrationStrategy.Mirror)
            refuse(RefusalCodes.MirrorEngineStrategy, "MirrorMaker 2 copies records only in a mirror migration; pick the mirror strategy, or the portal's own copier.");
        else if (source?.TopicPrefix is not null || (source is not null && KafkaPlans.IsMultiTenant(source.Plan)) || KafkaPlans.IsMultiTenant(request.TargetPlan))
            refuse(RefusalCodes.MirrorEngineMultiTenant, MirrorMaker2Config.MultiTenantRefusal);
    }

    private static void CheckProcessTypes(PlanningContext context, MigrationRequest request, Action<string, string> refuse)
    {
        var known = string.Join(", ", context.Formation.Keys.Order(StringComparer.Ordinal));
        if (request.ProducerProcessTypes.Count == 0)
            refuse(RefusalCodes.NoProducers, $"No producer process type is selected (the app has: {known}). Pick the types that write to Kafka.");
        if (request.ConsumerProcessTypes.Count == 0)
            refuse(RefusalCodes.NoConsumers, $"No consumer process type is selected (the app has: {known}). Pick the types that read from Kafka.");
        foreach (var type in request.ProducerProcessTypes.Concat(request.ConsumerProcessTypes).Distinct(StringComparer.Ordinal))
        {
            if (!context.Formation.ContainsKey(type))
                refuse(RefusalCodes.UnknownProcessType, $"'{request.App}' has no process type '{type}' (it has: {known}).");
        }
        if (request.Strategy == MigrationStrategy.MaintenanceWindow)
        {
            foreach (var type in request.ProducerProcessTypes.Intersect(request.ConsumerProcessTypes, StringComparer.Ordinal))
                refuse(RefusalCodes.ProcessTypeInBothRoles,
                    $"Process type '{type}' both produces and consumes: a maintenance window stops producers before consumers drain, which would stop it reading too. Use double-write, or split the type.");
        }
    }

    private static void CheckAttachmentNames(PlanningContext context, MigrationRequest request, Action<string, string> refuse)
    {
        string[] needed = request.Strategy == MigrationStrategy.DoubleWrite ? [AttachmentNames.Old] : [AttachmentNames.Old, AttachmentNames.New];
        foreach (var name in needed)
        {
            if (name == request.SourceAttachment)
            {
                refuse(RefusalCodes.AttachmentNameInUse, $"The migration needs the attachment name {name} for itself; migrate from an add-on attached under another name.");
                continue;
            }
            var holder = context.Addons.FirstOrDefault(a => a.AttachmentNames.Contains(name, StringComparer.Ordinal));
            if (holder is not null)
                refuse(RefusalCodes.AttachmentNameInUse, $"The attachment name {name}, which the migration uses, is already taken by {holder.Name}: detach it first (`heroku addons:detach {name} -a {request.App}`).");
        }
    }

    private static PlanRefusal ForStrategy(PlanRefusal refusal, MigrationStrategy strategy) =>
        strategy == MigrationStrategy.Mirror && refusal.Code is RefusalCodes.TargetPartitionsPerTopic or RefusalCodes.TargetTotalPartitions
            ? refusal with { Message = $"{refusal.Message} The mirror copies each partition to the same partition number, so every topic needs its own partition count there." }
            : refusal;

    private static string Scopes(IReadOnlyCollection<string> scopes) =>
        scopes.Count == 0 ? "(none)" : string.Join(", ", scopes.Select(s => $"'{s}'"));
}
