using KafkaMigrationPortal.Components.Shared;
using KafkaMigrationPortal.Engine.KafkaChecks;
using KafkaMigrationPortal.Engine.Execution;
using KafkaMigrationPortal.Engine.Planning;
using KafkaMigrationPortal.Heroku;
using KafkaMigrationPortal.Engine;

namespace KafkaMigrationPortal.Features.Migrations;

/// <summary>One cluster of a run as the Kafka panel shows it. <see cref="Problem"/> says why a figure is missing.</summary>
public sealed record ClusterReading(string Role, string AddonName, string? Attachment, LagSnapshot? Lag, WatermarkSnapshot? Watermarks, string? Problem);

/// <summary>What the Kafka panel shows at one moment: both clusters, and parity once double-writing has begun.</summary>
public sealed record KafkaPanelReading(DateTimeOffset At, IReadOnlyList<ClusterReading> Clusters, ParityVerdict? Parity, string? ParityProblem);

public interface IRunKafkaMonitor
{
    Task<QueryResult<KafkaPanelReading>> ReadAsync(RunDetails run, CancellationToken ct = default);
}

/// <summary>Reads lag, watermarks and parity of a run's two clusters through the inspector (GETs and Kafka reads only).</summary>
public sealed class RunKafkaMonitor(IRunCredentialResolver credentials, IHerokuClientFactory clients, IKafkaInspector inspector, TimeProvider time,
    CircuitPresence presence, ILogger<RunKafkaMonitor> logger) : IRunKafkaMonitor
{
    public async Task<QueryResult<KafkaPanelReading>> ReadAsync(RunDetails details, CancellationToken ct = default)
    {
        // The panel reads on a timer; no cluster is read for a browser that is away, nor after its circuit has gone.
        if (!await presence.WaitUntilConnectedAsync(ct)) return QueryResult<KafkaPanelReading>.Failed("The page has been closed.");
        var run = details.Run;
        var plan = details.Plan;
        try
        {
            var platform = clients.Platform(credentials.ForRun(run));
            var attachments = await platform.ListAttachmentsAsync(run.App, ct);
            var vars = await platform.GetConfigVarsAsync(run.App, ct);
            var topics = plan.Topics.Select(t => t.Name).ToList();
            var destroyed = details.Steps.Where(s => s.Status == RunStepStatus.Done)
                .Select(s => PlanSerialization.DeserializeAction(s.ActionJson)).OfType<DestroyAddon>().Select(d => d.Addon).ToHashSet();

            async Task<ClusterReading> ReadClusterAsync(string role, Guid? addonId, string addonName)
            {
                if (addonId is not { } id) return new(role, addonName, null, null, null, "Not created yet.");
                if (destroyed.Contains(role == "old" ? AddonRole.Source : AddonRole.Target))
                    return new(role, addonName, null, null, null, "Destroyed by this run: nothing left to read.");
                if (AttachmentNames.ToInspect(plan.PrimaryAttachment, attachments, id) is not { } name) return new(role, addonName, null, null, null, $"Not attached to {run.App}.");
                var attachment = new KafkaAttachmentVars(name, vars);
                var lag = inspector.GetLagAsync(attachment, plan.ConsumerGroups, topics, ct);
                var watermarks = inspector.GetWatermarksAsync(attachment, topics, ct);
                var (lagResult, watermarkResult) = (await lag, await watermarks);
                var problem = !lagResult.IsOk ? lagResult.Message : !watermarkResult.IsOk ? watermarkResult.Message : null;
                return new(role, addonName, name, lagResult.Value, watermarkResult.Value, problem);
            }

            var old = await ReadClusterAsync("old", run.SourceAddonId ?? plan.Source.Id, run.SourceAddon);
            var target = await ReadClusterAsync("new", run.TargetAddonId, run.TargetAddonName ?? $"new {run.TargetPlan} add-on");

            ParityVerdict? parity = null;
            string? parityProblem = null;
            if (run.DoubleWriteStartedAt is { } start && old.Attachment is { } oldAttachment)
            {
                var timed = plan.Topics.Where(t => t.RetentionTimeMs is not null).Select(t => t.Name).ToList();
                var result = await inspector.CheckParityAsync(new KafkaAttachmentVars(oldAttachment, vars), timed, start, ct);
                (parity, parityProblem) = (result.Value, result.IsOk ? null : result.Message);
            }

            return QueryResult<KafkaPanelReading>.Ok(new(time.GetUtcNow(), [old, target], parity, parityProblem));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Reading the Kafka panel of run {RunId} failed", run.Id);
            return QueryResult<KafkaPanelReading>.Failed($"The clusters could not be read: {ErrorText.Describe(e)}.");
        }
    }
}
