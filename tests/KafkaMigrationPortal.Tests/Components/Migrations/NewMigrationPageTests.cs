using Bunit;
using KafkaMigrationPortal.Components.Shared;
using KafkaMigrationPortal.Features.Identity;
using KafkaMigrationPortal.Features.Migrations;
using KafkaMigrationPortal.Features.Migrations.Pages;
using KafkaMigrationPortal.Engine.Planning;
using KafkaMigrationPortal.Tests.Planning;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using KafkaMigrationPortal.Engine;

namespace KafkaMigrationPortal.Tests.Components.Migrations;

public sealed class NewMigrationPageTests : MigrationsTestContext
{
    private IRenderedComponent<NewMigrationPage> RenderWizard()
    {
        RenderProviders();
        return Render<NewMigrationPage>();
    }

    private static void Next(IRenderedComponent<NewMigrationPage> wizard) => wizard.Find("[data-testid=wizard-next]").Click();

    private static string AppError(IRenderedComponent<NewMigrationPage> wizard) => wizard.Find(".mud-input-helper-text.mud-input-error").TextContent;

    private static void TypeApp(IRenderedComponent<NewMigrationPage> wizard, string app) => wizard.Find("[data-testid=wizard-app]").Input(app);

    /// <summary>Drives the wizard to the review step of a double-write to basic-0.</summary>
    private IRenderedComponent<NewMigrationPage> RenderAtReview()
    {
        var wizard = RenderWizard();
        TypeApp(wizard, Requests.App);
        Next(wizard);
        wizard.WaitForAssertion(() => Assert.NotNull(wizard.Find("[data-testid=wizard-source-details]")));
        Next(wizard);
        wizard.WaitForAssertion(() => Assert.NotNull(wizard.Find("[data-testid=wizard-target-plan-basic-0]")));
        wizard.Find("[data-testid=wizard-target-plan-basic-0]").Click();
        Next(wizard);
        wizard.WaitForAssertion(() => Assert.NotEmpty(wizard.FindAll("[data-testid^=plan-step-cli-]")));
        return wizard;
    }

    [Fact]
    public void A_person_whose_grant_cannot_plan_is_offered_the_grant_instead_of_the_wizard()
    {
        Wizard.GrantNeeded = new(HerokuScopes.Global, "To read an app's Kafka topics, the portal needs your Heroku grant with the 'global' scope.");

        var wizard = RenderWizard();

        wizard.WaitForAssertion(() => Assert.Contains("'global' scope", wizard.Find("[data-testid=grant-needed]").TextContent));
        Assert.Equal("/auth/challenge?scope=global&returnUrl=%2Fmigrations%2Fnew", wizard.Find("[data-testid=grant-scope]").GetAttribute("href"));
        Assert.Empty(wizard.FindAll("[data-testid=wizard]"));
        Assert.Empty(Wizard.Calls);
    }

    [Fact]
    public void An_empty_app_name_is_refused_inline_without_asking_heroku()
    {
        var wizard = RenderWizard();

        Next(wizard);

        wizard.WaitForAssertion(() => Assert.Contains("Type the name of a Heroku app.", AppError(wizard)));
        Assert.Empty(Wizard.Calls);
    }

    [Fact]
    public void An_unknown_app_shows_the_services_message_on_the_field_and_stays_on_the_first_step()
    {
        Wizard.App = QueryResult<AppOverview>.Failed("There is no app named 'nope' that this Heroku account can see.");
        var wizard = RenderWizard();

        TypeApp(wizard, "nope");
        Next(wizard);

        wizard.WaitForAssertion(() => Assert.Contains("There is no app named 'nope'", AppError(wizard)));
        Assert.Equal("true", wizard.Find("[data-testid=wizard-app]").GetAttribute("aria-invalid"));
        Assert.Empty(wizard.FindAll("[data-testid=wizard-source-details]"));
    }

    [Fact]
    public void The_source_step_shows_topics_groups_reachability_and_guessed_process_roles()
    {
        var wizard = RenderWizard();
        TypeApp(wizard, Requests.App);
        Next(wizard);

        wizard.WaitForAssertion(() => Assert.NotNull(wizard.Find("[data-testid=wizard-source-details]")));
        var topics = wizard.Find("[data-testid=wizard-topics]").TextContent;
        Assert.Contains("orders", topics);
        Assert.Contains("1 day", topics);
        Assert.Contains("billing, shipping", wizard.Find("[data-testid=wizard-groups]").TextContent);
        Assert.Equal("true", wizard.Find("[data-testid=wizard-reachability]").GetAttribute("data-reachable"));
        Assert.True(wizard.Find("[data-testid=wizard-producer-producer]").HasAttribute("checked"));
        Assert.True(wizard.Find("[data-testid=wizard-consumer-consumer]").HasAttribute("checked"));
        Assert.False(wizard.Find("[data-testid=wizard-producer-web]").HasAttribute("checked"));
    }

    [Fact]
    public void The_target_step_needs_a_plan_and_compares_the_strategies_in_this_apps_figures()
    {
        var wizard = RenderWizard();
        TypeApp(wizard, Requests.App);
        Next(wizard);
        wizard.WaitForAssertion(() => Assert.NotNull(wizard.Find("[data-testid=wizard-source-details]")));
        Next(wizard);

        wizard.WaitForAssertion(() => Assert.NotNull(wizard.Find("[data-testid=strategy-comparison]")));
        // The largest retention of the source's topics is payments' three days.
        Assert.Contains("3 days", wizard.Find("[data-testid=double-write-duration]").TextContent);
        Assert.Contains("customers", wizard.Find("[data-testid=double-write-duration]").TextContent);
        Assert.Contains("no retention period", wizard.Find("[data-testid=mirror-duration]").TextContent);
        Assert.Contains("30 seconds", wizard.Find("[data-testid=mirror-downtime]").TextContent);
        Assert.StartsWith("Nothing", wizard.Find("[data-testid=mirror-app-support]").TextContent);
        Next(wizard);
        wizard.WaitForAssertion(() => Assert.Contains("Pick the plan", wizard.Find("[data-testid=wizard-target-error]").TextContent));
        Assert.DoesNotContain(Wizard.Calls, c => c.StartsWith("preview"));
    }

    [Fact]
    public void Mirror_can_be_chosen_and_is_what_the_review_plans()
    {
        var wizard = RenderWizard();
        TypeApp(wizard, Requests.App);
        Next(wizard);
        wizard.WaitForAssertion(() => Assert.NotNull(wizard.Find("[data-testid=wizard-source-details]")));
        Next(wizard);
        wizard.WaitForAssertion(() => Assert.NotNull(wizard.Find("[data-testid=wizard-target-plan-basic-0]")));
        wizard.Find("[data-testid=wizard-target-plan-basic-0]").Click();
        wizard.Find("[data-testid=wizard-strategy-Mirror]").Click();
        Next(wizard);

        wizard.WaitForAssertion(() => Assert.Contains("preview heroku-kafka:basic-0 Mirror", Wizard.Calls));
    }

    [Fact]
    public void Nothing_is_started_before_the_last_click_and_the_last_click_starts_once_and_opens_the_run()
    {
        var wizard = RenderAtReview();

        Assert.Equal(0, Wizard.Starts);
        Assert.Equal(["read-app mackerel", "read-source mackerel KAFKA", "preview heroku-kafka:basic-0 DoubleWrite"], Wizard.Calls);
        var request = Assert.Single(Wizard.Previewed);
        Assert.Equal(["producer"], request.ProducerProcessTypes);
        Assert.Equal(["consumer"], request.ConsumerProcessTypes);

        wizard.Find("[data-testid=wizard-start]").Click();

        wizard.WaitForAssertion(() => Assert.EndsWith($"/migrations/{Wizard.StartAnswer.Value}", Services.GetRequiredService<NavigationManager>().Uri));
        Assert.Equal(1, Wizard.Starts);
    }

    [Fact]
    public void The_review_shows_every_step_with_its_cli_command_and_highlights_the_point_of_no_return()
    {
        var plan = MigrationPlanBuilder.Build(Requests.DoubleWriteToMultiTenant());
        var wizard = RenderAtReview();

        Assert.Equal(plan.Steps.Count, wizard.FindAll("[data-testid^=plan-step-cli-]").Count);
        Assert.Equal(plan.Steps[0].CliCommand, wizard.Find("[data-testid=plan-step-cli-0]").TextContent);
        var highlighted = wizard.FindAll("[data-point-of-no-return=true]");
        Assert.Equal($"plan-step-{plan.PointOfNoReturn}", Assert.Single(highlighted).GetAttribute("data-testid"));
        Assert.Contains("Point of no return", highlighted[0].TextContent);
        Assert.NotNull(wizard.Find("[data-testid=plan-warnings]"));
    }

    [Fact]
    public void Refusals_are_shown_inline_on_the_review_and_the_start_button_stays_disabled()
    {
        Wizard.Preview = QueryResult<PlanPreview>.Ok(new(null,
            [new PlanRefusal(RefusalCodes.AttachmentNameInUse, "The attachment name OLD_KAFKA, which the migration uses, is already taken by kafka-old-1.")], []));
        var wizard = RenderAtReview_Refused();

        var refusal = wizard.Find("[data-testid=wizard-refusal]");
        Assert.Equal(RefusalCodes.AttachmentNameInUse, refusal.GetAttribute("data-code"));
        Assert.Contains("OLD_KAFKA", refusal.TextContent);
        Assert.True(wizard.Find("[data-testid=wizard-start]").HasAttribute("disabled"));
        Assert.Equal(0, Wizard.Starts);
    }

    [Fact]
    public void A_viewer_can_review_a_plan_but_not_start_it()
    {
        SignIn("victor@example.com", TeamRole.Viewer);
        var wizard = RenderAtReview();

        Assert.NotNull(wizard.Find("[data-testid=wizard-view-only]"));
        Assert.True(wizard.Find("[data-testid=wizard-start]").HasAttribute("disabled"));
    }

    [Fact]
    public void A_refused_start_says_why_and_stays_on_the_review()
    {
        Wizard.StartAnswer = QueryResult<Guid>.Failed("The app changed on Heroku since this plan was generated: go back and review the new plan before starting.");
        var wizard = RenderAtReview();

        wizard.Find("[data-testid=wizard-start]").Click();

        wizard.WaitForAssertion(() => Assert.Contains("review the new plan", wizard.Find("[data-testid=wizard-start-error]").TextContent));
        Assert.EndsWith("/", Services.GetRequiredService<NavigationManager>().Uri);
    }

    private IRenderedComponent<NewMigrationPage> RenderAtReview_Refused()
    {
        var wizard = RenderWizard();
        TypeApp(wizard, Requests.App);
        Next(wizard);
        wizard.WaitForAssertion(() => Assert.NotNull(wizard.Find("[data-testid=wizard-source-details]")));
        Next(wizard);
        wizard.WaitForAssertion(() => Assert.NotNull(wizard.Find("[data-testid=wizard-target-plan-basic-0]")));
        wizard.Find("[data-testid=wizard-target-plan-basic-0]").Click();
        Next(wizard);
        wizard.WaitForAssertion(() => Assert.NotNull(wizard.Find("[data-testid=wizard-refusals]")));
        return wizard;
    }
}
