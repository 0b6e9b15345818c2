using System.Reflection;

namespace KafkaMigrationPortal.Heroku;

/// <summary>Settings of the Heroku clients, bound from the configuration section <c>Heroku</c>.</summary>
public sealed class HerokuClientOptions
{
    public const string SectionName = "Heroku";

    /// <summary>Platform API root; point it at the sandbox to run without Heroku.</summary>
    public Uri PlatformApiBaseUrl { get; set; } = new("https://api.heroku.com");

    /// <summary>Kafka data API root (the one the <c>heroku kafka:*</c> CLI plugin uses).</summary>
    public Uri KafkaApiBaseUrl { get; set; } = new("https://api.data.heroku.com");

    public string UserAgent { get; set; } = $"KafkaMigrationPortal/{PortalVersion}";

    /// <summary>Time allowed for one HTTP attempt, pagination and retries included in <see cref="TotalTimeout"/>.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromMinutes(3);

    /// <summary>Retries of idempotent calls (GET, PUT, PATCH, DELETE) on transient failures; POST is never retried.</summary>
    public int MaxRetryAttempts { get; set; } = 3;

    /// <summary>Base of the exponential, jittered retry delay.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    public HerokuRateLimitOptions RateLimit { get; set; } = new();

    internal static string PortalVersion =>
        typeof(HerokuClientOptions).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? typeof(HerokuClientOptions).Assembly.GetName().Version?.ToString() ?? "0";
}

/// <summary>
/// How callers are slowed down before Heroku answers 429. Heroku refills about 75 request tokens a minute; below
/// <see cref="SlowDownBelow"/> remaining tokens, calls sharing a budget are spaced <see cref="RefillInterval"/> apart,
/// so spending never outruns the refill.
/// </summary>
public sealed class HerokuRateLimitOptions
{
    public int SlowDownBelow { get; set; } = 200;

    public TimeSpan RefillInterval { get; set; } = TimeSpan.FromMilliseconds(800);

    /// <summary>Times a 429 answer is waited out and the request re-sent before the error reaches the caller.</summary>
    public int MaxTooManyRequestsRetries { get; set; } = 3;

    /// <summary>Upper bound of any single wait (Retry-After included).</summary>
    public TimeSpan MaxWait { get; set; } = TimeSpan.FromMinutes(1);
}
