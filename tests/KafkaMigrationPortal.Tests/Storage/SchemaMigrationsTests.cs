using KafkaMigrationPortal.Engine.Storage;
using Microsoft.EntityFrameworkCore;

namespace KafkaMigrationPortal.Tests.Storage;

/// <summary>The model and each provider's migration history agree: a model change without its two migrations fails here.</summary>
public sealed class SchemaMigrationsTests
{
    [Fact]
    public void The_SQLite_migrations_describe_the_model_as_it_is()
    {
        using var db = new SqlitePortalDbContext(new DbContextOptionsBuilder<SqlitePortalDbContext>().UseSqlite("Data Source=:memory:").Options);
        Assert.False(db.Database.HasPendingModelChanges());
    }

    [Fact]
    public void The_PostgreSQL_migrations_describe_the_model_as_it_is()
    {
        // No connection is opened: the model is compared with the migrations' snapshot.
        using var db = new PostgresPortalDbContext(new DbContextOptionsBuilder<PostgresPortalDbContext>().UseNpgsql("Host=localhost;Database=unused").Options);
        Assert.False(db.Database.HasPendingModelChanges());
    }
}
