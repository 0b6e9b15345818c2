using KafkaMigrationPortal.Engine.Execution;
namespace KafkaMigrationPortal.Engine.Planning;

/// <summary>What the user asks for on the "new migration" form.</summary>
/// <param name="SourceAttachment">The attachment naming the add-on to migrate away from (usually <c>KAFKA</c>).</param>
/// <param name="ProducerProcessTypes">Confirmed by the user (<see cref="ProcessTypeRoles.Guess"/> proposes them).</param>
/// <param name="ConsumerGroups">Consumer groups the user (or a Kafka check) adds to those the data API lists; needed on dedicated sources, whose groups the data API does not manage.</param>
public sealed record MigrationRequest(
    string App,
    string SourceAttachment,
    string TargetPlan,
    MigrationStrategy Strategy,
    IReadOnlyList<string> ProducerProcessTypes,
    IReadOnlyList<string> ConsumerProcessTypes,
    TimeSpan RetentionMargin,
    IReadOnlyList<string>? ConsumerGroups = null,
    int RequiredApprovals = 1,
    MirrorEngine MirrorEngine = MirrorEngine.Portal)
{
    public const int MaxRequiredApprovals = 5;
}

/// <summary>An add-on attached to the app, with the names it is attached under in this app.</summary>
/// <param name="ServiceName">E.g. <c>heroku-kafka</c>, <c>heroku-postgresql</c>.</param>
/// <param name="Plan">E.g. <c>heroku-kafka:basic-0</c>.</param>
/// <param name="TopicPrefix">Multi-tenant Kafka only, read from cluster info; null otherwise or when unread.</param>
/// <param name="AlsoAttachedTo">Other apps the add-on is attached to (read for the source only); null when unread or none.</param>
public sealed record AppAddon(Guid Id, string Name, string ServiceName, string Plan, IReadOnlyList<string> AttachmentNames, string? TopicPrefix = null, IReadOnlyList<string>? AlsoAttachedTo = null)
{
    public bool IsKafka => ServiceName == KafkaPlans.ServiceName && KafkaPlans.IsKafkaPlan(Plan);

    public AddonSnapshot ToSnapshot() => new(Id, Name, Plan, AttachmentNames, TopicPrefix, AlsoAttachedTo);
}

/// <summary>A migration of the same app that has not finished.</summary>
public sealed record ActiveMigration(Guid RunId, string SourceAddon, string TargetPlan, MigrationRunStatus Status);

/// <summary>
/// A snapshot of everything <see cref="PlanValidator"/> looks at, so that validation is pure.
/// <see cref="PlanningContextReader"/> fills it from Heroku and the portal database.
/// </summary>
/// <param name="Formation">Quantity of each process type.</param>
/// <param name="SourceTopics">The source add-on's topics (unprefixed), empty when it could not be read.</param>
/// <param name="SourceConsumerGroups">Groups the data API lists for the source (unprefixed).</param>
/// <param name="TokenScopes">Scopes of the Heroku token the migration would run with (<c>global</c> for API keys).</param>
/// <param name="TargetLimits">The target plan's published limits: a preview, the target does not exist yet (the run
/// checks the target's reported limits again before creating topics).</param>
/// <param name="ReadProblems">What could not be read, in words fit for the user (no secrets).</param>
public sealed record PlanningContext(
    string App,
    bool AppExists,
    IReadOnlyList<AppAddon> Addons,
    IReadOnlyDictionary<string, int> Formation,
    IReadOnlyList<TopicSpec> SourceTopics,
    IReadOnlyList<string> SourceConsumerGroups,
    IReadOnlyList<ActiveMigration> ActiveMigrations,
    IReadOnlyCollection<string> TokenScopes,
    KafkaPlanLimits TargetLimits,
    IReadOnlyList<string> ReadProblems)
{
    /// <summary>The source cluster's own limits, as its cluster info reports them.</summary>
    public KafkaPlanLimits SourceLimits { get; init; } = KafkaPlanLimits.Unknown;

    /// <summary>The source's write rate and data held, compared with a target's quota and capacity.</summary>
    public SourceLoad SourceLoad { get; init; } = SourceLoad.Unknown;

    public static PlanningContext UnknownApp(string app, IReadOnlyList<ActiveMigration> active, IReadOnlyCollection<string> scopes) =>
        new(app, false, [], new Dictionary<string, int>(), [], [], active, scopes, KafkaPlanLimits.Unknown, []);
}

public static class MigrationRunStatuses
{
    /// <summary>Runs that hold the app: started (or about to be) and not finished.</summary>
    public static readonly MigrationRunStatus[] Active =
    [
        MigrationRunStatus.Planned,
        MigrationRunStatus.Running,
        MigrationRunStatus.Waiting,
        MigrationRunStatus.AwaitingApproval,
        MigrationRunStatus.Paused,
    ];
}

/// <summary>Guesses which process types produce and which consume from their names; the user confirms.</summary>
public static class ProcessTypeRoles
{
    private static readonly string[] ProducerHints = ["produc", "publish", "writer", "emit", "sender", "ingest"];
    private static readonly string[] ConsumerHints = ["consum", "subscrib", "reader", "listen", "receiv", "process", "sink"];

    public static (IReadOnlyList<string> Producers, IReadOnlyList<string> Consumers) Guess(IEnumerable<string> processTypes)
    {
        var types = processTypes.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        return (
            types.Where(t => ProducerHints.Any(h => t.Contains(h, StringComparison.OrdinalIgnoreCase))).ToList(),
            types.Where(t => ConsumerHints.Any(h => t.Contains(h, StringComparison.OrdinalIgnoreCase))).ToList());
    }
}
