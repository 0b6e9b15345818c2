using KafkaMigrationPortal.Heroku;

namespace KafkaMigrationPortal.Engine.Execution;

/// <summary>Which Heroku credential a run's steps act with; recorded (by description) with the run and shown.</summary>
public interface IRunCredentialResolver
{
    /// <summary>The credential that will execute a run started by <paramref name="startedBy"/>.</summary>
    IHerokuCredential ForNewRun(RunActor startedBy);

    IHerokuCredential ForRun(MigrationRun run);
}
