using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace KafkaMigrationPortal.Sandbox.Kafka;

/// <summary>The mock brokers keep everything forever; this ages records out per topic retention, as Kafka would.</summary>
public sealed class RetentionSweeper(
    SandboxKafkaClusters clusters,
    IOptions<SandboxKafkaOptions> options,
    TimeProvider time,
    ILogger<RetentionSweeper> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.RetentionSweepInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            foreach (var cluster in clusters.All())
            {
                try
                {
                    await Task.Run(() => cluster.EnforceRetention(time.GetUtcNow()), stoppingToken);
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    logger.LogWarning(exception, "Retention sweep of add-on {AddonId} failed; retrying next tick", cluster.AddonId);
                }
            }
        }
    }
}
