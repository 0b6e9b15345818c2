using Hangfire;
using Hangfire.InMemory;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using KafkaMigrationPortal.Features.Identity;
using KafkaMigrationPortal.Engine.Storage;
using Npgsql;

namespace KafkaMigrationPortal.Features.Jobs;

public static class JobsModule
{
    public const string DashboardPath = "/jobs";
    public const string SchemaName = "hangfire";

    /// <summary>
    /// How long a Hangfire lock (the scheduler's, a job's state lock) left by a process that died holding it blocks the
    /// others; the storage's default of 10 minutes stopped every scheduled job after a killed dyno. Hangfire holds these
    /// locks for milliseconds, so this is far above any lock a live process keeps.
    /// </summary>
    public static readonly TimeSpan DistributedLockTimeout = TimeSpan.FromSeconds(20);

    /// <summary>
    /// With the sliding invisibility timeout, a live process renews its fetched jobs every fifth of this, so a job that a
    /// process fetched and then died with goes back to the queue this long after (instead of after 30 minutes).
    /// </summary>
    public static readonly TimeSpan InvisibilityTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// On SIGTERM the job server stops fetching and a running job gets this long to finish before its cancellation
    /// token fires (the engine then hands its step over); all of it fits in Heroku's 30 s before SIGKILL.
    /// </summary>
    public static readonly TimeSpan JobStopGrace = TimeSpan.FromSeconds(5);

    public static readonly TimeSpan ProcessStopBudget = TimeSpan.FromSeconds(25);

    public static IHostApplicationBuilder AddPortalJobs(this IHostApplicationBuilder builder, StorageSettings storage)
    {
        // The host's own storage, registered before AddHangfire (which would otherwise hand out the process-wide
        // JobStorage.Current, the storage of whichever host in the process configured Hangfire last).
        builder.Services.AddSingleton<JobStorage>(_ => storage.Provider == StorageProvider.PostgreSql
            ? new PostgreSqlStorage(new NpgsqlConnectionFactory(storage.ConnectionString, StorageOptions()), StorageOptions())
            : new InMemoryStorage(new InMemoryStorageOptions { MaxExpirationTime = TimeSpan.FromDays(7) }));
        builder.Services.AddHangfire((services, config) => config
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UseStorage(services.GetRequiredService<JobStorage>()));

        if (storage.Provider == StorageProvider.PostgreSql)
        {
            builder.Services.AddSingleton<ISchemaPart, HangfireSchema>();
        }

        // Before the server: hosted services start in registration order, each awaited.
        builder.Services.AddHostedService<JobServerWarmUp>();
        builder.Services.AddHangfireServer(options =>
        {
            options.ServerName = $"{Environment.GetEnvironmentVariable("DYNO") ?? Environment.MachineName}:{Environment.ProcessId}";
            options.WorkerCount = Math.Max(4, Environment.ProcessorCount * 2);
            options.SchedulePollingInterval = TimeSpan.FromSeconds(1);
            options.StopTimeout = JobStopGrace;
            options.ShutdownTimeout = ProcessStopBudget - JobStopGrace;
        });
        builder.Services.Configure<HostOptions>(o =>
        {
            o.ShutdownTimeout = ProcessStopBudget;
            // Kestrel's connections and the job server drain side by side, not one after the other's budget.
            o.ServicesStopConcurrently = true;
        });

        builder.Services.AddHealthChecks().AddCheck<JobsHealthCheck>("jobs");
        return builder;
    }

    /// <summary>Hangfire.PostgreSql set up for processes that die: short lock timeout, sliding invisibility.</summary>
    public static PostgreSqlStorageOptions StorageOptions() => new()
    {
        SchemaName = SchemaName,
        // The schema is installed by the portal's start-up, under its advisory lock, once PostgreSQL answers.
        PrepareSchemaIfNecessary = false,
        // LISTEN/NOTIFY wakes a waiting worker as soon as a job is queued instead of at the next poll.
        EnableLongPolling = true,
        // What NOTIFY does not announce (a dead process's job visible again) is found by this poll.
        QueuePollInterval = TimeSpan.FromSeconds(5),
        DistributedLockTimeout = DistributedLockTimeout,
        UseSlidingInvisibilityTimeout = true,
        InvisibilityTimeout = InvisibilityTimeout,
    };

    /// <summary>The dashboard is for administrators only, through the portal's sign-in and its admin policy.</summary>
    public static IEndpointConventionBuilder MapPortalJobsDashboard(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapHangfireDashboardWithAuthorizationPolicy(PortalPolicies.Admin, DashboardPath, new DashboardOptions
        {
            DisplayStorageConnectionString = false,
            DashboardTitle = "Kafka Migration Portal · jobs",
            AppPath = "/",
        });

    private sealed class HangfireSchema : ISchemaPart
    {
        public string Name => "Hangfire";

        public Task ApplyAsync(NpgsqlConnection connection, CancellationToken ct)
        {
            PostgreSqlObjectsInstaller.Install(connection, SchemaName);
            return Task.CompletedTask;
        }
    }
}
