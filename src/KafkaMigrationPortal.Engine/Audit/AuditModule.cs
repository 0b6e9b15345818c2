namespace KafkaMigrationPortal.Engine.Audit;

public static class AuditModule
{
    public static IServiceCollection AddAuditLog(this IServiceCollection services) =>
        services.AddSingleton(provider => AuditKey.From(provider.GetRequiredService<IConfiguration>()))
            .AddSingleton<AuditLog>().AddSingleton<AuditExport>()
            .AddHostedService<AuditChainAnchor>();

    /// <summary>
    /// Anchors the chain once at start-up (after the schema is migrated, in the hosts' "starting" phase) and says
    /// once whether the chain is sealed by a configured secret.
    /// </summary>
    private sealed class AuditChainAnchor(AuditLog log, AuditKey key, ILogger<AuditChainAnchor> logger) : IHostedService
    {
        public async Task StartAsync(CancellationToken cancellationToken)
        {
            if (!key.Configured)
            {
                logger.LogWarning("{Variable} is not set: the audit chain is sealed with a well-known key and only detects accidental damage, not a deliberate rewrite", AuditKey.EnvironmentVariable);
            }

            await log.AnchorAsync(cancellationToken);
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
