using Microsoft.Extensions.DependencyInjection.Extensions;

namespace KafkaMigrationPortal.Engine.KafkaChecks;

public static class KafkaChecksModule
{
    public static IServiceCollection AddKafkaChecks(this IServiceCollection services, Action<KafkaChecksOptions>? configure = null)
    {
        var options = services.AddOptions<KafkaChecksOptions>();
        if (configure is not null) options.Configure(configure);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IKafkaInspector, KafkaInspector>();
        return services;
    }
}
