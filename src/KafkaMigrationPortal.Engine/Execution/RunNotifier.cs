using System.Collections.Concurrent;

namespace KafkaMigrationPortal.Engine.Execution;

/// <summary>Something changed on a run: a new event, a status change. Carries ids only; read the run for details.</summary>
public sealed record RunChange(Guid RunId, string Kind, int? EventSequence);

/// <summary>
/// Fan-out of run changes, e.g. for a live timeline. On PostgreSQL (<see cref="PostgresRunNotifier"/>) changes made by
/// other processes arrive too, within moments; on SQLite (<see cref="RunNotifier"/>) only this process's.
/// </summary>
public interface IRunNotifier
{
    /// <summary>Calls <paramref name="onChange"/> for every change (of <paramref name="runId"/> only, when given) until disposed.</summary>
    IDisposable Subscribe(Guid? runId, Action<RunChange> onChange);

    void Publish(RunChange change);
}

/// <summary>In-process fan-out: the notifier on SQLite, and the local half of <see cref="PostgresRunNotifier"/>.</summary>
public sealed class RunNotifier(ILogger<RunNotifier> logger) : IRunNotifier
{
    private readonly ConcurrentDictionary<Guid, (Guid? RunId, Action<RunChange> OnChange)> subscribers = new();

    public IDisposable Subscribe(Guid? runId, Action<RunChange> onChange)
    {
        var id = Guid.NewGuid();
        subscribers[id] = (runId, onChange);
        return new Subscription(() => subscribers.TryRemove(id, out _));
    }

    public void Publish(RunChange change)
    {
        foreach (var (_, (runId, onChange)) in subscribers)
        {
            if (runId is not null && runId != change.RunId) continue;
            try
            {
                onChange(change);
            }
            catch (Exception e)
            {
                // A broken subscriber (e.g. a closed browser tab) must not stop the engine.
                logger.LogWarning(e, "A run change subscriber failed");
            }
        }
    }

    private sealed class Subscription(Action dispose) : IDisposable
    {
        private int disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref disposed, 1) == 0) dispose();
        }
    }
}
