using Bunit;
using KafkaMigrationPortal.Engine;
using KafkaMigrationPortal.Engine.Mirroring;
using KafkaMigrationPortal.Engine.Planning;
using KafkaMigrationPortal.Features.Migrations;
using KafkaMigrationPortal.Features.Migrations.Pages;
using KafkaMigrationPortal.Tests.Planning;

namespace KafkaMigrationPortal.Tests.Components.Migrations;

/// <summary>What copies a mirror's records, as the wizard offers it: the portal's copier, or MirrorMaker 2 between dedicated plans.</summary>
public sealed class MirrorEngineWizardTests : MigrationsTestContext
{
    private static void Next(IRenderedComponent<NewMigrationPage> wizard) => wizard.Find("[data-testid=wizard-next]").Click();

    /// <summary>Drives the wizard to the target step, picks <paramref name="target"/> and the mirror strategy.</summary>
    private IRenderedComponent<NewMigrationPage> AtMirrorTo(string target)
    {
        RenderProviders();
        var wizard = Render<NewMigrationPage>();
        wizard.Find("[data-testid=wizard-app]").Input(Requests.App);
        Next(wizard);
        wizard.WaitForAssertion(() => Assert.NotNull(wizard.Find("[data-testid=wizard-source-details]")));
        Next(wizard);
        wizard.WaitForAssertion(() => Assert.NotNull(wizard.Find($"[data-testid=wizard-target-plan-{KafkaPlans.Tier(target)}]")));
        wizard.Find($"[data-testid=wizard-target-plan-{KafkaPlans.Tier(target)}]").Click();
        wizard.Find("[data-testid=wizard-strategy-Mirror]").Click();
        wizard.WaitForAssertion(() => Assert.NotNull(wizard.Find("[data-testid=wizard-mirror-engines]")));
        return wizard;
    }

    private static AngleSharp.Dom.IElement RadioInput(IRenderedComponent<NewMigrationPage> wizard, MirrorEngine engine) =>
        wizard.Find($"input[type=radio][data-testid=wizard-mirror-engine-{engine}]");

    [Fact]
    public void The_engine_is_asked_only_for_the_mirror_and_the_portals_copier_is_the_default()
    {
        RenderProviders();
        var wizard = Render<NewMigrationPage>();
        wizard.Find("[data-testid=wizard-app]").Input(Requests.App);
        Next(wizard);
        wizard.WaitForAssertion(() => Assert.NotNull(wizard.Find("[data-testid=wizard-source-details]")));
        Next(wizard);
        wizard.WaitForAssertion(() => Assert.NotNull(wizard.Find("[data-testid=wizard-strategies]")));
        Assert.Empty(wizard.FindAll("[data-testid=wizard-mirror-engines]"));

        wizard.Find("[data-testid=wizard-target-plan-extended-0]").Click();
        wizard.Find("[data-testid=wizard-strategy-Mirror]").Click();

        wizard.WaitForAssertion(() => Assert.True(RadioInput(wizard, MirrorEngine.Portal).HasAttribute("checked")));
        Assert.False(RadioInput(wizard, MirrorEngine.MirrorMaker2).HasAttribute("disabled"));
        Assert.Contains("The portal's copier", wizard.Find("[data-testid=mirror-engine]").TextContent);
        Next(wizard);
        wizard.WaitForAssertion(() => Assert.Equal(MirrorEngine.Portal, Assert.Single(Wizard.Previewed).MirrorEngine));
    }

    [Fact]
    public void MirrorMaker_2_chosen_between_dedicated_plans_is_what_the_review_plans()
    {
        var wizard = AtMirrorTo("heroku-kafka:extended-0");

        wizard.Find("[data-testid=wizard-mirror-engine-MirrorMaker2]").Click();

        wizard.WaitForAssertion(() => Assert.StartsWith("MirrorMaker 2, which you run", wizard.Find("[data-testid=mirror-engine]").TextContent.Trim()));
        Assert.Empty(wizard.FindAll("[data-testid=wizard-mirror-engine-refusal]"));
        Next(wizard);
        wizard.WaitForAssertion(() => Assert.Single(Wizard.Previewed));
        var request = Wizard.Previewed[0];
        Assert.Equal((MigrationStrategy.Mirror, MirrorEngine.MirrorMaker2, "heroku-kafka:extended-0"), (request.Strategy, request.MirrorEngine, request.TargetPlan));
    }

    [Fact]
    public void MirrorMaker_2_chosen_then_another_strategy_sends_the_portals_copier_which_the_planner_accepts()
    {
        var wizard = AtMirrorTo("heroku-kafka:extended-0");
        wizard.Find("[data-testid=wizard-mirror-engine-MirrorMaker2]").Click();
        wizard.WaitForAssertion(() => Assert.True(RadioInput(wizard, MirrorEngine.MirrorMaker2).HasAttribute("checked")));

        wizard.Find("[data-testid=wizard-strategy-DoubleWrite]").Click();
        Next(wizard);

        wizard.WaitForAssertion(() => Assert.Single(Wizard.Previewed));
        Assert.Equal((MigrationStrategy.DoubleWrite, MirrorEngine.Portal), (Wizard.Previewed[0].Strategy, Wizard.Previewed[0].MirrorEngine));
    }

    [Fact]
    public void A_basic_target_disables_MirrorMaker_2_and_says_why()
    {
        var wizard = AtMirrorTo("heroku-kafka:basic-0");

        Assert.True(RadioInput(wizard, MirrorEngine.MirrorMaker2).HasAttribute("disabled"));
        Assert.False(RadioInput(wizard, MirrorEngine.Portal).HasAttribute("disabled"));
        Assert.Equal(MirrorMaker2Config.MultiTenantRefusal, wizard.Find("[data-testid=wizard-mirror-engine-refusal]").TextContent.Trim());
        Next(wizard);
        wizard.WaitForAssertion(() => Assert.Equal(MirrorEngine.Portal, Assert.Single(Wizard.Previewed).MirrorEngine));
    }

    [Fact]
    public void A_basic_source_disables_MirrorMaker_2_whatever_the_target()
    {
        var source = Requests.MultiTenantSource;
        Wizard.App = QueryResult<AppOverview>.Ok(new(Requests.App,
            [new AppAddon(source.Id, source.Name, KafkaPlans.ServiceName, source.Plan, ["KAFKA"], source.TopicPrefix)], Requests.Formation, []));

        var wizard = AtMirrorTo("heroku-kafka:extended-0");

        Assert.True(RadioInput(wizard, MirrorEngine.MirrorMaker2).HasAttribute("disabled"));
        Assert.Equal(MirrorMaker2Config.MultiTenantRefusal, wizard.Find("[data-testid=wizard-mirror-engine-refusal]").TextContent.Trim());
    }

    [Fact]
    public void MirrorMaker_2_chosen_then_a_basic_target_falls_back_to_the_portals_copier()
    {
        var wizard = AtMirrorTo("heroku-kafka:extended-0");
        wizard.Find("[data-testid=wizard-mirror-engine-MirrorMaker2]").Click();
        wizard.WaitForAssertion(() => Assert.True(RadioInput(wizard, MirrorEngine.MirrorMaker2).HasAttribute("checked")));

        wizard.Find("[data-testid=wizard-target-plan-basic-1]").Click();

        wizard.WaitForAssertion(() => Assert.True(RadioInput(wizard, MirrorEngine.Portal).HasAttribute("checked")));
        Assert.True(RadioInput(wizard, MirrorEngine.MirrorMaker2).HasAttribute("disabled"));
        Next(wizard);
        wizard.WaitForAssertion(() => Assert.Equal(MirrorEngine.Portal, Assert.Single(Wizard.Previewed).MirrorEngine));
    }
}
