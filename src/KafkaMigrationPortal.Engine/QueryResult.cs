namespace KafkaMigrationPortal.Engine;

/// <summary>What a service answers to the UI: a value, or a message fit to show a person.</summary>
public sealed record QueryResult<T>
{
    private QueryResult(T? value, string? error) => (Value, Error) = (value, error);

    public T? Value { get; }

    public string? Error { get; }

    public bool Succeeded => Error is null;

    public static QueryResult<T> Ok(T value) => new(value, null);

    public static QueryResult<T> Failed(string error) => new(default, error);
}
