using System.Collections.Concurrent;
using KafkaMigrationPortal.Sandbox.Kafka;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace KafkaMigrationPortal.Sandbox.Dynos;

/// <summary>
/// Runs each sandbox app's <c>producer</c> and <c>consumer</c> dynos. Requests for one app are applied one at a
/// time, in order, off the caller's thread; a burst of requests collapses into its latest.
/// </summary>
public sealed class DynoSupervisor(
    Ledger ledger,
    IOptions<DynoOptions> options,
    ILoggerFactory? loggerFactory = null,
    SandboxKafkaClusters? clusters = null,
    TimeProvider? time = null) : IDynoSupervisor, IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, AppDynos> _apps = new(StringComparer.Ordinal);
    private readonly ILoggerFactory _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private volatile bool _disposed;

    public void Reconcile(string app, IReadOnlyList<DynoSpec> desired) => _ = ReconcileAsync(app, desired);

    /// <summary>Like <see cref="Reconcile"/>; the task completes once the app's dynos match <paramref name="desired"/>.</summary>
    public Task ReconcileAsync(string app, IReadOnlyList<DynoSpec> desired)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _apps.GetOrAdd(app, name => new AppDynos(name, ledger, options.Value, clusters,
            _loggerFactory.CreateLogger($"{typeof(DynoSupervisor).FullName}.{name}"), _time)).Post(desired);
    }

    public void StopAll(string app) => _ = StopAllAsync(app);

    public Task StopAllAsync(string app) =>
        _apps.TryGetValue(app, out var dynos) ? dynos.Post([]) : Task.CompletedTask;

    public IReadOnlyList<DynoStatus> Dynos(string app) =>
        _apps.TryGetValue(app, out var dynos) ? dynos.Status() : [];

    /// <summary>Stops every dyno of every app gracefully (producers flush, consumers commit).</summary>
    public async Task StopEverythingAsync()
    {
        await Task.WhenAll(_apps.Values.Select(dynos => dynos.Post([])));
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        await StopEverythingAsync();
        _disposed = true;
    }
}
