using System.Diagnostics;
using Hangfire;
using Hangfire.Client;
using Hangfire.Common;
using Hangfire.Server;
using Hangfire.States;
using Hangfire.Storage;
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

    /// <summary>A bound other than <see cref="DefaultTimeout"/>; zero turns the warm-up off (to measure without it).</summary>
    public const string TimeoutKey = "Jobs:WarmUpTimeout";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var limit = timeout ?? services.GetService<IConfiguration>()?.GetValue<TimeSpan?>(TimeoutKey) ?? DefaultTimeout;
        if (limit <= TimeSpan.Zero)
        {
            logger.LogInformation("Job server warm-up is off ({Key} is zero)", TimeoutKey);
            return;
        }
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

    /// <summary>Does nothing: it is run only for what running it costs the first time.</summary>
    public sealed class WarmUpJob
    {
        public Task RunAsync(Guid id, CancellationToken ct) => Task.CompletedTask;
    }

    private async Task WarmAsync(CancellationToken ct)
    {
        var storage = services.GetRequiredService<JobStorage>();
        using (var connection = storage.GetConnection())
        {
            _ = connection.GetFirstByLowestScoreFromSet("schedule", 0, 0);
            // A job id no job has: the reads the server makes around every job, answered with nothing.
            _ = connection.GetJobData("0");
            _ = connection.GetStateData("0");
        }
        _ = services.GetRequiredService<IBackgroundJobClient>();
        // The engine's job as Hangfire stores and reads it (its JSON serializer's first use is slow).
        _ = InvocationData.SerializeJob(Job.FromExpression<AdvanceRunJob>(j => j.ExecuteAsync(Guid.Empty, CancellationToken.None)))
            .DeserializeJob();
        ct.ThrowIfCancellationRequested();

        if (services.GetService<ExecutionWarmUp>() is { } engine)
            await engine.WarmAsync(services.GetService<HerokuConnection>() is { HasOwnCredential: true } own ? own.Credential : null, ct);

        await RunOneJobAsync(storage, ct);
    }

    /// <summary>
    /// One job, shaped like the engine's (async, a Guid and a cancellation token), through a server of its own that reads
    /// only a queue nobody else uses: Hangfire's first job in a process (fetch, activation, performance, state changes)
    /// costs about a second, which would otherwise fall on the first step.
    /// </summary>
    private async Task RunOneJobAsync(JobStorage storage, CancellationToken ct)
    {
        var queue = $"warm-up-{Guid.NewGuid():N}";
        var client = services.GetRequiredService<IBackgroundJobClient>();
        var jobId = client.Create(Job.FromExpression<WarmUpJob>(j => j.RunAsync(Guid.Empty, CancellationToken.None), queue), new EnqueuedState(queue));
        var options = new BackgroundJobServerOptions
        {
            ServerName = $"{Environment.ProcessId}:warm-up",
            Queues = [queue],
            WorkerCount = 1,
        };
        using var server = services.GetService<IBackgroundJobFactory>() is { } factory
            ? new BackgroundJobServer(options, storage, [], services.GetRequiredService<IJobFilterProvider>(), services.GetRequiredService<JobActivator>(),
                factory, services.GetRequiredService<IBackgroundJobPerformer>(), services.GetRequiredService<IBackgroundJobStateChanger>())
            : new BackgroundJobServer(options, storage);
        using (var connection = storage.GetConnection())
        {
            while (connection.GetStateData(jobId)?.Name != SucceededState.StateName)
                await Task.Delay(TimeSpan.FromMilliseconds(20), ct);
        }
        server.SendStop();
        await server.WaitForShutdownAsync(ct);
    }
}
