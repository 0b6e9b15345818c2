using KafkaMigrationPortal.Engine.KafkaChecks;
using KafkaMigrationPortal.Engine.Mirroring;
using KafkaMigrationPortal.Engine.Planning;
using KafkaMigrationPortal.Heroku;
using Microsoft.Extensions.Options;

namespace KafkaMigrationPortal.Engine.Execution;

/// <summary>Builds the context one step runs (or previews its checks) in, acting with the run's own credential.</summary>
public sealed class StepContextFactory(
    IRunCredentialResolver credentials,
    IHerokuClientFactory clients,
    IKafkaInspector inspector,
    RunEventLog events,
    TimeProvider time,
    IOptions<ExecutionOptions> options,
    MirrorLeases mirror)
{
    /// <param name="save">Commits what the executor recorded on the run or step; null where nothing is saved (previews, commands).</param>
    public StepContext Create(MigrationRun run, RunStep step, MigrationPlan plan, Func<CancellationToken, Task>? save, CancellationToken ct)
    {
        var credential = credentials.ForRun(run);
        return new StepContext(run, step, plan, PlanSerialization.DeserializeAction(step.ActionJson), clients.Platform(credential),
            clients.Kafka(credential), inspector, events, time, options.Value, save ?? (_ => Task.CompletedTask), ct, mirror);
    }
}
