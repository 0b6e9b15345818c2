using KafkaMigrationPortal.Engine.Execution;
using KafkaMigrationPortal.Engine.KafkaChecks;
using KafkaMigrationPortal.Engine.Planning;
using KafkaMigrationPortal.Heroku;

namespace KafkaMigrationPortal.Engine.Mirroring;

/// <summary>The two clusters a run's mirror copies between, as the app's config vars reach them.</summary>
public sealed record MirrorEndpoints(KafkaAttachmentVars Source, KafkaAttachmentVars Target);

public interface IMirrorEndpointResolver
{
    Task<MirrorEndpoints> ResolveAsync(MigrationRun run, MigrationPlan plan, CancellationToken ct);
}

/// <summary>Reads both add-ons' attachments and config vars with the run's own credential, as the steps' Kafka checks do
/// (<see cref="StepContext.AttachmentVarsAsync"/>): whichever name each add-on is attached under at the time.</summary>
public sealed class HerokuMirrorEndpointResolver(IRunCredentialResolver credentials, IHerokuClientFactory clients) : IMirrorEndpointResolver
{
    public async Task<MirrorEndpoints> ResolveAsync(MigrationRun run, MigrationPlan plan, CancellationToken ct)
    {
        var platform = clients.Platform(credentials.ForRun(run));
        var attachments = await platform.ListAttachmentsAsync(run.App, ct);
        var vars = await platform.GetConfigVarsAsync(run.App, ct);
        var sourceId = run.SourceAddonId ?? plan.Source.Id;
        var targetId = run.TargetAddonId ?? throw new InvalidOperationException("The new add-on is not known yet.");
        string Name(Guid id, string which) => AttachmentNames.ToInspect(plan.PrimaryAttachment, attachments, id)
            ?? throw new InvalidOperationException($"The {which} add-on is not attached to {run.App}.");
        return new MirrorEndpoints(new KafkaAttachmentVars(Name(sourceId, "old"), vars), new KafkaAttachmentVars(Name(targetId, "new"), vars));
    }
}
