using KafkaMigrationPortal.Sandbox.Control;
using KafkaMigrationPortal.Sandbox.Dynos;
using KafkaMigrationPortal.Sandbox.Kafka;
using KafkaMigrationPortal.Sandbox.Http;
using KafkaMigrationPortal.Sandbox.KafkaData;
using KafkaMigrationPortal.Sandbox.OAuth;
using KafkaMigrationPortal.Sandbox.Platform;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace KafkaMigrationPortal.Sandbox;

/// <summary>Hosting the simulated Heroku, in the portal (under a path base) or standalone (<c>Program.cs</c>).</summary>
public static class SandboxModule
{
    /// <summary>Registers the sandbox's state, identity, mutation log and start-up seeding, with the mock Kafka clusters
    /// and simulated dynos behind it. Tune those with <c>services.Configure&lt;SandboxKafkaOptions&gt;</c> /
    /// <c>Configure&lt;DynoOptions&gt;</c>; register other <see cref="ISandboxKafkaClusters"/> / <see cref="IDynoSupervisor"/>
    /// implementations before this call to replace them.</summary>
    public static IServiceCollection AddHerokuSandbox(this IServiceCollection services, Action<SandboxOptions>? configure = null)
    {
        var options = services.AddOptions<SandboxOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddSingleton(TimeProvider.System);
        services.AddSandboxKafka();
        services.AddSandboxDynos();
        services.TryAddSingleton<SandboxMutationLog>();
        services.TryAddSingleton<SandboxIdentity>();
        services.TryAddSingleton(sp => ActivatorUtilities.CreateInstance<HerokuSandbox>(sp));
        services.AddHostedService<SandboxStartup>();
        return services;
    }

    /// <summary>Maps the Platform API at <c>{pathBase}/…</c>, the Kafka data API at
    /// <c>{pathBase}/data/kafka/v0/clusters/{addon}</c>, OAuth at <c>{pathBase}/oauth/…</c> and the controls at
    /// <c>{pathBase}/_sandbox/…</c>.</summary>
    public static IEndpointRouteBuilder MapHerokuSandbox(this IEndpointRouteBuilder endpoints, string pathBase = "")
    {
        var root = endpoints.MapGroup(NormalizePathBase(pathBase));

        var api = root.MapGroup("").AddEndpointFilter(new SandboxCallFilter(authenticate: true, injectFaults: true));
        PlatformApiEndpoints.Map(api);
        KafkaDataApiEndpoints.Map(api);

        OAuthEndpoints.Map(root.MapGroup("/oauth").AddEndpointFilter(new SandboxCallFilter(authenticate: false, injectFaults: false)));
        ControlEndpoints.Map(root.MapGroup("/_sandbox"));
        return endpoints;
    }

    private static string NormalizePathBase(string pathBase)
    {
        var trimmed = pathBase.Trim().TrimEnd('/');
        return trimmed.Length == 0 ? "" : trimmed.StartsWith('/') ? trimmed : "/" + trimmed;
    }

    /// <summary>Seeds the demo at start-up so that its dynos run before anyone calls the API.</summary>
    private sealed class SandboxStartup(HerokuSandbox sandbox) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            sandbox.EnsureInitialized();
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
