using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace KafkaMigrationPortal.Engine.Execution;

/// <summary>
/// One line of a run's append-only event log: who or what did what, when, and with which result. Request and result
/// are summaries written by the engine with secrets left out (<see cref="Redaction"/>).
/// </summary>
public sealed class RunEvent
{
    public const string EngineActor = "engine";

    public long Id { get; set; }

    public Guid RunId { get; set; }

    /// <summary>1, 2, 3, ... within the run.</summary>
    public int Sequence { get; set; }

    public DateTimeOffset At { get; set; }

    /// <summary>A user id or e-mail, or <see cref="EngineActor"/>.</summary>
    public required string Actor { get; set; }

    /// <summary>See <see cref="RunEventKinds"/>.</summary>
    public required string Kind { get; set; }

    /// <summary>The step concerned, if any.</summary>
    public int? StepSequence { get; set; }

    public required string Summary { get; set; }

    public string? Request { get; set; }

    public string? Result { get; set; }

    /// <summary>For calls: whether Heroku (or the cluster) answered with success; null for intents and plain events.</summary>
    public bool? Succeeded { get; set; }
}

public static class RunEventKinds
{
    public const string RunStarted = "run-started";
    public const string StepStarted = "step-started";
    public const string StepDone = "step-done";
    public const string StepWaiting = "step-waiting";
    public const string StepFailed = "step-failed";
    public const string StepRetrying = "step-retrying";
    public const string StepAwaitingApproval = "step-awaiting-approval";
    public const string StepNeedsConfirmation = "step-needs-confirmation";
    public const string Reconciled = "reconciled";
    public const string HerokuCallIntent = "heroku-call";
    public const string HerokuCallResult = "heroku-result";
    public const string KafkaCheck = "kafka-check";
    public const string Recorded = "recorded";
    public const string Approved = "approved";
    public const string Rejected = "rejected";
    public const string ApprovalRefused = "approval-refused";
    public const string ConfirmedManually = "confirmed-manually";
    public const string Resumed = "resumed";
    public const string RollbackStarted = "rollback-started";
    public const string Aborted = "aborted";
    public const string RunSucceeded = "run-succeeded";
    public const string RunRolledBack = "run-rolled-back";
}

internal sealed class RunEventConfiguration : IEntityTypeConfiguration<RunEvent>
{
    public void Configure(EntityTypeBuilder<RunEvent> e)
    {
        e.HasIndex(x => new { x.RunId, x.Sequence }).IsUnique();
        e.Property(x => x.Actor).HasMaxLength(320);
        e.Property(x => x.Kind).HasMaxLength(60);
        e.Property(x => x.Summary).HasMaxLength(2000);
        e.HasOne<MigrationRun>().WithMany().HasForeignKey(x => x.RunId).OnDelete(DeleteBehavior.Cascade);
    }
}
