using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace KafkaMigrationPortal.Sandbox.Kafka;

public static class SandboxKafkaServiceCollectionExtensions
{
    /// <summary>
    /// Registers the add-ons' mock Kafka clusters (<see cref="ISandboxKafkaClusters"/>, also as the concrete
    /// <see cref="SandboxKafkaClusters"/>) and the retention sweeper.
    /// </summary>
    public static IServiceCollection AddSandboxKafka(this IServiceCollection services, Action<SandboxKafkaOptions>? configure = null)
    {
        var options = services.AddOptions<SandboxKafkaOptions>();
        if (configure is not null) options.Configure(configure);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<SandboxKafkaClusters>();
        services.TryAddSingleton<ISandboxKafkaClusters>(sp => sp.GetRequiredService<SandboxKafkaClusters>());
        services.AddHostedService<RetentionSweeper>();
        return services;
    }
}
