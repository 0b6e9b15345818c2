using KafkaMigrationPortal.Engine.Planning;

namespace KafkaMigrationPortal.Engine.Execution;

/// <summary>
/// Executes one kind of <see cref="StepAction"/>. Every executor first reconciles with live state: if the effect already
/// holds it says so and changes nothing, which makes re-running a step after a crash harmless.
/// </summary>
public interface IStepExecutor
{
    Type ActionType { get; }

    Task<StepOutcome> ExecuteAsync(StepContext context);
}

public abstract class StepExecutor<TAction> : IStepExecutor where TAction : StepAction
{
    public Type ActionType => typeof(TAction);

    public Task<StepOutcome> ExecuteAsync(StepContext context) => ExecuteAsync(context, (TAction)context.Action);

    protected abstract Task<StepOutcome> ExecuteAsync(StepContext context, TAction action);

    protected static StepOutcome Done(string summary) => new StepOutcome.Done(summary);

    protected static StepOutcome Wait(StepContext context, TimeSpan after, string reason) => new StepOutcome.Wait(context.Now + after, reason);

    protected static StepOutcome Failed(string error) => new StepOutcome.Failed(error);

    protected static string Role(AddonRole role) => role == AddonRole.Source ? "old add-on" : "new add-on";
}

public sealed class StepExecutors(IEnumerable<IStepExecutor> executors)
{
    private readonly Dictionary<Type, IStepExecutor> byAction = executors.ToDictionary(e => e.ActionType);

    public IStepExecutor For(StepAction action) =>
        byAction.TryGetValue(action.GetType(), out var executor)
            ? executor
            : throw new StepFailedException($"The engine cannot execute a {action.GetType().Name} step.");
}
