using System.Diagnostics.CodeAnalysis;

namespace KafkaMigrationPortal.Engine.KafkaChecks;

/// <summary>How a check against a cluster ended. Only <see cref="Ok"/> carries a value.</summary>
public enum KafkaCheckOutcome
{
    Ok,

    /// <summary>
    /// No broker answered within the connect timeout: typically a Private Space whose brokers only its own dynos
    /// reach. The step that needed the check becomes an audited human confirmation.
    /// </summary>
    Unreachable,

    /// <summary>The attachment's config vars do not describe a usable Kafka add-on (the message names the vars).</summary>
    Misconfigured,

    /// <summary>The brokers answered, but not with what the check needs (unknown topic, broker error, timeout).</summary>
    Failed,
}

/// <summary>
/// A check's result: a value when <see cref="Outcome"/> is <see cref="KafkaCheckOutcome.Ok"/>, otherwise a message for
/// a human. Messages name attachments, topics and error codes, never config var values (URLs, certificates, keys).
/// </summary>
public sealed record KafkaCheckResult<T>(KafkaCheckOutcome Outcome, T? Value, string? Message) where T : class
{
    [MemberNotNullWhen(true, nameof(Value))]
    public bool IsOk => Outcome == KafkaCheckOutcome.Ok && Value is not null;

    /// <summary>The value, or an exception carrying the (secret-free) message.</summary>
    public T Require() => IsOk ? Value : throw new KafkaCheckFailedException(Outcome, Message ?? Outcome.ToString());

    public static KafkaCheckResult<T> Ok(T value) => new(KafkaCheckOutcome.Ok, value, null);

    public static KafkaCheckResult<T> NotOk(KafkaCheckOutcome outcome, string message) =>
        outcome == KafkaCheckOutcome.Ok
            ? throw new ArgumentOutOfRangeException(nameof(outcome), "A result without a value cannot be Ok.")
            : new(outcome, null, message);

    public KafkaCheckResult<TOther> WithoutValue<TOther>() where TOther : class =>
        IsOk ? throw new InvalidOperationException("An Ok result has a value to carry.") : new(Outcome, null, Message);
}

public sealed class KafkaCheckFailedException(KafkaCheckOutcome outcome, string message) : Exception(message)
{
    public KafkaCheckOutcome Outcome { get; } = outcome;
}

/// <summary>
/// An add-on as an app sees it: the attachment name (<c>KAFKA</c>, <c>OLD_KAFKA</c>, ...) and the app's config vars,
/// from which <see cref="AppClient.HerokuKafkaAttachment"/> reads URL, certificates and prefix.
/// </summary>
public sealed record KafkaAttachmentVars(string AttachmentName, IReadOnlyDictionary<string, string> ConfigVars)
{
    // The config vars hold certificates and keys: never print them.
    public override string ToString() => $"{nameof(KafkaAttachmentVars)} {{ AttachmentName = {AttachmentName} }}";
}
