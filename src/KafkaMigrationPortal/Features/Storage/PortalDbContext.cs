using KafkaMigrationPortal.Features.Audit;
using KafkaMigrationPortal.Features.Migrations;
using KafkaMigrationPortal.Features.Migrations.Execution;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace KafkaMigrationPortal.Features.Storage;

/// <summary>
/// The portal's own data. One model, two providers; each provider has its own subclass only so that
/// EF Core can keep a separate migration history for it.
/// </summary>
public abstract class PortalDbContext(DbContextOptions options) : DbContext(options), IDataProtectionKeyContext
{
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    public DbSet<MigrationRun> MigrationRuns => Set<MigrationRun>();

    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();

    public DbSet<RunStep> RunSteps => Set<RunStep>();

    public DbSet<RunEvent> RunEvents => Set<RunEvent>();

    public DbSet<StepApproval> StepApprovals => Set<StepApproval>();

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
