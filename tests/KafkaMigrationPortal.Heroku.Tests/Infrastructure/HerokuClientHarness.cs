using KafkaMigrationPortal.Heroku.Http;
using KafkaMigrationPortal.Heroku.Kafka;
using KafkaMigrationPortal.Heroku.Platform;
using KafkaMigrationPortal.TestSupport.Time;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace KafkaMigrationPortal.Heroku.Tests.Infrastructure;

/// <summary>
/// A loopback server plus the real client registration pointed at it, with logs captured at Trace level. Given a
/// clock, the clients wait on it and the server stamps arrivals with it.
/// </summary>
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

    public static async Task<HerokuClientHarness> StartAsync(Action<HerokuClientOptions>? configure = null, TimeProvider? time = null)
    {
        var server = await LoopbackHerokuServer.StartAsync(time);
        var logs = new CapturingLoggerProvider();
        var services = new ServiceCollection();
        if (time is not null) services.AddSingleton(time);
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
        await using (Services.GetService<TimeProvider>() is FakeTimeProvider fake ? fake.RunFreely() : null)
        {
            await Services.DisposeAsync();
        }
        await Server.DisposeAsync();
    }
}
