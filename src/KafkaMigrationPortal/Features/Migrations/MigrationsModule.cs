using KafkaMigrationPortal.Features.Migrations.Planning;

namespace KafkaMigrationPortal.Features.Migrations;

public static class MigrationsModule
{
    public static IServiceCollection AddMigrationsFeature(this IServiceCollection services) =>
        services.AddScoped<MigrationRunQueries>().AddMigrationPlanning();
}
