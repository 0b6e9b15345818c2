using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace KafkaMigrationPortal.Sandbox.Dynos;

public static class SandboxDynosServiceCollectionExtensions
{
    /// <summary>
    /// Registers the simulated dynos (<see cref="IDynoSupervisor"/>, also as <see cref="DynoSupervisor"/>) and the
    /// <see cref="Ledger"/>. Dynos stop gracefully when the host stops. Pair with <c>AddSandboxKafka()</c>.
    /// </summary>
    public static IServiceCollection AddSandboxDynos(this IServiceCollection services, Action<DynoOptions>? configure = null)
    {
        var options = services.AddOptions<DynoOptions>();
        if (configure is not null) options.Configure(configure);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<Ledger>();
        services.TryAddSingleton<DynoSupervisor>();
        services.TryAddSingleton<IDynoSupervisor>(sp => sp.GetRequiredService<DynoSupervisor>());
        services.AddHostedService<DynoShutdown>();
        return services;
    }

    private sealed class DynoShutdown(DynoSupervisor supervisor) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => supervisor.StopEverythingAsync().WaitAsync(cancellationToken);
    }
}
