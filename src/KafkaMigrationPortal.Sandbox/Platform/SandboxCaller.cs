namespace KafkaMigrationPortal.Sandbox.Platform;

/// <summary>Who made an API call, and with which OAuth scopes (<c>global</c> for API keys).</summary>
public sealed record SandboxCaller(SandboxUser User, IReadOnlySet<string> Scopes)
{
    public static SandboxCaller Global(SandboxUser user) => new(user, new HashSet<string>(StringComparer.Ordinal) { "global" });
}
