using System.Security.Claims;
using KafkaMigrationPortal.Features.Approvals;
using KafkaMigrationPortal.Features.Identity;
using KafkaMigrationPortal.Engine.Execution;
using KafkaMigrationPortal.Features.Migrations;
using KafkaMigrationPortal.Features.Migrations.Pages;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace KafkaMigrationPortal.Tests.Components.Migrations;

/// <summary>The shared component context plus fakes of the migration pages' services and the real in-process notifier.</summary>
public abstract class MigrationsTestContext : PortalTestContext
{
    internal FakeRunConsole Console { get; } = new();

    internal FakeKafkaMonitor Monitor { get; } = new();

    internal FakeWizard Wizard { get; } = new();

    internal RunNotifier Notifier { get; } = new(NullLogger<RunNotifier>.Instance);

    protected MigrationsTestContext()
    {
        Services.AddSingleton<IRunConsole>(Console);
        Services.AddSingleton<IRunKafkaMonitor>(Monitor);
        Services.AddSingleton<IMigrationWizard>(Wizard);
        Services.AddSingleton<IRunNotifier>(Notifier);
        Services.AddSingleton(TimeProvider.System);
        Services.Configure<WizardOptions>(_ => { });
        SignIn(Runs.Starter, TeamRole.Operator, TeamRole.Approver);
    }

    /// <summary>Signs in as <paramref name="email"/> with exactly <paramref name="roles"/>.</summary>
    protected void SignIn(string email, params string[] roles)
    {
        Authorization.SetAuthorized(email);
        Authorization.SetClaims(new Claim(ClaimTypes.Email, email));
        Authorization.SetRoles(roles);
    }
}
