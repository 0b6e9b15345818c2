namespace KafkaMigrationPortal.Sandbox;

/// <summary>Settings of one simulated Heroku. Defaults aim at a newcomer trying the portal, not at Heroku's real limits.</summary>
public sealed class SandboxOptions
{
    /// <summary>Seeds the demo account (app <c>mackerel</c> with a Kafka add-on and traffic).</summary>
    public bool SeedDemo { get; set; } = true;

    /// <summary>How long a new add-on stays <c>provisioning</c>. Zero provisions inside the create call.</summary>
    public TimeSpan ProvisioningDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a topic created through the data API is listed with <c>partitions: 0</c> before it exists on the brokers
    /// (Heroku creates topics asynchronously; clients fail on it until then). Zero creates it inside the call.
    /// </summary>
    public TimeSpan TopicReadyDelay { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>How long a consumer group created through the data API takes to appear in the list. Zero: at once.</summary>
    public TimeSpan ConsumerGroupReadyDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The HTTP status that comes with <c>confirmation_required</c>: the heroku CLI's fixtures show 423 (add-on creation)
    /// and 400 (attach); clients must key on the error id alone. Only 400 and 423 are accepted.
    /// </summary>
    public int ConfirmationRequiredStatus { get; set; } = 423;

    /// <summary>How long a destroyed add-on stays <c>deprovisioning</c> (still listed and attached, its cluster still up)
    /// before it is gone (404) and its attachments' config vars leave in a release, as Heroku destroys add-ons in the
    /// background. Zero destroys inside the call.</summary>
    public TimeSpan DeprovisioningDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Mock brokers behind each Kafka add-on.</summary>
    public int BrokersPerCluster { get; set; } = 3;

    /// <summary>Smallest topic retention the sandbox-only plans accept (reported in their cluster limits), so that
    /// retention waits can be exercised in seconds. Every real plan keeps Heroku's minimum (hours).</summary>
    public TimeSpan MinimumRetention { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Plans (full names, e.g. <c>heroku-kafka:basic-0</c>) whose clusters report
    /// <c>capabilities.supports_mixed_cleanup_policy: false</c> and refuse compaction with time retention. Heroku does not
    /// publish which plans lack it, so by default none does.</summary>
    public List<string> PlansWithoutMixedCleanupPolicy { get; set; } = [];

    /// <summary>Retention of topics created without <c>retention_time_ms</c>.</summary>
    public TimeSpan DefaultRetention { get; set; } = TimeSpan.FromHours(24);

    /// <summary>The plan of the demo app's Kafka add-on (a full name, e.g. <c>heroku-kafka:standard-0</c> for a dedicated
    /// source); by default the sandbox-only twin of basic-0, whose short minimum retention keeps demo waits short.</summary>
    public string DemoAddonPlan { get; set; } = Platform.KafkaPlan.SandboxBasic;

    /// <summary>Retention of the seeded demo topics: short, so that a demo double-write run waits minutes, not a day.</summary>
    public TimeSpan DemoTopicRetention { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Size of each account's request budget and its refill rate, as Heroku's rate limiter.</summary>
    public int RateLimitPool { get; set; } = 4500;

    public double RateLimitRefillPerMinute { get; set; } = 75;

    public int DefaultPageSize { get; set; } = 200;

    public int MaxPageSize { get; set; } = 1000;

    /// <summary>Lifetime of access tokens issued by the OAuth token endpoint (Heroku: 8 hours).</summary>
    public TimeSpan OAuthAccessTokenLifetime { get; set; } = TimeSpan.FromHours(8);

    /// <summary>OAuth clients allowed at the authorize endpoint: client id → client secret.</summary>
    public Dictionary<string, string> OAuthClients { get; set; } = new(StringComparer.Ordinal)
    {
        [SandboxUsers.PortalOAuthClientId] = SandboxUsers.PortalOAuthClientSecret,
    };

    /// <summary>Faults in force when the sandbox starts; change them per run at <c>PUT /_sandbox/faults</c>.</summary>
    public SandboxFaults Faults { get; set; } = new();
}

/// <summary>Fault injection for one run.</summary>
/// <param name="RateLimitShare">Share (0..1) of API calls answered 429 <c>rate_limit</c>.</param>
/// <param name="ServerErrorShare">Share (0..1) of API calls answered 500 <c>internal_server_error</c>.</param>
/// <param name="LatencyMs">Added to every API call.</param>
/// <param name="FailingPlans">Add-ons created with one of these plans fail to provision (end <c>deprovisioned</c>).</param>
/// <param name="FailingAddonNames">Add-ons created with one of these names fail to provision.</param>
/// <param name="Seed">Seed of the random draw deciding which calls fail, for reproducible runs.</param>
public sealed record SandboxFaults(
    double RateLimitShare = 0,
    double ServerErrorShare = 0,
    int LatencyMs = 0,
    IReadOnlyList<string>? FailingPlans = null,
    IReadOnlyList<string>? FailingAddonNames = null,
    int? Seed = null)
{
    public IReadOnlyList<string> FailingPlans { get; init; } = FailingPlans ?? [];

    public IReadOnlyList<string> FailingAddonNames { get; init; } = FailingAddonNames ?? [];
}
