using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace KafkaMigrationPortal.Features.Migrations;

public enum MigrationStrategy
{
    MaintenanceWindow,
    DoubleWrite,
}

public enum MigrationRunStatus
{
    Planned,
    Running,
    Waiting,
    AwaitingApproval,
    Paused,
    Succeeded,
    Failed,
    RolledBack,
    Aborted,
}

/// <summary>One migration of one app from one Kafka add-on to another.</summary>
public sealed class MigrationRun
{
    public Guid Id { get; set; }

    public required string App { get; set; }

    public required string SourceAddon { get; set; }

    public required string TargetPlan { get; set; }

    public MigrationStrategy Strategy { get; set; }

    public MigrationRunStatus Status { get; set; }

    public required string StartedBy { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }
}

internal sealed class MigrationRunConfiguration : IEntityTypeConfiguration<MigrationRun>
{
    public void Configure(EntityTypeBuilder<MigrationRun> run)
    {
        run.Property(r => r.App).HasMaxLength(100);
        run.Property(r => r.SourceAddon).HasMaxLength(200);
        run.Property(r => r.TargetPlan).HasMaxLength(200);
        run.Property(r => r.StartedBy).HasMaxLength(320);
        run.Property(r => r.Strategy).HasConversion<string>().HasMaxLength(40);
        run.Property(r => r.Status).HasConversion<string>().HasMaxLength(40);
        run.HasIndex(r => new { r.App, r.Status });
        run.HasIndex(r => r.CreatedAt);
    }
}
