using System.Collections.Concurrent;
using System.Diagnostics;
using Hangfire;
using Hangfire.InMemory;
using Hangfire.Storage;
using KafkaMigrationPortal.Engine.Storage;
using KafkaMigrationPortal.Features.Jobs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace KafkaMigrationPortal.Tests.Hosting;

public sealed class JobServerWarmUpTests
{
    [Fact]
    public void The_warm_up_is_registered_before_the_job_server_so_the_host_starts_it_first()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.AddPortalJobs(new StorageSettings(StorageProvider.Sqlite, "Data Source=unused.db"));
        // Not disposed: resolving Hangfire's configuration points its process-wide log provider at this host's logger
        // factory, and a disposed one breaks every Hangfire storage created later in the test process.
        var host = builder.Build();

        var hosted = host.Services.GetServices<IHostedService>().Select(s => s.GetType().Name).ToList();

        var warmUp = hosted.IndexOf(nameof(JobServerWarmUp));
        var server = hosted.FindIndex(name => name.Contains("BackgroundJobServer", StringComparison.Ordinal));
        Assert.True(warmUp >= 0 && server >= 0, string.Join(", ", hosted));
        Assert.True(warmUp < server, string.Join(", ", hosted));
    }

    [Fact]
    public async Task A_warm_up_that_succeeds_runs_one_job_on_a_server_of_its_own_stops_that_server_and_logs_how_long_it_took()
    {
        var storage = new InMemoryStorage();
        var (warmUp, log) = WarmUp(storage);

        await warmUp.StartAsync(CancellationToken.None);

        var line = Assert.Single(log);
        Assert.Equal(LogLevel.Information, line.Level);
        Assert.Matches(@"^Job server warmed up in \d+ ms", line.Message);
        var monitoring = storage.GetMonitoringApi();
        Assert.Equal(1, monitoring.SucceededListCount());
        Assert.Empty(monitoring.Servers());
        Assert.DoesNotContain(monitoring.Queues(), q => q.Length > 0);
    }

    [Fact]
    public async Task A_failing_warm_up_is_a_warning_and_start_up_goes_on()
    {
        var (warmUp, log) = WarmUp(new BrokenStorage(block: null));

        await warmUp.StartAsync(CancellationToken.None);

        var line = Assert.Single(log);
        Assert.Equal(LogLevel.Warning, line.Level);
        Assert.Contains("failed (InvalidOperationException)", line.Message);
        Assert.DoesNotContain("secret", line.Message);
    }

    [Fact]
    public async Task A_warm_up_that_hangs_is_given_up_after_its_timeout()
    {
        using var never = new ManualResetEventSlim();
        var (warmUp, log) = WarmUp(new BrokenStorage(block: never), TimeSpan.FromMilliseconds(300));

        var clock = Stopwatch.StartNew();
        await warmUp.StartAsync(CancellationToken.None);
        never.Set();

        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(5));
        var line = Assert.Single(log);
        Assert.Equal(LogLevel.Warning, line.Level);
        Assert.Contains("did not finish within 0.3 s", line.Message);
    }

    private static (JobServerWarmUp WarmUp, ConcurrentQueue<(LogLevel Level, string Message)> Log) WarmUp(JobStorage storage, TimeSpan? timeout = null)
    {
        var services = new ServiceCollection()
            .AddSingleton(storage)
            .AddSingleton<IBackgroundJobClient>(sp => new BackgroundJobClient(sp.GetRequiredService<JobStorage>()))
            .BuildServiceProvider();
        var log = new ConcurrentQueue<(LogLevel, string)>();
        return (new JobServerWarmUp(services, new ListLogger(log), timeout), log);
    }

    private sealed class BrokenStorage(ManualResetEventSlim? block) : JobStorage
    {
        public override IMonitoringApi GetMonitoringApi() => throw new NotSupportedException();

        public override IStorageConnection GetConnection()
        {
            if (block is not null) block.Wait();
            throw new InvalidOperationException("connection refused by a host whose name is secret");
        }
    }

    private sealed class ListLogger(ConcurrentQueue<(LogLevel, string)> lines) : ILogger<JobServerWarmUp>
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue((logLevel, formatter(state, exception)));
    }
}
