namespace KafkaMigrationPortal.Engine;

/// <summary>What a service answers to the UI: a value, or a message fit to show a person.</summary>
public sealed record QueryResult<T>
{
    private QueryResult(T? value, string? error, string? errorCode) => (Value, Error, ErrorCode) = (value, error, errorCode);

    public T? Value { get; }

    public string? Error { get; }

    /// <summary>Which of the <see cref="Refusals"/> the error is, where the service knows it.</summary>
    public string? ErrorCode { get; }

    public bool Succeeded => Error is null;

    public static QueryResult<T> Ok(T value) => new(value, null, null);

    public static QueryResult<T> Failed(string error, string? errorCode = null) => new(default, error, errorCode);
}
