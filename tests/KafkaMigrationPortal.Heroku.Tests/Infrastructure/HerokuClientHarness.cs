using KafkaMigrationPortal.Heroku.Http;
using KafkaMigrationPortal.Heroku.Kafka;
using KafkaMigrationPortal.Heroku.Platform;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace KafkaMigrationPortal.Heroku.Tests.Infrastructure;

/// <summary>A loopback server plus the real client registration pointed at it, with logs captured at Trace level.</summary>
public sealed class HerokuClientHarness : IAsyncDisposable
{
    public const string Token = "HRKU-test-token-3f9a1c77-secret";

    private HerokuClientHarness(LoopbackHerokuServer server, ServiceProvider services, CapturingLoggerProvider logs)
    {
        Server = server;
        Services = services;
        Logs = logs;
        Credential = new StaticTokenCredential(Token, "test account");
    }

    public LoopbackHerokuServer Server { get; }
    public ServiceProvider Services { get; }
    public CapturingLoggerProvider Logs { get; }
    public IHerokuCredential Credential { get; }

    public IHerokuPlatformApi Platform => Services.GetRequiredService<IHerokuClientFactory>().Platform(Credential);
    public IHerokuKafkaApi Kafka => Services.GetRequiredService<IHerokuClientFactory>().Kafka(Credential);
    public HerokuRateLimitBudget Budget => Services.GetRequiredService<HerokuRateLimitBudget>();

    public static async Task<HerokuClientHarness> StartAsync(Action<HerokuClientOptions>? configure = null)
    {
        var server = await LoopbackHerokuServer.StartAsync();
        var logs = new CapturingLoggerProvider();
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Trace).AddProvider(logs));
        services.AddHerokuClients(options =>
        {
            options.PlatformApiBaseUrl = server.BaseUri;
            options.KafkaApiBaseUrl = server.BaseUri;
            options.RetryBaseDelay = TimeSpan.FromMilliseconds(5);
            options.RateLimit.RefillInterval = TimeSpan.FromMilliseconds(5);
            configure?.Invoke(options);
        });
        return new HerokuClientHarness(server, services.BuildServiceProvider(), logs);
    }

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        await Server.DisposeAsync();
    }
}
