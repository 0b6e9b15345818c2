using KafkaMigrationPortal.Engine.Execution;
using Microsoft.Extensions.DependencyInjection;

namespace KafkaMigrationPortal.Tests.Execution;

/// <summary>
/// Wraps one of the engine's step executors. Once armed, the first job to enter it stays inside until the test releases
/// it, so every other contender tries the run while its step is provably being executed. Later entrants pass through:
/// with a broken lease they run the step themselves, and <see cref="Entries"/> says so.
/// </summary>
public sealed class FirstEntrantHold
{
    private readonly TaskCompletionSource entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool armed;
    private int entries;

    /// <summary>How many executions entered the wrapped executor since it was armed.</summary>
    public int Entries => Volatile.Read(ref entries);

    /// <summary>Completes when the first entrant is inside the step.</summary>
    public Task Entered => entered.Task;

    public void Arm() => armed = true;

    public void Release() => released.TrySetResult();

    /// <summary>Puts the hold in front of <typeparamref name="TExecutor"/> in the engine's services.</summary>
    public void Wrap<TExecutor>(IServiceCollection services) where TExecutor : class, IStepExecutor
    {
        services.Remove(services.Single(d => d.ServiceType == typeof(IStepExecutor) && d.ImplementationType == typeof(TExecutor)));
        services.AddSingleton<IStepExecutor>(sp => new Held(ActivatorUtilities.CreateInstance<TExecutor>(sp), this));
    }

    private async Task EnterAsync(CancellationToken ct)
    {
        if (!armed || Interlocked.Increment(ref entries) > 1) return;
        entered.TrySetResult();
        await released.Task.WaitAsync(ct);
    }

    private sealed class Held(IStepExecutor inner, FirstEntrantHold hold) : IStepExecutor
    {
        public Type ActionType => inner.ActionType;

        public async Task<StepOutcome> ExecuteAsync(StepContext context)
        {
            await hold.EnterAsync(context.CancellationToken);
            return await inner.ExecuteAsync(context);
        }
    }
}
