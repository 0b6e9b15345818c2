using KafkaMigrationPortal.Engine.Planning;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace KafkaMigrationPortal.Engine.Execution;

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

    /// <summary>The portal user who started the run, where it was one (<see cref="RunActor.UserId"/>).</summary>
    public Guid? StartedByUserId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }

    // ---- Durable execution (Features/Migrations/Execution). The database row is the source of truth. ----

    /// <summary>The <see cref="Planning.MigrationPlan"/> being executed, as JSON (see <see cref="PlanSerialization"/>).</summary>
    public string? PlanJson { get; set; }

    /// <summary>Forward through the plan, or back through compensating actions after a rollback was asked for.</summary>
    public RunPhase Phase { get; set; }

    /// <summary>The <see cref="RunStep.Sequence"/> the engine executes next (or is waiting on).</summary>
    public int CurrentStep { get; set; }

    public Guid? SourceAddonId { get; set; }

    /// <summary>The new add-on, known from the moment its creation call answers (or reconciliation finds it).</summary>
    public Guid? TargetAddonId { get; set; }

    public string? TargetAddonName { get; set; }

    /// <summary>When producers began writing to both add-ons (double-write only); the retention wait counts from it.</summary>
    public DateTimeOffset? DoubleWriteStartedAt { get; set; }

    /// <summary>When the run's mirror was started (mirror strategy); the portal's job processes copy while it is set and
    /// <see cref="MirrorStoppedAt"/> is not.</summary>
    public DateTimeOffset? MirrorStartedAt { get; set; }

    public DateTimeOffset? MirrorStoppedAt { get; set; }

    /// <summary>Process type → quantity before the run first scaled it, as JSON; recorded once, never overwritten.</summary>
    public string? RecordedFormationJson { get; set; }

    /// <summary>Non-secret description of the Heroku credential the steps act with (never the token).</summary>
    public string? ExecutedWith { get; set; }

    /// <summary>How many distinct approvals a gated step needs.</summary>
    public int RequiredApprovals { get; set; } = 1;

    /// <summary>Why the run is paused or failed, fit to show (no secrets).</summary>
    public string? LastError { get; set; }

    public DateTimeOffset? UpdatedAt { get; set; }

    /// <summary>Which job execution holds the run (only the holder executes a step); null when free.</summary>
    public string? LeaseOwner { get; set; }

    public DateTimeOffset? LeaseExpiresAt { get; set; }

    /// <summary>The Hangfire job that will advance the run next (enqueued or scheduled), for the reconciler.</summary>
    public string? PendingJobId { get; set; }

    /// <summary>Changed on every save: two writers of the same loaded row cannot both win.</summary>
    public Guid Version { get; set; }

    public List<RunStep> Steps { get; set; } = [];

    /// <summary>The add-on a step destroys, by name as the approver knows it; null for a step that destroys none.</summary>
    public string? AddonDestroyedBy(StepAction action) =>
        action is DestroyAddon destroy
            ? destroy.Addon == AddonRole.Source ? SourceAddon : TargetAddonName ?? "the new add-on"
            : null;

    /// <summary>The other apps a destroy step removes the add-on from (forced), as the plan named them; empty for any other step.</summary>
    public static IReadOnlyList<string> AppsAlsoLosingAddonBy(StepAction action) => action is DestroyAddon destroy ? destroy.OtherApps : [];
}

public enum RunPhase
{
    Forward,
    RollingBack,
}

internal sealed class MigrationRunConfiguration : IEntityTypeConfiguration<MigrationRun>
{
    public const string OneActiveRunPerApp = "IX_MigrationRuns_App_Active";

    /// <summary>
    /// The rows <see cref="OneActiveRunPerApp"/> covers. Status is stored by name and both providers quote identifiers
    /// with double quotes, so the same SQL suits SQLite and PostgreSQL; changing the active set changes the model, and
    /// the schema test then asks for a migration.
    /// </summary>
    public static readonly string ActiveFilter =
        $"\"Status\" IN ({string.Join(", ", MigrationRunStatuses.Active.Select(status => $"'{status}'"))})";

    public void Configure(EntityTypeBuilder<MigrationRun> run)
    {
        run.Property(r => r.App).HasMaxLength(100);
        run.Property(r => r.SourceAddon).HasMaxLength(200);
        run.Property(r => r.TargetPlan).HasMaxLength(200);
        run.Property(r => r.StartedBy).HasMaxLength(320);
        run.Property(r => r.Strategy).HasConversion<string>().HasMaxLength(40);
        run.Property(r => r.Status).HasConversion<string>().HasMaxLength(40);
        run.HasIndex(r => new { r.App, r.Status });
        // The service refuses a second active run, but two starts can both pass its check: the database keeps the rule.
        run.HasIndex(r => r.App).IsUnique().HasFilter(ActiveFilter).HasDatabaseName(OneActiveRunPerApp);
        run.HasIndex(r => r.CreatedAt);
        run.Property(r => r.Phase).HasConversion<string>().HasMaxLength(20);
        run.Property(r => r.TargetAddonName).HasMaxLength(200);
        run.Property(r => r.ExecutedWith).HasMaxLength(320);
        run.Property(r => r.LeaseOwner).HasMaxLength(200);
        run.Property(r => r.PendingJobId).HasMaxLength(100);
        run.Property(r => r.LastError).HasMaxLength(4000);
        run.Property(r => r.Version).IsConcurrencyToken();
        run.HasMany(r => r.Steps).WithOne().HasForeignKey(s => s.RunId).OnDelete(DeleteBehavior.Cascade);
    }
}
