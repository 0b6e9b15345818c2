using KafkaMigrationPortal.Components.Shared;
using KafkaMigrationPortal.Engine.KafkaChecks;
using KafkaMigrationPortal.Engine.Execution;
using KafkaMigrationPortal.Engine.Mirroring;
using KafkaMigrationPortal.Engine.Planning;
using KafkaMigrationPortal.Heroku;
using KafkaMigrationPortal.Engine;

namespace KafkaMigrationPortal.Features.Migrations;

/// <summary>One cluster of a run as the Kafka panel shows it. <see cref="Problem"/> says why a figure is missing.</summary>
public sealed record ClusterReading(string Role, string AddonName, string? Attachment, LagSnapshot? Lag, WatermarkSnapshot? Watermarks, string? Problem);

/// <summary>What the Kafka panel shows at one moment: both clusters, parity once double-writing has begun, and a mirror
/// run's copy per topic once its mirror has partitions.</summary>
public sealed record KafkaPanelReading(DateTimeOffset At, IReadOnlyList<ClusterReading> Clusters, ParityVerdict? Parity, string? ParityProblem,
    IReadOnlyList<MirrorTopicProgress>? Mirror = null);

/// <summary>How far the mirror has copied one topic, summed over its partitions as the workers last wrote them.</summary>
/// <param name="Lag">Records the copy still lacks, against the source ends the copiers last saw.</param>
/// <param name="Copying">Partitions a worker holds a lease on.</param>
public sealed record MirrorTopicProgress(string Topic, int Partitions, int Copying, long Copied, long SourceEnd, long Lag, double RecordsPerSecond)
{
    /// <summary>Share of the source's end offsets copied, 0 to 1 (1 for an empty topic).</summary>
    public double Fraction => SourceEnd == 0 ? 1 : Math.Clamp((double)Copied / SourceEnd, 0, 1);

    /// <summary>Time to copy the lag at the current rate; null while nothing is being copied.</summary>
    public TimeSpan? Eta => Lag == 0 ? TimeSpan.Zero : RecordsPerSecond > 0 ? TimeSpan.FromSeconds(Lag / RecordsPerSecond) : null;

    public static IReadOnlyList<MirrorTopicProgress> Of(IEnumerable<MirrorPartitionLease> partitions, DateTimeOffset now) =>
        [.. partitions.GroupBy(p => p.Topic, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new MirrorTopicProgress(g.Key, g.Count(), g.Count(p => p.Owner is not null && p.ExpiresAt > now),
                g.Sum(p => p.CopiedOffset), g.Sum(p => p.SourceEnd ?? p.CopiedOffset), g.Sum(p => p.Lag), g.Sum(p => p.RecordsPerSecond)))];
}

public interface IRunKafkaMonitor
{
    Task<QueryResult<KafkaPanelReading>> ReadAsync(RunDetails run, CancellationToken ct = default);
}

/// <summary>Reads lag, watermarks and parity of a run's two clusters through the inspector (GETs and Kafka reads only).</summary>
public sealed class RunKafkaMonitor(IRunCredentialResolver credentials, IHerokuClientFactory clients, IKafkaInspector inspector, TimeProvider time,
    CircuitPresence presence, MirrorLeases mirrorLeases, ILogger<RunKafkaMonitor> logger) : IRunKafkaMonitor
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

            var mirror = run.Strategy == MigrationStrategy.Mirror
                ? MirrorTopicProgress.Of(await mirrorLeases.PartitionsAsync(run.Id, ct), time.GetUtcNow())
                : null;
            return QueryResult<KafkaPanelReading>.Ok(new(time.GetUtcNow(), [old, target], parity, parityProblem, mirror));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Reading the Kafka panel of run {RunId} failed", run.Id);
            return QueryResult<KafkaPanelReading>.Failed($"The clusters could not be read: {ErrorText.Describe(e)}.");
        }
    }
}
