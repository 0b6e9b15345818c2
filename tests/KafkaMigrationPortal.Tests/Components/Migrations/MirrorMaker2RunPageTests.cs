using Bunit;
using KafkaMigrationPortal.Engine;
using KafkaMigrationPortal.Engine.Execution;
using KafkaMigrationPortal.Engine.Mirroring;
using KafkaMigrationPortal.Engine.Planning;
using KafkaMigrationPortal.Features.Migrations.Pages;
using KafkaMigrationPortal.Tests.Planning;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace KafkaMigrationPortal.Tests.Components.Migrations;

/// <summary>The run page of a mirror whose records MirrorMaker 2 copies: its configuration beside the mirror's progress,
/// and the steps that wait for the team to start and stop it saying so.</summary>
public sealed class MirrorMaker2RunPageTests : MigrationsTestContext
{
    private static readonly MigrationPlan MirrorMaker2 = Runs.DedicatedMirrorPlan(MirrorEngine.MirrorMaker2);
    private static readonly MigrationPlan PortalMirror = Runs.DedicatedMirrorPlan(MirrorEngine.Portal);

    public MirrorMaker2RunPageTests() => Services.AddSingleton<TimeProvider>(new FakeTimeProvider(DateTimeOffset.Parse("2026-11-27T12:00:00Z")));

    private IRenderedComponent<RunPage> RenderRun(RunDetails details)
    {
        Console.Details = _ => QueryResult<RunDetails>.Ok(details);
        RenderProviders();
        return Render<RunPage>(p => p.Add(r => r.RunId, details.Run.Id).Add(r => r.PollInterval, TimeSpan.FromHours(1)));
    }

    private static RunDetails WaitingAt<TAction>(MigrationPlan plan) where TAction : StepAction =>
        Runs.At(plan, plan.IndexOf<TAction>(), RunStepStatus.Waiting, MigrationRunStatus.Waiting);

    [Fact]
    public void While_the_start_step_waits_the_kafka_panel_gives_the_configuration_and_the_step_asks_to_start_it()
    {
        var start = MirrorMaker2.IndexOf<StartMirror>();
        var config = MirrorMaker2Config.For(MirrorMaker2);

        var page = RenderRun(WaitingAt<StartMirror>(MirrorMaker2));

        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=kafka-panel] [data-testid=mm2-setup]")));
        Assert.Equal(config.Properties, page.Find("[data-testid=kafka-panel] pre[data-testid=mm2-config]").TextContent);
        Assert.Equal(config.TopicsToCreate.Select(t => t.Name), page.FindAll("[data-testid=kafka-panel] [data-testid=mm2-topic]").Select(t => t.GetAttribute("data-topic")));
        Assert.Equal("Start", page.Find("[data-testid=kafka-panel] [data-testid=mm2-ask]").GetAttribute("data-ask"));
        var ask = page.Find($"[data-testid=step-row-{start}] [data-testid=mm2-step-ask]");
        Assert.Equal("Start", ask.GetAttribute("data-ask"));
        Assert.Contains("Start MirrorMaker 2 now", ask.TextContent);
        Assert.Single(page.FindAll("[data-testid=mm2-step-ask]"));
        Assert.Contains("copied by MirrorMaker 2", page.Find("[data-testid=run-summary]").TextContent);
    }

    [Fact]
    public void While_the_stop_step_waits_the_page_asks_to_stop_it()
    {
        var stop = MirrorMaker2.IndexOf<StopMirror>();

        var page = RenderRun(WaitingAt<StopMirror>(MirrorMaker2));

        page.WaitForAssertion(() => Assert.Equal("Stop", page.Find("[data-testid=kafka-panel] [data-testid=mm2-ask]").GetAttribute("data-ask")));
        Assert.Contains("stop MirrorMaker 2 now", page.Find("[data-testid=mm2-ask]").TextContent);
        Assert.Equal("Stop", page.Find($"[data-testid=step-row-{stop}] [data-testid=mm2-step-ask]").GetAttribute("data-ask"));
    }

    [Fact]
    public void Between_its_start_and_its_stop_the_configuration_stays_without_asking_anything()
    {
        var page = RenderRun(WaitingAt<WaitForMirrorCaughtUp>(MirrorMaker2));

        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=kafka-panel] pre[data-testid=mm2-config]")));
        Assert.Empty(page.FindAll("[data-testid=mm2-ask]"));
        Assert.Empty(page.FindAll("[data-testid=mm2-step-ask]"));
    }

    [Fact]
    public void A_mirror_the_portal_copies_shows_no_MirrorMaker_2_configuration_and_asks_nothing_at_its_start()
    {
        var page = RenderRun(WaitingAt<StartMirror>(PortalMirror));

        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=kafka-panel]")));
        page.WaitForAssertion(() => Assert.Contains("copied by the portal's copier", page.Find("[data-testid=run-summary]").TextContent));
        Assert.Empty(page.FindAll("[data-testid=mm2-setup]"));
        Assert.Empty(page.FindAll("[data-testid=mm2-config]"));
        Assert.Empty(page.FindAll("[data-testid=mm2-step-ask]"));
    }
}
