namespace KafkaMigrationPortal.Heroku;

/// <summary>
/// Where a Heroku bearer token comes from. Implementations may refresh OAuth tokens; the token is asked for on every
/// request, so message handlers (which outlive any DI scope) never hold one.
/// </summary>
public interface IHerokuCredential
{
    /// <summary>Non-secret text naming whose credential this is (e.g. "HEROKU_API_KEY" or an e-mail); shown in the
    /// UI and used to share one rate-limit budget between clients of the same account.</summary>
    string Description { get; }

    ValueTask<string> GetAccessTokenAsync(CancellationToken cancellationToken);
}

/// <summary>A fixed token, e.g. an API key from <c>HEROKU_API_KEY</c>.</summary>
public sealed class StaticTokenCredential : IHerokuCredential
{
    private readonly string token;

    public StaticTokenCredential(string token, string description)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(token);
        this.token = token;
        Description = description;
    }

    public string Description { get; }

    public ValueTask<string> GetAccessTokenAsync(CancellationToken cancellationToken) => ValueTask.FromResult(token);

    /// <summary>The credential in <paramref name="variable"/>, or null when it is unset or empty.</summary>
    public static StaticTokenCredential? FromEnvironment(string variable = "HEROKU_API_KEY") =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value ? new StaticTokenCredential(value, variable) : null;

    public override string ToString() => $"Heroku credential ({Description})";
}
