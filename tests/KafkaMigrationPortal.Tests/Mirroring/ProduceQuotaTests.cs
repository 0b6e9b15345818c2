using KafkaMigrationPortal.Engine.Mirroring;
using Microsoft.Extensions.Time.Testing;

namespace KafkaMigrationPortal.Tests.Mirroring;

public sealed class ProduceQuotaTests
{
    private const long KB = 1024;

    [Fact]
    public void A_full_bucket_lets_the_burst_through_then_makes_the_next_record_wait_for_its_refill()
    {
        var time = new FakeTimeProvider();
        var quota = new ProduceQuota(64 * KB, time); // basic-0

        Assert.Equal(TimeSpan.Zero, quota.TryTake(32 * KB));
        Assert.Equal(TimeSpan.Zero, quota.TryTake(32 * KB));
        Assert.Equal(TimeSpan.FromSeconds(0.25), quota.TryTake(16 * KB));

        time.Advance(TimeSpan.FromSeconds(0.2));
        Assert.Equal(TimeSpan.FromSeconds(0.05), quota.TryTake(16 * KB));
        time.Advance(TimeSpan.FromSeconds(0.05));
        Assert.Equal(TimeSpan.Zero, quota.TryTake(16 * KB));
    }

    [Fact]
    public void An_idle_bucket_saves_up_no_more_than_its_burst()
    {
        var time = new FakeTimeProvider();
        var quota = new ProduceQuota(512 * KB, time, burstBytes: 100 * KB);
        time.Advance(TimeSpan.FromHours(1));

        Assert.Equal(TimeSpan.Zero, quota.TryTake(100 * KB));
        Assert.NotEqual(TimeSpan.Zero, quota.TryTake(1));
    }

    [Fact]
    public void A_record_larger_than_the_burst_waits_for_a_full_bucket_and_its_debt_delays_the_next()
    {
        var time = new FakeTimeProvider();
        var quota = new ProduceQuota(64 * KB, time);
        Assert.Equal(TimeSpan.Zero, quota.TryTake(10 * KB));

        Assert.Equal(TimeSpan.FromSeconds(10.0 / 64), quota.TryTake(128 * KB));
        time.Advance(TimeSpan.FromSeconds(10.0 / 64));
        Assert.Equal(TimeSpan.Zero, quota.TryTake(128 * KB));
        Assert.Equal(TimeSpan.FromSeconds(1 + 1.0 / 64), quota.TryTake(KB)); // 64 KB in debt, then 1 KB
    }

    [Theory]
    [InlineData(64 * KB, 1)]
    [InlineData(512 * KB, 2)]
    [InlineData(4096 * KB, 3)]
    public void Over_any_window_no_more_than_burst_plus_quota_times_its_length_goes_through_and_the_quota_is_used(long rate, int seed)
    {
        var time = new FakeTimeProvider();
        var quota = new ProduceQuota(rate, time);
        var random = new Random(seed);
        var taken = new List<(TimeSpan At, long Bytes)>();
        var start = time.GetUtcNow();
        var idle = TimeSpan.Zero;
        while (time.GetUtcNow() - start < TimeSpan.FromSeconds(60))
        {
            var bytes = random.Next(1, (int)Math.Min(rate, 200 * KB));
            TimeSpan wait;
            while ((wait = quota.TryTake(bytes)) > TimeSpan.Zero)
                time.Advance(random.Next(3) == 0 ? wait / 2 + TimeSpan.FromTicks(1) : wait);
            taken.Add((time.GetUtcNow() - start, bytes));
            if (random.Next(20) != 0) continue;
            var pause = TimeSpan.FromMilliseconds(random.Next(3000));
            time.Advance(pause);
            idle += pause;
        }

        for (var i = 0; i < taken.Count; i++)
        {
            long sum = 0;
            for (var j = i; j < taken.Count; j++)
            {
                sum += taken[j].Bytes;
                var allowed = quota.BurstBytes + rate * (taken[j].At - taken[i].At).TotalSeconds;
                Assert.True(sum <= allowed + 1, $"{sum} bytes between {taken[i].At} and {taken[j].At}, allowed {allowed:0}");
            }
        }
        // Not merely slow: outside the idle pauses it runs at the quota.
        var total = taken.Sum(t => t.Bytes);
        var busy = taken[^1].At - idle;
        Assert.True(total >= rate * busy.TotalSeconds * 0.95, $"only {total} bytes in {busy} busy at {rate} B/s");
    }

    [Fact]
    public async Task TakeAsync_waits_on_the_injected_clock()
    {
        var time = new FakeTimeProvider();
        var quota = new ProduceQuota(64 * KB, time);
        await quota.TakeAsync(64 * KB, CancellationToken.None);

        var pending = quota.TakeAsync(32 * KB, CancellationToken.None).AsTask();
        Assert.False(pending.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(0.4));
        Assert.False(pending.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(0.1));
        await pending.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.NotEqual(TimeSpan.Zero, quota.TryTake(1));
    }

    [Fact]
    public void A_plan_without_a_produce_quota_has_no_bucket()
    {
        Assert.Null(ProduceQuota.For(null, TimeProvider.System));
        Assert.Equal(4096 * KB, ProduceQuota.For(4096 * KB, TimeProvider.System)!.BytesPerSecond);
    }

    [Theory]
    [InlineData(12)]
    [InlineData(7)]
    [InlineData(1)]
    public void Workers_sharing_a_runs_partitions_never_take_more_than_the_targets_quota_together(int partitions)
    {
        const long quota = 64 * KB;
        Assert.Equal(quota, MirrorWorker.QuotaShare(quota, held: partitions, total: partitions));
        // Every way of splitting the partitions between up to three workers (leases never overlap).
        for (var first = 0; first <= partitions; first++)
        for (var second = 0; second <= partitions - first; second++)
        {
            var third = partitions - first - second;
            var shares = new[] { first, second, third }.Where(held => held > 0).Select(held => MirrorWorker.QuotaShare(quota, held, partitions)!.Value).ToList();
            Assert.True(shares.Sum() <= quota, $"{first}+{second}+{third} of {partitions}: {string.Join(" + ", shares)} > {quota}");
            Assert.All(shares, share => Assert.True(share > 0));
        }
        Assert.Equal(16 * KB, MirrorWorker.QuotaShare(quota, held: 3, total: 12));
        Assert.Null(MirrorWorker.QuotaShare(null, held: 3, total: 12)); // a dedicated target has no quota
    }
}
