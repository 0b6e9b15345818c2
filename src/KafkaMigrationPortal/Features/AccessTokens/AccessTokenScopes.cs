namespace KafkaMigrationPortal.Features.AccessTokens;

/// <summary>
/// What a personal access token may be used for. A scope only narrows: the token's owner still needs the role, and
/// the Heroku grant, the same command needs in the UI.
/// </summary>
public static class AccessTokenScopes
{
    /// <summary>Read runs, their steps, waits and events, and the approvals waiting for the owner.</summary>
    public const string Read = "read";

    /// <summary>Plan, start, abort and roll back migrations.</summary>
    public const string Operate = "operate";

    /// <summary>Approve and reject gated steps.</summary>
    public const string Approve = "approve";

    public static IReadOnlyList<string> All { get; } = [Read, Operate, Approve];
}
