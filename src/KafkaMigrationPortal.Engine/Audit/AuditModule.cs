namespace KafkaMigrationPortal.Engine.Audit;

public static class AuditModule
{
    public static IServiceCollection AddAuditLog(this IServiceCollection services) =>
        services.AddSingleton<AuditLog>().AddSingleton<AuditExport>();
}
