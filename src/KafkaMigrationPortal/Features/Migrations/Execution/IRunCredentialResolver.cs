using KafkaMigrationPortal.Features.Connections;
using KafkaMigrationPortal.Heroku;

namespace KafkaMigrationPortal.Features.Migrations.Execution;

/// <summary>
/// Which Heroku credential a run's steps act with. Today the portal's own connection; once per-user sign-in exists, the
/// starter's refreshed OAuth grant plugs in here without touching the engine.
/// </summary>
public interface IRunCredentialResolver
{
    /// <summary>The credential that will execute a run started by <paramref name="startedBy"/>; recorded (by description) with the run.</summary>
    IHerokuCredential ForNewRun(string startedBy);

    IHerokuCredential ForRun(MigrationRun run);
}

public sealed class PortalConnectionCredentialResolver(HerokuConnection connection) : IRunCredentialResolver
{
    public IHerokuCredential ForNewRun(string startedBy) => connection.Credential;

    public IHerokuCredential ForRun(MigrationRun run) => connection.Credential;
}
