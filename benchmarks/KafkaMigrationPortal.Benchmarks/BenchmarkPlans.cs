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
    public static async Task<MigrationPlan> DoubleWriteAsync(IServiceProvider services, string app, string targetPlan, TimeSpan strayWriteWindow)
    {
        var clients = services.GetRequiredService<IHerokuClientFactory>();
        var credential = services.GetRequiredService<HerokuConnection>().Credential;
        var reader = new PlanningContextReader(clients, services.GetRequiredService<IDbContextFactory<PortalDbContext>>());
        var request = new MigrationRequest(app, AttachmentNames.Primary, targetPlan, MigrationStrategy.DoubleWrite, ["producer"], ["consumer"],
            TimeSpan.FromSeconds(2));
        var context = await reader.ReadAsync(credential, ["global"], request);
        var validation = PlanValidator.Validate(context, request);
        if (validation.IsValid) return MigrationPlanBuilder.Build(validation.Request! with { StrayWriteWindow = strayWriteWindow });

        // The sandbox's topics keep messages for seconds so that the retention wait fits in a benchmark; Heroku's
        // published limits (what the validator checks a target against) refuse that. Only that refusal is waived.
        if (validation.Refusals.Any(r => r.Code != RefusalCodes.TargetRetentionTooShort))
            throw new InvalidOperationException("the plan was refused: " + string.Join("; ", validation.Refusals.Select(r => r.Message)));
        var source = context.Addons.Single(a => a.AttachmentNames.Contains(AttachmentNames.Primary));
        return MigrationPlanBuilder.Build(new PlanRequest(app, source.ToSnapshot(), KafkaPlans.Normalize(request.TargetPlan), KafkaPlans.IsMultiTenant(request.TargetPlan),
            request.Strategy, request.ProducerProcessTypes, request.ConsumerProcessTypes, context.Formation, context.SourceTopics,
            [.. context.SourceConsumerGroups], request.RetentionMargin) { StrayWriteWindow = strayWriteWindow });
    }
}
