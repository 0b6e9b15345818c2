using KafkaMigrationPortal.Engine.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace KafkaMigrationPortal.Engine.Execution;

/// <summary>
/// A claim on one run, held in the run's own row: a conditional UPDATE takes it only when it is free or expired, so
/// across every portal process (and both database providers) at most one holder executes a step of a run at a time.
/// </summary>
public sealed class RunLease(IDbContextFactory<PortalDbContext> contexts, TimeProvider time, IOptions<ExecutionOptions> options)
{
    public const string JobPurpose = "job";

    public static string NewOwner(string purpose) =>
        $"{purpose}:{Environment.GetEnvironmentVariable("DYNO") ?? Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}";

    /// <summary>Who holds the run now, or null when nobody does (free, or the last claim ran out).</summary>
    public async Task<LeaseHolder?> HolderAsync(Guid runId, CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        await using var db = await contexts.CreateDbContextAsync(ct);
        var claim = await db.MigrationRuns.AsNoTracking().Where(r => r.Id == runId)
            .Select(r => new { r.LeaseOwner, r.LeaseExpiresAt }).FirstOrDefaultAsync(ct);
        return claim is { LeaseOwner: { } owner, LeaseExpiresAt: { } expires } && expires >= now ? new LeaseHolder(owner, expires) : null;
    }

    public async Task<bool> TryAcquireAsync(Guid runId, string owner, CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        var expires = now + options.Value.LeaseDuration;
        await using var db = await contexts.CreateDbContextAsync(ct);
        var taken = await db.MigrationRuns
            .Where(r => r.Id == runId && (r.LeaseOwner == null || r.LeaseOwner == owner || r.LeaseExpiresAt == null || r.LeaseExpiresAt < now))
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.LeaseOwner, owner).SetProperty(r => r.LeaseExpiresAt, expires), ct);
        return taken == 1;
    }

    /// <summary>Waits (polling) up to <paramref name="within"/> for the run to be free, e.g. while a step finishes.</summary>
    public async Task<bool> AcquireAsync(Guid runId, string owner, TimeSpan within, CancellationToken ct = default)
    {
        var until = time.GetUtcNow() + within;
        var delay = TimeSpan.FromMilliseconds(25);
        while (true)
        {
            if (await TryAcquireAsync(runId, owner, ct)) return true;
            if (time.GetUtcNow() >= until) return false;
            await Task.Delay(delay, time, ct);
            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 500));
        }
    }

    /// <summary>Extends the claim; false when it was lost (expired and taken by another holder).</summary>
    public async Task<bool> RenewAsync(Guid runId, string owner, CancellationToken ct = default)
    {
        var expires = time.GetUtcNow() + options.Value.LeaseDuration;
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await db.MigrationRuns.Where(r => r.Id == runId && r.LeaseOwner == owner)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.LeaseExpiresAt, expires), ct) == 1;
    }

    public async Task ReleaseAsync(Guid runId, string owner)
    {
        await using var db = await contexts.CreateDbContextAsync();
        await db.MigrationRuns.Where(r => r.Id == runId && r.LeaseOwner == owner)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.LeaseOwner, (string?)null).SetProperty(r => r.LeaseExpiresAt, (DateTimeOffset?)null));
    }

    /// <summary>
    /// Holds the lease while <paramref name="work"/> runs, renewing it every third of its duration. If renewal fails the
    /// token given to the work is cancelled so that it stops before another holder starts.
    /// </summary>
    public async Task<T> HoldAsync<T>(Guid runId, string owner, Func<CancellationToken, Task<T>> work, CancellationToken ct)
    {
        using var lost = CancellationTokenSource.CreateLinkedTokenSource(ct);
        using var stopRenewing = new CancellationTokenSource();
        var renewal = RenewLoopAsync(runId, owner, lost, stopRenewing.Token);
        try
        {
            return await work(lost.Token);
        }
        finally
        {
            await stopRenewing.CancelAsync();
            await renewal;
            await ReleaseAsync(runId, owner);
        }
    }

    private async Task RenewLoopAsync(Guid runId, string owner, CancellationTokenSource lost, CancellationToken stop)
    {
        var every = options.Value.LeaseDuration / 3;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                await Task.Delay(every, time, stop);
                if (!await RenewAsync(runId, owner, stop))
                {
                    await lost.CancelAsync();
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception)
        {
            // The database did not answer: better to stop the step than to risk a second holder.
            await lost.CancelAsync();
        }
    }
}

/// <param name="Owner">As <see cref="RunLease.NewOwner"/> made it: purpose, dyno, process id, claim id.</param>
public sealed record LeaseHolder(string Owner, DateTimeOffset ExpiresAt)
{
    /// <summary>An engine job, which queues the run's next job itself when it lets go of the run.</summary>
    public bool IsJob => Owner.StartsWith(RunLease.JobPurpose + ":", StringComparison.Ordinal);
}
