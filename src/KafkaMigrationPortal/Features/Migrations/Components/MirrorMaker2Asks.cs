using KafkaMigrationPortal.Engine.Execution;
using KafkaMigrationPortal.Engine.Planning;

namespace KafkaMigrationPortal.Features.Migrations.Components;

/// <summary>What a run whose records MirrorMaker 2 copies waits for the team to do with it now.</summary>
public enum MirrorMaker2Ask
{
    Start,
    Stop,
}

public static class MirrorMaker2Asks
{
    /// <summary>Start while its start step is under way, stop while a stop step (forward or a rollback's) is; else null.</summary>
    public static MirrorMaker2Ask? Of(RunDetails details) =>
        details.Plan.MirrorEngine == MirrorEngine.MirrorMaker2
        && MigrationRunStatuses.Active.Contains(details.Run.Status)
        && details.CurrentStep is { Status: RunStepStatus.Running or RunStepStatus.Waiting or RunStepStatus.NeedsHumanConfirmation } step
            ? PlanSerialization.DeserializeAction(step.ActionJson) switch
            {
                StartMirror => MirrorMaker2Ask.Start,
                StopMirror => MirrorMaker2Ask.Stop,
                _ => null,
            }
            : null;
}
