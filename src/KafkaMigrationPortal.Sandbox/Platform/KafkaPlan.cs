namespace KafkaMigrationPortal.Sandbox.Platform;

/// <summary>An Apache Kafka on Heroku plan as the sandbox models it (facts: heroku-apis.md §4).</summary>
/// <param name="MinRetentionMs">The shortest topic retention the plan accepts; null on the sandbox-only plans, which
/// take <see cref="SandboxOptions.MinimumRetention"/> (seconds) so that a demo's retention wait lasts minutes.</param>
internal sealed record KafkaPlan(
    Guid Id,
    string Name,
    bool MultiTenant,
    int Cents,
    int MaxTopics,
    int MaxPartitionReplicas,
    long DataSizeBytes,
    long MaxRetentionMs,
    int MinReplicationFactor,
    int MaxReplicationFactor,
    int MaxTotalPartitions,
    long? ProduceQuotaBytesPerSecond = null,
    long? ConsumeQuotaBytesPerSecond = null,
    long? MinRetentionMs = 24 * 3600 * 1000)
{

    public const int MaxPartitionsPerTopic = 256;

    public const string ServiceName = "heroku-kafka";

    public static readonly Guid ServiceId = Guid.Parse("7e7a4b1c-5e1d-4f0a-9b8c-6b6b1a1a0001");

    private const long GiB = 1024L * 1024 * 1024;
    private const long Day = 24L * 3600 * 1000;
    private const long KiB = 1024;
    private const long Hour = 3600 * 1000;
    private const long Dedicated = 6 * Hour;

    private static readonly KafkaPlan[] RealPlans =
    [
        // Dev Center: basic 4/32/64 GB, 240/480/960 partitions, produce 64/512/4096 KB/s, consume 256/2048/16384 KB/s;
        // standard: replication at most 3, retention 6 h to 2 weeks, 12,000 partitions; extended: 8, 6 weeks, 32,000.
        // Basic plans' minimum retention is not published: the sandbox takes the 24 h of the CLI's help text ("at least
        // 24h"), the stricter of the two figures on record. max_partition_replica_count is not published: partitions × 3.
        new(PlanId(1), "heroku-kafka:basic-0", true, 10000, 40, 720, 4 * GiB, 7 * Day, 3, 3, 240, 64 * KiB, 256 * KiB),
        new(PlanId(2), "heroku-kafka:basic-1", true, 20000, 50, 1440, 32 * GiB, 7 * Day, 3, 3, 480, 512 * KiB, 2048 * KiB),
        new(PlanId(3), "heroku-kafka:basic-2", true, 40000, 60, 2880, 64 * GiB, 7 * Day, 3, 3, 960, 4096 * KiB, 16384 * KiB),
        new(PlanId(4), "heroku-kafka:standard-0", false, 150000, 1000, 36000, 150 * GiB, 14 * Day, 3, 3, 12000, MinRetentionMs: Dedicated),
        new(PlanId(5), "heroku-kafka:standard-1", false, 180000, 1000, 36000, 300 * GiB, 14 * Day, 3, 3, 12000, MinRetentionMs: Dedicated),
        new(PlanId(6), "heroku-kafka:standard-2", false, 360000, 1000, 36000, 900 * GiB, 14 * Day, 3, 3, 12000, MinRetentionMs: Dedicated),
        new(PlanId(7), "heroku-kafka:extended-0", false, 300000, 2000, 96000, 400 * GiB, 42 * Day, 3, 8, 32000, MinRetentionMs: Dedicated),
        new(PlanId(8), "heroku-kafka:extended-1", false, 360000, 2000, 96000, 800 * GiB, 42 * Day, 3, 8, 32000, MinRetentionMs: Dedicated),
        new(PlanId(9), "heroku-kafka:extended-2", false, 720000, 2000, 96000, 2400 * GiB, 42 * Day, 3, 8, 32000, MinRetentionMs: Dedicated),
    ];

    /// <summary>Heroku's plans, then the sandbox-only twins of basic-0 and standard-0: free, and with a minimum
    /// retention of seconds (the demo app's add-on sits on one); every real plan keeps Heroku's limits.</summary>
    private static readonly KafkaPlan[] Plans =
    [
        .. RealPlans,
        Twin("heroku-kafka:basic-0", PlanId(10), SandboxBasic),
        Twin("heroku-kafka:standard-0", PlanId(11), SandboxStandard),
    ];

    /// <summary>The demo app's source plan.</summary>
    public const string SandboxBasic = "heroku-kafka:basic-0-sandbox";

    public const string SandboxStandard = "heroku-kafka:standard-0-sandbox";

    public static KafkaPlan? Find(string? planName)
    {
        if (string.IsNullOrWhiteSpace(planName))
        {
            return null;
        }

        var name = planName.Trim();
        if (string.Equals(name, ServiceName, StringComparison.Ordinal))
        {
            name = "heroku-kafka:basic-0";
        }

        return Plans.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.Ordinal) || p.Id.ToString() == name);
    }

    private static KafkaPlan Twin(string real, Guid id, string name) =>
        RealPlans.Single(p => p.Name == real) with { Id = id, Name = name, Cents = 0, MinRetentionMs = null };

    private static Guid PlanId(int n) => Guid.Parse($"7e7a4b1c-5e1d-4f0a-9b8c-6b6b1a1a{n + 1000:D4}");
}
