namespace KafkaMigrationPortal.Features.History;

public static class HistoryModule
{
    public static IServiceCollection AddHistoryFeature(this IServiceCollection services) =>
        services.AddScoped<AuditQueries>();
}
