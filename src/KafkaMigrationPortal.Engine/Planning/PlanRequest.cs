namespace KafkaMigrationPortal.Engine.Planning;

/// <summary>
/// Everything <see cref="MigrationPlanBuilder"/> needs, read off Heroku and confirmed by the user
/// (<see cref="PlanValidator"/> produces one from a valid request).
/// </summary>
/// <param name="App">The Heroku app's name.</param>
/// <param name="Source">The add-on being migrated away from.</param>
/// <param name="TargetPlan">E.g. <c>heroku-kafka:standard-0</c> (or <c>standard-0</c>).</param>
/// <param name="TargetMultiTenant">Whether the target plan prefixes names (basic plans).</param>
/// <param name="Formation">Current quantity of each process type.</param>
/// <param name="Topics">The source's topics, unprefixed, with the retention read from each topic.</param>
/// <param name="ConsumerGroups">The source's consumer groups (prefixed or not: the source prefix is stripped).</param>
/// <param name="RetentionMargin">Added to the largest retention before consumers switch in double-write.</param>
/// <param name="SourceAttachment">The attachment the app reads by default; the target takes it over.</param>
public sealed record PlanRequest(
    string App,
    AddonSnapshot Source,
    string TargetPlan,
    bool TargetMultiTenant,
    MigrationStrategy Strategy,
    IReadOnlyList<string> ProducerProcessTypes,
    IReadOnlyList<string> ConsumerProcessTypes,
    IReadOnlyDictionary<string, int> Formation,
    IReadOnlyList<TopicSpec> Topics,
    IReadOnlyList<string> ConsumerGroups,
    TimeSpan RetentionMargin,
    string SourceAttachment = AttachmentNames.Primary)
{
    /// <summary>How long the old cluster's watermarks must stand still before it counts as no longer written to.</summary>
    public TimeSpan StrayWriteWindow { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Mirror: the most records any partition may still have to copy when the cutover is offered.</summary>
    public long MirrorCaughtUpRecords { get; init; } = 1000;

    /// <summary>Mirror: the longest the copy of what is left may take, at the measured rate, when the cutover is offered;
    /// it bounds the final drain, and so the downtime.</summary>
    public TimeSpan MirrorCaughtUpLag { get; init; } = DefaultMirrorCaughtUpLag;

    /// <summary>Mirror: what copies the records.</summary>
    public MirrorEngine MirrorEngine { get; init; } = MirrorEngine.Portal;

    public static readonly TimeSpan DefaultMirrorCaughtUpLag = TimeSpan.FromSeconds(30);

    /// <summary>How long the steps that wait on Heroku take where the plan runs (the sandbox is faster).</summary>
    public PlanTimings Timings { get; init; } = PlanTimings.Heroku;
}
