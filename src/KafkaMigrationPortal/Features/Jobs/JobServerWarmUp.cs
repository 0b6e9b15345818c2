using System.Diagnostics;
using Hangfire;
using KafkaMigrationPortal.Engine.Execution;
using KafkaMigrationPortal.Features.Connections;

namespace KafkaMigrationPortal.Features.Jobs;

/// <summary>
/// Registered just before the job server's hosted service: the host starts hosted services one after the other, so
/// the server takes its first job only once this has warmed the engine (<see cref="ExecutionWarmUp"/>) and Hangfire's
/// storage, or once <paramref name="timeout"/> has passed. A failure or a timeout is a warning, never a failed start:
/// the first steps are then slow, not wrong.
/// </summary>
public sealed class JobServerWarmUp(IServiceProvider services, ILogger<JobServerWarmUp> logger, TimeSpan? timeout = null) : IHostedService
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(20);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var limit = timeout ?? DefaultTimeout;
        var started = Stopwatch.GetTimestamp();
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(limit);
        try
        {
            // On a thread of its own: Hangfire's storage API blocks, and a blocked call must not hold up the timeout.
            await Task.Run(() => WarmAsync(bounded.Token), CancellationToken.None).WaitAsync(limit, cancellationToken);
            logger.LogInformation("Job server warmed up in {Elapsed:0} ms (EF model, database and Hangfire connections, engine clients)",
                Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            var what = e is TimeoutException or OperationCanceledException ? $"did not finish within {limit.TotalSeconds:0.#} s" : $"failed ({e.GetType().Name})";
            logger.LogWarning("Warming up the job server {Outcome} after {Elapsed:0} ms; it takes jobs anyway", what,
                Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task WarmAsync(CancellationToken ct)
    {
        var storage = services.GetRequiredService<JobStorage>();
        using (var connection = storage.GetConnection())
        {
            _ = connection.GetFirstByLowestScoreFromSet("schedule", 0, 0);
        }
        _ = services.GetRequiredService<IBackgroundJobClient>();
        ct.ThrowIfCancellationRequested();

        if (services.GetService<ExecutionWarmUp>() is { } engine)
            await engine.WarmAsync(services.GetService<HerokuConnection>()?.Credential, ct);
    }
}
