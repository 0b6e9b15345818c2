namespace KafkaMigrationPortal.Engine.Execution;

/// <summary>A gated step of a run has begun to wait for approval.</summary>
public sealed record GateOpened(Guid RunId, int StepSequence);

/// <summary>
/// Told when a gate opens, so that the people who may approve it hear of it. Called from the engine's step: an
/// implementation only queues the telling (a slow mail server must not hold a run) and should not throw.
/// </summary>
public interface IGateNotifier
{
    Task GateOpenedAsync(GateOpened gate, CancellationToken ct);
}

/// <summary>Nobody is told (the engine on its own, and tests that do not care).</summary>
internal sealed class NoGateNotifier : IGateNotifier
{
    public Task GateOpenedAsync(GateOpened gate, CancellationToken ct) => Task.CompletedTask;
}
