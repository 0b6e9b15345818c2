using KafkaMigrationPortal.Engine.Audit;
using KafkaMigrationPortal.Engine.Execution;
using KafkaMigrationPortal.Engine.Mirroring;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace KafkaMigrationPortal.Engine.Storage;

/// <summary>
/// The portal's own data. One model, two providers; each provider has its own subclass only so that
/// EF Core can keep a separate migration history for it.
/// </summary>
public abstract class PortalDbContext(DbContextOptions options) : DbContext(options)
{
    /// <summary>ASP.NET Core Data Protection's key ring, shared by every dyno (the web app reads and writes it).</summary>
    public DbSet<DataProtectionKeyRecord> DataProtectionKeys => Set<DataProtectionKeyRecord>();

    public DbSet<MigrationRun> MigrationRuns => Set<MigrationRun>();

    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();

    public DbSet<AuditCheckpoint> AuditCheckpoints => Set<AuditCheckpoint>();

    public DbSet<RunStep> RunSteps => Set<RunStep>();

    public DbSet<RunEvent> RunEvents => Set<RunEvent>();

    public DbSet<StepApproval> StepApprovals => Set<StepApproval>();

    public DbSet<MirrorPartitionLease> MirrorPartitions => Set<MirrorPartitionLease>();

    public DbSet<MirrorSyncPointRecord> MirrorSyncPoints => Set<MirrorSyncPointRecord>();

    public DbSet<MirrorWorkerPresence> MirrorWorkers => Set<MirrorWorkerPresence>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(PortalDbContext).Assembly);
}

public sealed class SqlitePortalDbContext(DbContextOptions<SqlitePortalDbContext> options) : PortalDbContext(options)
{
    // SQLite has no type that orders DateTimeOffset values; store them as sortable binary (UTC ticks).
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder) =>
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<DateTimeOffsetToBinaryConverter>();
}

public sealed class PostgresPortalDbContext(DbContextOptions<PostgresPortalDbContext> options) : PortalDbContext(options);
