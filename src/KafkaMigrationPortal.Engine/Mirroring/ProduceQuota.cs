namespace KafkaMigrationPortal.Engine.Mirroring;

/// <summary>
/// A token bucket in bytes: <paramref name="bytesPerSecond"/> refill, at most <paramref name="burstBytes"/> saved up
/// (default: one second's worth). Over any window of length T it lets through at most burst + quota × T bytes, so
/// a target's produce quota (measured by the broker over windows of about a second) is not exceeded on average over
/// any window longer than the burst. A record larger than the burst waits for a full bucket and then leaves it in
/// debt, which later takes pay back.
/// </summary>
public sealed class ProduceQuota
{
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private double _tokens;
    private long _refilledAt;

    public ProduceQuota(long bytesPerSecond, TimeProvider time, long? burstBytes = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bytesPerSecond);
        if (burstBytes is <= 0) throw new ArgumentOutOfRangeException(nameof(burstBytes));
        BytesPerSecond = bytesPerSecond;
        BurstBytes = burstBytes ?? bytesPerSecond;
        _time = time;
        _tokens = BurstBytes;
        _refilledAt = time.GetTimestamp();
    }

    public long BytesPerSecond { get; }

    public long BurstBytes { get; }

    /// <summary>The produce quota of a multi-tenant plan, e.g. <c>KafkaPlanLimits.ProduceQuotaBytesPerSecond</c>; null without one.</summary>
    public static ProduceQuota? For(long? bytesPerSecond, TimeProvider time) =>
        bytesPerSecond is > 0 and var quota ? new ProduceQuota(quota, time) : null;

    /// <summary>Takes <paramref name="bytes"/> if the bucket holds them (or, for an oversized record, is full).</summary>
    /// <returns>Zero when taken; otherwise how long to wait before trying again.</returns>
    public TimeSpan TryTake(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        lock (_lock)
        {
            Refill();
            var needed = Math.Min(bytes, BurstBytes);
            if (_tokens >= needed)
            {
                _tokens -= bytes;
                return TimeSpan.Zero;
            }
            // Round up so that the caller never wakes a tick too early and spins.
            var seconds = (needed - _tokens) / BytesPerSecond;
            return TimeSpan.FromTicks(Math.Max(1, (long)Math.Ceiling(seconds * TimeSpan.TicksPerSecond)));
        }
    }

    public async ValueTask TakeAsync(long bytes, CancellationToken ct)
    {
        for (var wait = TryTake(bytes); wait > TimeSpan.Zero; wait = TryTake(bytes))
            await Task.Delay(wait, _time, ct);
    }

    /// <summary>For the copier's own (non-pool) thread: blocks until taken.</summary>
    public void Take(long bytes, CancellationToken ct)
    {
        for (var wait = TryTake(bytes); wait > TimeSpan.Zero; wait = TryTake(bytes))
            Task.Delay(wait, _time, ct).GetAwaiter().GetResult();
    }

    private void Refill()
    {
        var now = _time.GetTimestamp();
        var elapsed = (double)(now - _refilledAt) / _time.TimestampFrequency;
        _refilledAt = now;
        _tokens = Math.Min(BurstBytes, _tokens + elapsed * BytesPerSecond);
    }
}
