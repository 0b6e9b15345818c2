using Microsoft.Extensions.Logging.Abstractions;
using KafkaMigrationPortal.Sandbox;

namespace KafkaMigrationPortal.Features.Connections;

/// <summary>
/// The simulated Heroku, run inside the portal's process on its own loopback port when no Heroku credential is
/// configured. A server of its own (rather than routes in the portal) keeps it reachable over real HTTP in every
/// host the portal runs in, the in-memory test host included. It starts in the hosts' "starting" phase, before the
/// portal serves a request or runs a job, so the Heroku clients can be pointed at it.
/// </summary>
public sealed class EmbeddedSandbox(IConfiguration configuration, ILoggerFactory loggerFactory) : IHostedLifecycleService, IAsyncDisposable
{
    public const string PortKey = "Sandbox:Port";

    private WebApplication? app;

    /// <summary>Where the sandbox's Platform API, Kafka data API and OAuth endpoints answer.</summary>
    public Uri BaseUrl => app is null
        ? throw new InvalidOperationException("The embedded sandbox has not started yet.")
        : new Uri(app.Urls.First().TrimEnd('/') + "/");

    /// <summary>The sandbox's own services (its state, ledger, clusters), for tests and diagnostics.</summary>
    public IServiceProvider Services => app?.Services ?? throw new InvalidOperationException("The embedded sandbox has not started yet.");

    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        // The sandbox logs through the portal's loggers, but not its own host's start-up lines ("Now listening on",
        // "Application started"): the portal's would be lost among them, and its address is the one to open.
        builder.Services.AddSingleton<ILoggerFactory>(new WithoutHostLifetime(loggerFactory));
        builder.Services.AddHerokuSandbox(options => configuration.GetSection("Sandbox").Bind(options));
        builder.WebHost.UseUrls($"http://127.0.0.1:{configuration.GetValue(PortKey, 0)}");
        app = builder.Build();
        app.MapHerokuSandbox();
        await app.StartAsync(cancellationToken);
        loggerFactory.CreateLogger<EmbeddedSandbox>().LogInformation("Simulated Heroku (the sandbox) answers the portal at {SandboxUrl}", BaseUrl);
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StoppedAsync(CancellationToken cancellationToken)
    {
        if (app is not null)
        {
            await app.StopAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (app is not null)
        {
            await app.DisposeAsync();
            app = null;
        }
    }

    private sealed class WithoutHostLifetime(ILoggerFactory portal) : ILoggerFactory
    {
        public ILogger CreateLogger(string categoryName) =>
            categoryName == "Microsoft.Hosting.Lifetime" ? NullLogger.Instance : portal.CreateLogger(categoryName);

        public void AddProvider(ILoggerProvider provider) => portal.AddProvider(provider);

        // The portal's factory belongs to the portal's host.
        public void Dispose() { }
    }
}
