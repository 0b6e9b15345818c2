using KafkaMigrationPortal.Features.Connections;
using KafkaMigrationPortal.Engine.Planning;
using KafkaMigrationPortal.Engine.Storage;
using KafkaMigrationPortal.Heroku;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace KafkaMigrationPortal.Benchmarks;

public static class BenchmarkPlans
{
    /// <summary>A double-write plan from the sandbox's live state, as the wizard builds it, with a short stray-write watch.</summary>
    public static Task<MigrationPlan> DoubleWriteAsync(IServiceProvider services, string app, string targetPlan, TimeSpan strayWriteWindow) =>
        PlanAsync(services, app, targetPlan, MigrationStrategy.DoubleWrite, strayWriteWindow);

    /// <summary>A plan of <paramref name="strategy"/> from the sandbox's live state, as the wizard builds it, with a short stray-write watch.</summary>
    public static async Task<MigrationPlan> PlanAsync(IServiceProvider services, string app, string targetPlan, MigrationStrategy strategy, TimeSpan strayWriteWindow)
    {
        var clients = services.GetRequiredService<IHerokuClientFactory>();
        var credential = services.GetRequiredService<HerokuConnection>().Credential;
        var reader = new PlanningContextReader(clients, services.GetRequiredService<IDbContextFactory<PortalDbContext>>());
        var request = new MigrationRequest(app, AttachmentNames.Primary, targetPlan, strategy, ["producer"], ["consumer"],
            TimeSpan.FromSeconds(2));
        var context = await reader.ReadAsync(credential, ["global"], request);
        var validation = PlanValidator.Validate(context, request);
        if (!validation.IsValid)
            throw new InvalidOperationException("the plan was refused: " + string.Join("; ", validation.Refusals.Select(r => r.Message)));
        return MigrationPlanBuilder.Build(validation.Request! with { StrayWriteWindow = strayWriteWindow });
    }
}
