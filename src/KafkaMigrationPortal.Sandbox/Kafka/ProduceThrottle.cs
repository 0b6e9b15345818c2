namespace KafkaMigrationPortal.Sandbox.Kafka;

/// <summary>
/// A cluster's produce quota: Heroku's multi-tenant plans cap the bytes per second a cluster accepts (Dev Center:
/// 64 / 512 / 4096 KB/s for basic-0/1/2), and Kafka enforces a quota by holding clients back. The mock brokers have no
/// quotas, so the TLS fronts of a cluster share one of these and hold back Produce requests beyond it: the same effect
/// on throughput, a request delayed instead of its response. A second's worth may come at once.
/// </summary>
public sealed class ProduceThrottle(TimeProvider time)
{
    private static readonly TimeSpan Burst = TimeSpan.FromSeconds(1);

    private readonly Lock gate = new();
    private DateTimeOffset booked = DateTimeOffset.MinValue;

    /// <summary>Null or zero: no quota (dedicated plans).</summary>
    public long? BytesPerSecond { get; set; }

    /// <summary>Books <paramref name="bytes"/> against the quota and says how long the request must wait before it goes.</summary>
    public TimeSpan Reserve(int bytes)
    {
        if (BytesPerSecond is not ({ } rate and > 0)) return TimeSpan.Zero;
        lock (gate)
        {
            var now = time.GetUtcNow();
            var from = booked > now - Burst ? booked : now - Burst;
            booked = from + TimeSpan.FromSeconds((double)bytes / rate);
            var wait = booked - now - Burst;
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }
    }
}
