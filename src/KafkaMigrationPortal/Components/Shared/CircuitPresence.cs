using Microsoft.AspNetCore.Components.Server.Circuits;

namespace KafkaMigrationPortal.Components.Shared;

/// <summary>
/// Whether the browser of this circuit is connected. Blazor keeps a disconnected circuit for minutes, its components
/// and their timers alive: services that read on a timer (the run page's re-read, the Kafka panel's cluster reads) wait
/// here instead, so nothing is read for a page nobody sees, and the read happens once the browser is back. Outside a
/// circuit (pre-rendering, tests) it is always connected.
/// </summary>
public sealed class CircuitPresence : CircuitHandler
{
    private readonly object gate = new();
    private TaskCompletionSource connected = Connected();
    private bool closed;

    public bool IsConnected
    {
        get
        {
            lock (gate) return connected.Task.IsCompleted && !closed;
        }
    }

    /// <summary>True once the browser is connected; false when the circuit has gone for good (nothing more to read).</summary>
    public async Task<bool> WaitUntilConnectedAsync(CancellationToken ct = default)
    {
        Task waiting;
        lock (gate)
        {
            if (closed) return false;
            waiting = connected.Task;
        }

        await waiting.WaitAsync(ct);
        lock (gate) return !closed;
    }

    public override Task OnConnectionDownAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            if (!closed && connected.Task.IsCompleted) connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        return Task.CompletedTask;
    }

    public override Task OnConnectionUpAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        lock (gate) connected.TrySetResult();
        return Task.CompletedTask;
    }

    public override Task OnCircuitClosedAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            closed = true;
            connected.TrySetResult();
        }

        return Task.CompletedTask;
    }

    private static TaskCompletionSource Connected()
    {
        var source = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        source.SetResult();
        return source;
    }

    public static IServiceCollection Register(IServiceCollection services) =>
        services.AddScoped<CircuitPresence>().AddScoped<CircuitHandler>(sp => sp.GetRequiredService<CircuitPresence>());
}
