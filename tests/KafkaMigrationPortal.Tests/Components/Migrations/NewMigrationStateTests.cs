using System.Security.Claims;
using KafkaMigrationPortal.Engine;
using KafkaMigrationPortal.Engine.Planning;
using KafkaMigrationPortal.Features.Identity;
using KafkaMigrationPortal.Features.Migrations;
using KafkaMigrationPortal.Features.Migrations.Components.Wizard;
using KafkaMigrationPortal.Tests.Planning;

namespace KafkaMigrationPortal.Tests.Components.Migrations;

/// <summary>The wizard's steps without a page: what each transition asks the wizard service and what it leaves shown.</summary>
public sealed class NewMigrationStateTests
{
    private static readonly TimeSpan RetentionMargin = TimeSpan.FromMinutes(10);

    private readonly FakeWizard wizard = new();

    private static ClaimsPrincipal Person(string email, params string[] roles) => new(new ClaimsIdentity(
        [new Claim(ClaimTypes.Email, email), .. roles.Select(r => new Claim(ClaimTypes.Role, r))], "test"));

    private NewMigrationState NewState(ClaimsPrincipal? user = null) =>
        new(wizard, user ?? Person(Runs.Starter, TeamRole.Operator), RetentionMargin);

    /// <summary>Next as the page's stepper does it: when the step passes, the stepper moves and enters the following step.</summary>
    private static async Task<bool> NextAsync(NewMigrationState state)
    {
        var moved = false;
        await state.NextAsync(async () =>
        {
            moved = true;
            await state.EnterStepAsync(state.ActiveIndex + 1);
        });
        return moved;
    }

    /// <summary>Takes the wizard to the review of a double-write to basic-0.</summary>
    private async Task<NewMigrationState> AtReviewAsync(ClaimsPrincipal? user = null)
    {
        var state = NewState(user);
        state.ChangeAppName(Requests.App);
        Assert.True(await NextAsync(state));
        Assert.True(await NextAsync(state));
        state.ChooseTarget("heroku-kafka:basic-0");
        Assert.True(await NextAsync(state));
        Assert.Equal(NewMigrationState.ReviewStep, state.ActiveIndex);
        return state;
    }

    [Fact]
    public async Task Choosing_an_app_loads_its_overview_and_reads_its_only_kafka_addon_with_guessed_roles()
    {
        var state = NewState();
        state.ChangeAppName($" {Requests.App} ");

        Assert.True(await NextAsync(state));

        Assert.Equal(NewMigrationState.SourceStep, state.ActiveIndex);
        Assert.Equal(Requests.App, state.App?.Value?.App);
        Assert.Equal(AttachmentNames.Primary, state.SelectedAttachment);
        Assert.Equal(Requests.DedicatedSource.Name, state.Source?.Value?.Addon.Name);
        Assert.Equal(["producer"], state.Producers);
        Assert.Equal(["consumer"], state.Consumers);
        Assert.Equal([$"read-app {Requests.App}", $"read-source {Requests.App} KAFKA"], wizard.Calls);
        Assert.False(state.Busy);
    }

    [Fact]
    public async Task An_app_that_cannot_be_read_keeps_the_first_step_with_the_services_message()
    {
        wizard.App = QueryResult<AppOverview>.Failed("There is no app named 'nope' that this Heroku account can see.");
        var state = NewState();
        state.ChangeAppName("nope");

        Assert.False(await NextAsync(state));

        Assert.Equal(NewMigrationState.AppStep, state.ActiveIndex);
        Assert.Equal("There is no app named 'nope' that this Heroku account can see.", state.AppError);
        Assert.Null(state.App);
        Assert.DoesNotContain(wizard.Calls, c => c.StartsWith("read-source"));

        state.ChangeAppName("nope2");
        Assert.Null(state.AppError);
    }

    [Fact]
    public async Task Changing_the_app_clears_the_old_source_roles_groups_and_preview_but_retyping_the_same_name_keeps_them()
    {
        var state = await AtReviewAsync();
        state.ExtraGroups = "audit";

        state.ChangeAppName($"{Requests.App} ");
        Assert.NotNull(state.App);
        Assert.NotNull(state.Preview);

        state.ChangeAppName("herring");

        Assert.Null(state.App);
        Assert.Null(state.SelectedAttachment);
        Assert.Null(state.Source);
        Assert.Empty(state.Producers);
        Assert.Empty(state.Consumers);
        Assert.Null(state.ExtraGroups);
        Assert.Null(state.Preview);
        Assert.False(state.CanStart);
    }

    [Fact]
    public async Task The_source_step_needs_a_producer_and_a_consumer()
    {
        var state = NewState();
        state.ChangeAppName(Requests.App);
        await NextAsync(state);
        state.SetConsumes("consumer", false);

        Assert.False(await NextAsync(state));

        Assert.Equal(NewMigrationState.SourceStep, state.ActiveIndex);
        Assert.Equal("Mark at least one process type that produces and one that consumes.", state.ProcessError);

        state.SetConsumes("web", true);
        Assert.Null(state.ProcessError);
        Assert.True(await NextAsync(state));
    }

    [Fact]
    public async Task The_target_step_needs_a_plan_and_does_not_plan_without_one()
    {
        var state = NewState();
        state.ChangeAppName(Requests.App);
        await NextAsync(state);
        await NextAsync(state);

        Assert.False(await NextAsync(state));

        Assert.Equal(NewMigrationState.TargetStep, state.ActiveIndex);
        Assert.Equal("Pick the plan of the new add-on.", state.TargetError);
        Assert.DoesNotContain(wizard.Calls, c => c.StartsWith("preview"));
    }

    [Fact]
    public async Task Arriving_at_the_review_plans_the_request_the_steps_chose()
    {
        var state = NewState();
        state.ChangeAppName(Requests.App);
        await NextAsync(state);
        state.ExtraGroups = " audit , ,reports";
        await NextAsync(state);
        state.ChooseTarget("heroku-kafka:basic-0");
        state.ChooseStrategy(MigrationStrategy.MaintenanceWindow);
        state.ChooseRequiredApprovals(3);

        await NextAsync(state);

        var request = Assert.Single(wizard.Previewed);
        Assert.Equal(3, request.RequiredApprovals);
        Assert.Equal((Requests.App, AttachmentNames.Primary, "heroku-kafka:basic-0", MigrationStrategy.MaintenanceWindow, RetentionMargin),
            (request.App, request.SourceAttachment, request.TargetPlan, request.Strategy, request.RetentionMargin));
        Assert.Equal(["producer"], request.ProducerProcessTypes);
        Assert.Equal(["consumer"], request.ConsumerProcessTypes);
        Assert.Equal(["audit", "reports"], request.ConsumerGroups!);
        Assert.True(state.CanStart);
    }

    [Fact]
    public async Task A_failed_preview_stays_on_the_review_with_the_message_and_cannot_start()
    {
        wizard.Preview = QueryResult<PlanPreview>.Failed("Heroku did not answer for the app mackerel: timed out.");

        var state = await AtReviewAsync();

        Assert.Equal("Heroku did not answer for the app mackerel: timed out.", state.Preview?.Error);
        Assert.False(state.CanStart);
        Assert.Null(await state.StartAsync());
        Assert.Equal(0, wizard.Starts);
    }

    [Fact]
    public async Task Going_back_and_changing_the_target_plans_again_on_return()
    {
        var state = await AtReviewAsync();

        await state.EnterStepAsync(NewMigrationState.TargetStep);
        Assert.NotNull(state.Preview);
        state.ChooseTarget("heroku-kafka:basic-1");
        Assert.Null(state.Preview);
        await NextAsync(state);

        Assert.Equal(["heroku-kafka:basic-0", "heroku-kafka:basic-1"], wizard.Previewed.Select(r => r.TargetPlan));
        Assert.True(state.CanStart);
    }

    [Fact]
    public async Task Starting_answers_the_run_and_a_refused_start_keeps_the_review_with_the_reason()
    {
        var state = await AtReviewAsync();

        Assert.Equal(wizard.StartAnswer.Value, await state.StartAsync());

        wizard.StartAnswer = QueryResult<Guid>.Failed("The app changed on Heroku since this plan was generated: go back and review the new plan before starting.");
        Assert.Null(await state.StartAsync());
        Assert.Contains("review the new plan", state.StartError);
        Assert.Equal(NewMigrationState.ReviewStep, state.ActiveIndex);
        Assert.Equal(2, wizard.Starts);
        Assert.False(state.Busy);
    }

    [Fact]
    public async Task A_viewer_may_plan_but_not_start()
    {
        var state = await AtReviewAsync(Person("victor@example.com", TeamRole.Viewer));

        Assert.False(state.CanOperate);
        Assert.True(state.Preview?.Value?.CanStart);
        Assert.False(state.CanStart);
        Assert.Null(await state.StartAsync());
        Assert.Equal(0, wizard.Starts);
    }
}
