using System.Text.Json.Nodes;
using KafkaMigrationPortal.Sandbox.Dynos;
using KafkaMigrationPortal.Sandbox.Http;
using KafkaMigrationPortal.Sandbox.Kafka;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace KafkaMigrationPortal.Sandbox.Platform;

/// <summary>
/// The simulated Heroku: apps, add-ons, attachments, config vars, releases, formation and the Kafka data API state,
/// behind one lock. Kafka clusters and dynos live outside it (<see cref="ISandboxKafkaClusters"/>,
/// <see cref="IDynoSupervisor"/>); dynos are reconciled after every release and formation change, outside the lock.
/// </summary>
public sealed partial class HerokuSandbox : IDisposable
{
    private readonly object _gate = new();
    private readonly object _reconcileGate = new();
    private readonly SandboxOptions _options;
    private readonly ISandboxKafkaClusters? _clusters;
    private readonly IDynoSupervisor? _dynos;
    private readonly TimeProvider _time;
    private readonly ILogger<HerokuSandbox> _logger;

    private readonly Dictionary<Guid, AppRecord> _apps = [];
    private readonly Dictionary<Guid, AddonRecord> _addons = [];
    private readonly Dictionary<Guid, AttachmentRecord> _attachments = [];
    private readonly Dictionary<Guid, RateLimitBucket> _rateLimits = [];
    private readonly List<(long Sequence, string App, IReadOnlyList<DynoSpec> Desired)> _pendingReconciles = [];
    private readonly Dictionary<string, long> _appliedReconciles = new(StringComparer.Ordinal);
    private readonly DateTimeOffset _accountsCreatedAt;
    private long _reconcileSequence;
    private int _generation;
    private bool _initialized;
    private bool _disposed;

    public HerokuSandbox(
        IOptions<SandboxOptions> options,
        ISandboxKafkaClusters? clusters = null,
        IDynoSupervisor? dynos = null,
        TimeProvider? time = null,
        ILogger<HerokuSandbox>? logger = null)
    {
        _options = options.Value;
        _clusters = clusters;
        _dynos = dynos;
        _time = time ?? TimeProvider.System;
        _logger = logger ?? NullLogger<HerokuSandbox>.Instance;
        _accountsCreatedAt = _time.GetUtcNow().AddDays(-30);
    }

    public SandboxOptions Options => _options;

    internal DateTimeOffset Now => _time.GetUtcNow();

    /// <summary>The sandbox's clock: injected latency and every expiry in the simulation run on it.</summary>
    internal TimeProvider Time => _time;

    /// <summary>Seeds the demo account on first use (or at host start-up).</summary>
    public void EnsureInitialized() => Mutate(() => 0);

    /// <summary>
    /// Forgets every app and add-on, stops their dynos and waits until they have stopped, runs
    /// <paramref name="whileStopped"/> (nothing of the old apps runs then, and nothing new has started), destroys their
    /// clusters and seeds again.
    /// </summary>
    public async Task ResetAsync(Action? whileStopped = null)
    {
        List<string> appNames;
        List<Guid> clusterIds;
        lock (_gate)
        {
            appNames = [.. _apps.Values.Select(a => a.Name)];
            clusterIds = [.. _addons.Values.Where(a => a.Credentials is not null).Select(a => a.Id)];
            _apps.Clear();
            _addons.Clear();
            _attachments.Clear();
            _rateLimits.Clear();
            _pendingReconciles.Clear();
            _generation++;
            _initialized = false;
        }

        List<Task> stopped;
        lock (_reconcileGate)
        {
            stopped = [.. appNames.Select(app => _dynos?.StopAllAsync(app) ?? Task.CompletedTask)];
            _appliedReconciles.Clear();
        }

        await Task.WhenAll(stopped);
        whileStopped?.Invoke();
        foreach (var id in clusterIds)
        {
            _clusters?.Destroy(id);
        }

        EnsureInitialized();
    }

    /// <summary>Runs a state change under the lock, then hands the dyno supervisor the desired states it produced.</summary>
    private T Mutate<T>(Func<T> change)
    {
        T result;
        List<(long Sequence, string App, IReadOnlyList<DynoSpec> Desired)> reconciles;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_initialized)
            {
                _initialized = true;
                SeedTeamsLocked();
                if (_options.SeedDemo)
                {
                    SeedDemoLocked();
                }
            }

            result = change();
            reconciles = [.. _pendingReconciles];
            _pendingReconciles.Clear();
        }

        if (reconciles.Count > 0 && _dynos is not null)
        {
            lock (_reconcileGate)
            {
                foreach (var (sequence, app, desired) in reconciles)
                {
                    // Two callers may leave the main lock out of order; never apply an older desired state over a newer one.
                    if (_appliedReconciles.TryGetValue(app, out var applied) && applied >= sequence)
                    {
                        continue;
                    }

                    _appliedReconciles[app] = sequence;
                    try
                    {
                        _dynos.Reconcile(app, desired);
                    }
                    catch (Exception e)
                    {
                        _logger.LogError(e, "Dyno supervisor failed to reconcile app {App}", app);
                    }
                }
            }
        }

        return result;
    }

    private void QueueReconcileLocked(AppRecord app)
    {
        var current = app.Releases.Count > 0 ? app.Releases[^1].Version : 0;
        var vars = new Dictionary<string, string>(app.ConfigVars, StringComparer.Ordinal);
        IReadOnlyList<DynoSpec> desired =
            [.. app.Formation.Select(f => new DynoSpec(app.Name, f.Type, f.Quantity, vars, current))];
        _pendingReconciles.Add((++_reconcileSequence, app.Name, desired));
    }

    /// <summary>Records a new release of the app's current config vars and restarts its dynos, as Heroku does.</summary>
    private ReleaseRecord ReleaseLocked(AppRecord app, string description, SandboxUser user)
    {
        var now = Now;
        var release = new ReleaseRecord(
            Guid.NewGuid(),
            app.Releases.Count == 0 ? 1 : app.Releases[^1].Version + 1,
            description,
            now,
            user,
            [.. _addons.Values.Where(a => a.App == app && a.State != AddonStates.Deprovisioned).Select(a => a.Plan.Name).Distinct()],
            new Dictionary<string, string>(app.ConfigVars, StringComparer.Ordinal));
        app.Releases.Add(release);
        app.ReleasedAt = now;
        app.UpdatedAt = now;
        QueueReconcileLocked(app);
        return release;
    }

    private AppRecord FindAppLocked(SandboxCaller caller, string idOrName)
    {
        var app = _apps.Values.FirstOrDefault(a =>
            string.Equals(a.Name, idOrName, StringComparison.Ordinal) || a.Id.ToString() == idOrName.ToLowerInvariant())
            ?? throw SandboxApiException.NotFound("Couldn't find that app.");
        if (!app.IsAccessibleBy(caller.User))
        {
            throw SandboxApiException.Forbidden($"You do not have access to the app {app.Name}.");
        }

        return app;
    }

    private AppRecord CreateAppLocked(string name, SandboxUser owner, params SandboxUser[] collaborators)
    {
        var app = new AppRecord(Guid.NewGuid(), name, owner, Now);
        foreach (var collaborator in collaborators)
        {
            app.Collaborators.Add(collaborator.Id);
        }

        _apps.Add(app.Id, app);
        ReleaseLocked(app, "Initial release", owner);
        return app;
    }

    private void AddProcessTypeLocked(AppRecord app, string type, string command, int quantity) =>
        app.Formation.Add(new FormationRecord(Guid.NewGuid(), type, command, quantity, Now));

    /// <summary>Spends one request of the caller's budget; answers what is left, like <c>RateLimit-Remaining</c>.</summary>
    public int ConsumeRateLimit(SandboxUser user, bool free)
    {
        lock (_gate)
        {
            if (!_rateLimits.TryGetValue(user.Id, out var bucket))
            {
                bucket = new RateLimitBucket(_options.RateLimitPool, Now);
                _rateLimits.Add(user.Id, bucket);
            }

            var remaining = bucket.Refill(Now, _options.RateLimitPool, _options.RateLimitRefillPerMinute);
            if (free)
            {
                return remaining;
            }

            if (remaining <= 0)
            {
                throw SandboxApiException.RateLimit();
            }

            return bucket.Spend();
        }
    }

    public int RemainingRateLimit(SandboxUser user)
    {
        lock (_gate)
        {
            return _rateLimits.TryGetValue(user.Id, out var bucket)
                ? bucket.Refill(Now, _options.RateLimitPool, _options.RateLimitRefillPerMinute)
                : _options.RateLimitPool;
        }
    }

    public JsonObject GetAccount(SandboxCaller caller) =>
        Mutate(() => HerokuJson.Account(caller.User, _accountsCreatedAt, Now));

    public JsonObject GetRateLimits(SandboxCaller caller) =>
        new() { ["remaining"] = RemainingRateLimit(caller.User) };

    public void Dispose()
    {
        List<string> appNames;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _generation++;
            appNames = [.. _apps.Values.Select(a => a.Name)];
        }

        lock (_reconcileGate)
        {
            foreach (var app in appNames)
            {
                try
                {
                    _dynos?.StopAll(app);
                }
                catch (Exception e)
                {
                    _logger.LogWarning(e, "Stopping the dynos of {App} failed", app);
                }
            }
        }
    }

    private sealed class RateLimitBucket(int tokens, DateTimeOffset refilledAt)
    {
        private double _tokens = tokens;
        private DateTimeOffset _refilledAt = refilledAt;

        public int Refill(DateTimeOffset now, int pool, double perMinute)
        {
            var elapsed = (now - _refilledAt).TotalMinutes;
            if (elapsed > 0)
            {
                _tokens = Math.Min(pool, _tokens + elapsed * perMinute);
                _refilledAt = now;
            }

            return (int)Math.Floor(_tokens);
        }

        public int Spend()
        {
            _tokens -= 1;
            return (int)Math.Floor(_tokens);
        }
    }
}
