using Hangfire;
using Hangfire.InMemory;
using Hangfire.PostgreSql;
using KafkaMigrationPortal.Features.Identity;
using KafkaMigrationPortal.Features.Storage;

namespace KafkaMigrationPortal.Features.Jobs;

public static class JobsModule
{
    public const string DashboardPath = "/jobs";

    public static IHostApplicationBuilder AddPortalJobs(this IHostApplicationBuilder builder, StorageSettings storage)
    {
        builder.Services.AddHangfire(config =>
        {
            config.SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
                .UseSimpleAssemblyNameTypeSerializer()
                .UseRecommendedSerializerSettings();

            if (storage.Provider == StorageProvider.PostgreSql)
            {
                config.UsePostgreSqlStorage(
                    connection => connection.UseNpgsqlConnection(storage.ConnectionString),
                    new PostgreSqlStorageOptions
                    {
                        SchemaName = "hangfire",
                        PrepareSchemaIfNecessary = true,
                        // LISTEN/NOTIFY wakes a waiting worker as soon as a job is queued instead of at the next poll.
                        EnableLongPolling = true,
                    });
            }
            else
            {
                config.UseInMemoryStorage(new InMemoryStorageOptions { MaxExpirationTime = TimeSpan.FromDays(7) });
            }
        });

        builder.Services.AddHangfireServer(options =>
        {
            options.ServerName = $"{Environment.GetEnvironmentVariable("DYNO") ?? Environment.MachineName}:{Environment.ProcessId}";
            options.WorkerCount = Math.Max(4, Environment.ProcessorCount * 2);
            options.SchedulePollingInterval = TimeSpan.FromSeconds(1);
        });

        builder.Services.AddHealthChecks().AddCheck<JobsHealthCheck>("jobs");
        return builder;
    }

    /// <summary>The dashboard is for administrators only, through the portal's sign-in and its admin policy.</summary>
    public static IEndpointConventionBuilder MapPortalJobsDashboard(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapHangfireDashboardWithAuthorizationPolicy(PortalPolicies.Admin, DashboardPath, new DashboardOptions
        {
            DisplayStorageConnectionString = false,
            DashboardTitle = "Kafka Migration Portal · jobs",
            AppPath = "/",
        });
}
