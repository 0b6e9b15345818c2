using KafkaMigrationPortal.Engine.Storage;

namespace KafkaMigrationPortal.Features.Jobs;

/// <summary>
/// What this process does. <c>web</c> serves the UI and runs a job server too; <c>worker</c> runs only the job
/// server, so Heroku's formation can scale the two separately (Procfile: <c>web</c> and <c>worker</c>).
/// </summary>
public enum PortalRole
{
    Web,
    Worker,
}

public static class PortalRoles
{
    public const string EnvironmentVariable = "PORTAL_ROLE";

    /// <summary>Reads <c>--role web|worker</c> from the arguments, else <c>PORTAL_ROLE</c>, else web.</summary>
    public static PortalRole From(string[] args, Func<string, string?> environment)
    {
        var index = Array.IndexOf(args, "--role");
        var value = index >= 0 && index + 1 < args.Length ? args[index + 1] : environment(EnvironmentVariable);
        return value?.Trim().ToLowerInvariant() switch
        {
            null or "" or "web" => PortalRole.Web,
            "worker" => PortalRole.Worker,
            _ => throw new PortalConfigurationException($"Unknown role '{value}' (from --role or {EnvironmentVariable}): use web or worker"),
        };
    }
}
