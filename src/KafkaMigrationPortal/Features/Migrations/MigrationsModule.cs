using KafkaMigrationPortal.Features.Approvals;
using KafkaMigrationPortal.Features.Connections;
using KafkaMigrationPortal.Features.Migrations;
using KafkaMigrationPortal.Engine.Planning;
using KafkaMigrationPortal.Engine.Execution;

namespace KafkaMigrationPortal.Features.Migrations;

public static class MigrationsModule
{
    /// <summary>Pages' services: the runs list, the wizard, the run page (console, Kafka panel) and the approvals inbox.</summary>
    public static IServiceCollection AddMigrationsFeature(this IServiceCollection services)
    {
        // Registered before the binding, so that settings given explicitly still win over the sandbox's short defaults.
        services.AddOptions<WizardOptions>()
            .Configure<HerokuConnection>((options, connection) => { if (connection.IsSandbox) options.ForSandbox(); })
            .BindConfiguration(WizardOptions.SectionName);
        return services
            .AddScoped<MigrationRunQueries>()
            .AddMigrationPlanning()
            .AddScoped<IMigrationWizard, MigrationWizard>()
            .AddScoped<IRunConsole, RunConsole>()
            .AddScoped<IRunKafkaMonitor, RunKafkaMonitor>()
            .AddScoped<IApprovalInbox, ApprovalInbox>();
    }
}
