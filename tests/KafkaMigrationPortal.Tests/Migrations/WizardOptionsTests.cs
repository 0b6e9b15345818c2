using KafkaMigrationPortal.Features.Connections;
using KafkaMigrationPortal.Features.Migrations;
using KafkaMigrationPortal.Heroku;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace KafkaMigrationPortal.Tests.Migrations;

public sealed class WizardOptionsTests
{
    private static WizardOptions Resolve(HerokuConnectionMode mode, Dictionary<string, string?>? settings = null)
    {
        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings ?? []).Build())
            .AddSingleton(new HerokuConnection(mode, new StaticTokenCredential("token", "someone")));
        services.AddMigrationsFeature();
        return services.BuildServiceProvider().GetRequiredService<IOptions<WizardOptions>>().Value;
    }

    [Fact]
    public void Against_heroku_the_wizard_plans_real_margins()
    {
        var options = Resolve(HerokuConnectionMode.Heroku);

        Assert.Equal((TimeSpan.FromMinutes(30), TimeSpan.FromMinutes(10)), (options.RetentionMargin, options.StrayWriteWindow));
    }

    [Fact]
    public void Against_the_sandbox_the_waits_are_short_unless_set_explicitly()
    {
        var sandbox = Resolve(HerokuConnectionMode.Sandbox);
        var configured = Resolve(HerokuConnectionMode.Sandbox, new() { ["Wizard:RetentionMargin"] = "00:05:00" });

        Assert.Equal((WizardOptions.SandboxRetentionMargin, WizardOptions.SandboxStrayWriteWindow), (sandbox.RetentionMargin, sandbox.StrayWriteWindow));
        Assert.Equal((TimeSpan.FromMinutes(5), WizardOptions.SandboxStrayWriteWindow), (configured.RetentionMargin, configured.StrayWriteWindow));
    }
}
