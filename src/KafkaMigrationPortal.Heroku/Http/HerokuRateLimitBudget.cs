using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace KafkaMigrationPortal.Heroku.Http;

/// <summary>
/// The request budget Heroku reports in <c>RateLimit-Remaining</c>, shared by every client of the same account
/// (a singleton keyed by API host and credential description). Below <see cref="HerokuRateLimitOptions.SlowDownBelow"/>
/// calls are handed out slots <see cref="HerokuRateLimitOptions.RefillInterval"/> apart, so the portal slows down
/// before Heroku answers 429; after a 429 everyone waits until the back-off has passed.
/// </summary>
public sealed class HerokuRateLimitBudget(IOptions<HerokuClientOptions> options, TimeProvider time, ILogger<HerokuRateLimitBudget> logger)
{
    private sealed class Account
    {
        public int? Remaining;
        public DateTimeOffset NextSlot;
        public DateTimeOffset BlockedUntil;
    }

    private readonly ConcurrentDictionary<string, Account> accounts = new();
    private HerokuRateLimitOptions Policy => options.Value.RateLimit;

    /// <summary>The last <c>RateLimit-Remaining</c> seen for this budget, if any.</summary>
    public int? Remaining(string budgetKey) => accounts.TryGetValue(budgetKey, out var a) ? a.Remaining : null;

    public void Observe(string budgetKey, int remaining)
    {
        var account = accounts.GetOrAdd(budgetKey, _ => new Account());
        lock (account) account.Remaining = remaining;
    }

    /// <summary>How long the next call must wait before it is sent; reserves its slot.</summary>
    public TimeSpan ReserveDelay(string budgetKey)
    {
        var account = accounts.GetOrAdd(budgetKey, _ => new Account());
        var now = time.GetUtcNow();
        lock (account)
        {
            var start = account.BlockedUntil > now ? account.BlockedUntil : now;
            if (account.Remaining is { } remaining && remaining < Policy.SlowDownBelow)
            {
                if (account.NextSlot > start) start = account.NextSlot;
                account.NextSlot = start + Policy.RefillInterval;
            }
            var delay = start - now;
            if (delay > TimeSpan.Zero)
                logger.LogInformation("Heroku rate-limit budget low ({Remaining} remaining): delaying a call by {DelayMs} ms",
                    account.Remaining, (long)delay.TotalMilliseconds);
            return delay > Policy.MaxWait ? Policy.MaxWait : delay;
        }
    }

    /// <summary>Records a 429 and returns how long to wait: Retry-After when Heroku gives one, else enough refill
    /// intervals to earn back a few tokens, growing with each consecutive 429.</summary>
    public TimeSpan OnTooManyRequests(string budgetKey, TimeSpan? retryAfter, int attempt)
    {
        var account = accounts.GetOrAdd(budgetKey, _ => new Account());
        var wait = retryAfter ?? Policy.RefillInterval * Math.Pow(2, attempt + 1);
        if (wait > Policy.MaxWait) wait = Policy.MaxWait;
        if (wait < TimeSpan.Zero) wait = TimeSpan.Zero;
        lock (account)
        {
            account.Remaining = 0;
            var until = time.GetUtcNow() + wait;
            if (until > account.BlockedUntil) account.BlockedUntil = until;
        }
        logger.LogWarning("Heroku answered 429 rate_limit: waiting {WaitMs} ms before trying again", (long)wait.TotalMilliseconds);
        return wait;
    }
}
