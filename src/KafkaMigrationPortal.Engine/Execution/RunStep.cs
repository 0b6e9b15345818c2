using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace KafkaMigrationPortal.Engine.Execution;

public enum RunStepKind
{
    /// <summary>A step of the plan.</summary>
    Forward,

    /// <summary>A compensating action appended by a rollback.</summary>
    Compensation,
}

public enum RunStepStatus
{
    Pending,
    Running,

    /// <summary>A durable wait: a job is scheduled for <see cref="RunStep.WaitUntil"/>.</summary>
    Waiting,
    AwaitingApproval,
    Done,
    Failed,
    Skipped,
    RolledBack,

    /// <summary>A Kafka check could not reach the brokers: a person confirms instead (audited).</summary>
    NeedsHumanConfirmation,
}

/// <summary>One step of one run: a plan step, or a compensating action of a rollback.</summary>
public sealed class RunStep
{
    public long Id { get; set; }

    public Guid RunId { get; set; }

    /// <summary>Order of execution within the run; plan steps keep their plan index, compensations follow them.</summary>
    public int Sequence { get; set; }

    public RunStepKind Kind { get; set; }

    /// <summary>The plan step this is (forward) or undoes (compensation).</summary>
    public int PlanStepIndex { get; set; }

    public required string Title { get; set; }

    /// <summary>The <see cref="Planning.StepAction"/> as JSON.</summary>
    public required string ActionJson { get; set; }

    public bool RequiresApproval { get; set; }

    public bool PointOfNoReturn { get; set; }

    public RunStepStatus Status { get; set; }

    public DateTimeOffset? StartedAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }

    public DateTimeOffset? WaitUntil { get; set; }

    public string? WaitReason { get; set; }

    /// <summary>How many times an executor ran this step (a re-run after a crash counts).</summary>
    public int Attempts { get; set; }

    /// <summary>Consecutive transient failures (429, 5xx, timeouts), reset when the step makes progress.</summary>
    public int TransientFailures { get; set; }

    public string? Outcome { get; set; }

    public string? Error { get; set; }

    /// <summary>What a multi-check step remembers between its jobs (previous snapshot, consecutive passes), as JSON.</summary>
    public string? CheckStateJson { get; set; }

    /// <summary>The forward step marked as the point of no return, once it has been tried: after it a run can only be aborted.</summary>
    public static RunStep? PassedPointOfNoReturn(IEnumerable<RunStep> steps) =>
        steps.FirstOrDefault(s => s.Kind == RunStepKind.Forward && s.PointOfNoReturn && (s.Attempts > 0 || s.Status == RunStepStatus.Done));
}

internal sealed class RunStepConfiguration : IEntityTypeConfiguration<RunStep>
{
    public void Configure(EntityTypeBuilder<RunStep> step)
    {
        step.HasIndex(s => new { s.RunId, s.Sequence }).IsUnique();
        step.Property(s => s.Kind).HasConversion<string>().HasMaxLength(20);
        step.Property(s => s.Status).HasConversion<string>().HasMaxLength(40);
        step.Property(s => s.Title).HasMaxLength(400);
        step.Property(s => s.WaitReason).HasMaxLength(1000);
        step.Property(s => s.Outcome).HasMaxLength(4000);
        step.Property(s => s.Error).HasMaxLength(4000);
    }
}
