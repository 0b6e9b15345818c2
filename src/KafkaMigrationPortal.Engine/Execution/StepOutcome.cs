namespace KafkaMigrationPortal.Engine.Execution;

/// <summary>How one execution of a step ended.</summary>
public abstract record StepOutcome
{
    /// <summary>The step's effect holds (now, or already did: reconciled). The run advances at once.</summary>
    public sealed record Done(string Summary) : StepOutcome;

    /// <summary>Not yet: the same step runs again at <paramref name="Until"/> (a scheduled job, never a sleeping one).</summary>
    public sealed record Wait(DateTimeOffset Until, string Reason) : StepOutcome;

    /// <summary>A check could not be made (brokers unreachable): a person must confirm the step's condition.</summary>
    public sealed record NeedsHuman(string Reason) : StepOutcome;

    /// <summary>The run pauses in a known state with this (secret-free) error shown; the next attempt reconciles first.</summary>
    public sealed record Failed(string Error) : StepOutcome;
}

/// <summary>Thrown by executors for a failure that retrying will not fix; the message is shown as is (no secrets).</summary>
public sealed class StepFailedException(string message) : Exception(message);
