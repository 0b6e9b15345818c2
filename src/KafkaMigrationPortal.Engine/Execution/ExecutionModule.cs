using KafkaMigrationPortal.Engine.KafkaChecks;
using KafkaMigrationPortal.Engine.Mirroring;
using KafkaMigrationPortal.Engine.Storage;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace KafkaMigrationPortal.Engine.Execution;

public static class ExecutionModule
{
    /// <summary>The migration engine: job, executors, lease, event log, service facade, the recurring reconciler and the mirror worker.</summary>
    public static IServiceCollection AddMigrationExecution(this IServiceCollection services)
    {
        services.AddKafkaChecks();
        services.AddOptions<ExecutionOptions>().BindConfiguration(ExecutionOptions.SectionName);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IRunNotifier>(sp => sp.GetRequiredService<StorageSettings>().Provider == StorageProvider.PostgreSql
            ? ActivatorUtilities.CreateInstance<PostgresRunNotifier>(sp)
            : ActivatorUtilities.CreateInstance<RunNotifier>(sp));
        services.AddHostedService<RunChangeListener>();
        services.TryAddSingleton<IGateNotifier, NoGateNotifier>();
        services.TryAddSingleton<IRunScheduler, HangfireRunScheduler>();
        services.AddSingleton<RunLease>();
        services.AddSingleton<RunEventLog>();
        services.AddSingleton<RunWriter>();
        services.AddSingleton<StepContextFactory>();

        services.AddSingleton<IStepExecutor, ProvisionAddonExecutor>();
        services.AddSingleton<IStepExecutor, WaitForProvisioningExecutor>();
        services.AddSingleton<IStepExecutor, DestroyAddonExecutor>();
        services.AddSingleton<IStepExecutor, AttachExecutor>();
        services.AddSingleton<IStepExecutor, DetachExecutor>();
        services.AddSingleton<IStepExecutor, SetConfigVarsExecutor>();
        services.AddSingleton<IStepExecutor, SetMaintenanceExecutor>();
        services.AddSingleton<IStepExecutor, ScaleProcessesExecutor>();
        services.AddSingleton<IStepExecutor, RestoreFormationExecutor>();
        services.AddSingleton<IStepExecutor, CreateTopicsExecutor>();
        services.AddSingleton<IStepExecutor, CreateConsumerGroupsExecutor>();
        services.AddSingleton<IStepExecutor, WaitForConsumerCatchUpExecutor>();
        services.AddSingleton<IStepExecutor, VerifyDoubleWriteExecutor>();
        services.AddSingleton<IStepExecutor, WaitForRetentionExecutor>();
        services.AddSingleton<IStepExecutor, VerifyParityExecutor>();
        services.AddSingleton<IStepExecutor, WatchStrayWritesExecutor>();
        services.AddSingleton<IStepExecutor, StartMirrorExecutor>();
        services.AddSingleton<IStepExecutor, WaitForMirrorCaughtUpExecutor>();
        services.AddSingleton<IStepExecutor, WaitForMirrorDrainedExecutor>();
        services.AddSingleton<IStepExecutor, CommitMirroredOffsetsExecutor>();
        services.AddSingleton<IStepExecutor, StopMirrorExecutor>();
        services.AddSingleton<StepExecutors>();

        services.AddTransient<AdvanceRunJob>();
        services.AddTransient<RunReconciler>();
        services.AddSingleton<MigrationRunService>();
        services.AddSingleton<ExecutionWarmUp>();
        services.AddHostedService<ExecutionStartup>();

        services.AddOptions<MirrorOptions>().BindConfiguration(MirrorOptions.SectionName);
        services.AddSingleton<MirrorLeases>();
        services.TryAddSingleton<IMirrorEndpointResolver, HerokuMirrorEndpointResolver>();
        services.AddSingleton<MirrorWorker>();
        services.AddHostedService(sp => sp.GetRequiredService<MirrorWorker>());
        return services;
    }
}
