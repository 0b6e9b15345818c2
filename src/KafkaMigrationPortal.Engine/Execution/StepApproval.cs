using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace KafkaMigrationPortal.Engine.Execution;

public enum ApprovalDecision
{
    Approve,
    Reject,
}

/// <summary>A decision on a gated step, with the live checks the approver saw at that moment.</summary>
public sealed class StepApproval
{
    public long Id { get; set; }

    public Guid RunId { get; set; }

    public int StepSequence { get; set; }

    public required string Approver { get; set; }

    /// <summary>The portal user who decided, where it was one; approvals count distinct people by it.</summary>
    public Guid? ApproverUserId { get; set; }

    /// <summary>Set when the decision was given while the portal could not make its live checks (brokers unreachable):
    /// the approver vouched for the state without the portal confirming it.</summary>
    public bool ChecksUnavailable { get; set; }

    public ApprovalDecision Decision { get; set; }

    public string? Comment { get; set; }

    public DateTimeOffset At { get; set; }

    /// <summary>The <see cref="LiveCheck"/>s run when the decision was given, as JSON.</summary>
    public required string ChecksJson { get; set; }

    /// <summary>After this an approval no longer counts (live state may have moved on); null = never.</summary>
    public DateTimeOffset? ExpiresAt { get; set; }
}

internal sealed class StepApprovalConfiguration : IEntityTypeConfiguration<StepApproval>
{
    public void Configure(EntityTypeBuilder<StepApproval> a)
    {
        a.HasIndex(x => new { x.RunId, x.StepSequence });
        a.Property(x => x.Approver).HasMaxLength(320);
        a.Property(x => x.Decision).HasConversion<string>().HasMaxLength(20);
        a.Property(x => x.Comment).HasMaxLength(2000);
        a.HasOne<MigrationRun>().WithMany().HasForeignKey(x => x.RunId).OnDelete(DeleteBehavior.Cascade);
    }
}
