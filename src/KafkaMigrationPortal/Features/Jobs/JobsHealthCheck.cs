using Hangfire;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace KafkaMigrationPortal.Features.Jobs;

internal sealed class JobsHealthCheck(JobStorage storage) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object> { ["storage"] = storage.GetType().Name };
        try
        {
            var servers = storage.GetMonitoringApi().Servers();
            data["servers"] = servers.Count;
            data["workers"] = servers.Sum(s => s.WorkersCount);
            return Task.FromResult(servers.Count > 0
                ? HealthCheckResult.Healthy($"{servers.Count} job server(s) running", data)
                : HealthCheckResult.Degraded("no job server has registered yet", data: data));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy($"job storage unreachable ({e.GetType().Name})", data: data));
        }
    }
}
