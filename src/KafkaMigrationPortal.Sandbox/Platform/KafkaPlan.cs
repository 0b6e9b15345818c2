namespace KafkaMigrationPortal.Sandbox.Platform;

/// <summary>An Apache Kafka on Heroku plan as the sandbox models it (facts: heroku-apis.md §4).</summary>
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
    int MaxReplicationFactor)
{
    public const string ServiceName = "heroku-kafka";

    public static readonly Guid ServiceId = Guid.Parse("7e7a4b1c-5e1d-4f0a-9b8c-6b6b1a1a0001");

    private const long GiB = 1024L * 1024 * 1024;
    private const long Day = 24L * 3600 * 1000;

    private static readonly KafkaPlan[] Plans =
    [
        new(PlanId(1), "heroku-kafka:basic-0", true, 10000, 40, 240, 4 * GiB, 7 * Day, 3, 3),
        new(PlanId(2), "heroku-kafka:basic-1", true, 20000, 50, 480, 32 * GiB, 7 * Day, 3, 3),
        new(PlanId(3), "heroku-kafka:basic-2", true, 40000, 60, 960, 64 * GiB, 7 * Day, 3, 3),
        new(PlanId(4), "heroku-kafka:standard-0", false, 150000, 1000, 4000, 150 * GiB, 14 * Day, 3, 8),
        new(PlanId(5), "heroku-kafka:standard-1", false, 180000, 1000, 4000, 300 * GiB, 14 * Day, 3, 8),
        new(PlanId(6), "heroku-kafka:standard-2", false, 360000, 1000, 4000, 900 * GiB, 14 * Day, 3, 8),
        new(PlanId(7), "heroku-kafka:extended-0", false, 300000, 2000, 8000, 400 * GiB, 42 * Day, 3, 8),
        new(PlanId(8), "heroku-kafka:extended-1", false, 360000, 2000, 8000, 800 * GiB, 42 * Day, 3, 8),
        new(PlanId(9), "heroku-kafka:extended-2", false, 720000, 2000, 8000, 2400 * GiB, 42 * Day, 3, 8),
    ];

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

    private static Guid PlanId(int n) => Guid.Parse($"7e7a4b1c-5e1d-4f0a-9b8c-6b6b1a1a{n + 1000:D4}");
}
