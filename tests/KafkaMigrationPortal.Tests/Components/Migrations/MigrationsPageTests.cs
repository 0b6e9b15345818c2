using Bunit;
using KafkaMigrationPortal.Engine.Execution;
using KafkaMigrationPortal.Engine.Planning;
using KafkaMigrationPortal.Engine.Storage;
using KafkaMigrationPortal.Features.Migrations.Pages;
using KafkaMigrationPortal.Tests.Components.History;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace KafkaMigrationPortal.Tests.Components.Migrations;

/// <summary>The Migrations list over a real (SQLite) portal database: what each run is doing and how long it has taken.</summary>
public sealed class MigrationsPageTests : PortalTestContext, IAsyncLifetime
{
    private readonly PortalDatabaseForComponents database;

    public MigrationsPageTests()
    {
        database = new PortalDatabaseForComponents(Services);
        Services.AddSingleton<MigrationRunQueries>();
    }

    async Task IAsyncLifetime.InitializeAsync() => await database.PrepareAsync(Services);

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        database.Dispose();
    }

    private static RunStep Step(int sequence, string title, RunStepStatus status) =>
        new() { Sequence = sequence, Title = title, ActionJson = "{}", Status = status };

    [Fact]
    public async Task Each_run_shows_its_current_step_and_how_long_it_took_or_has_taken_so_far()
    {
        var now = database.Clock.GetUtcNow();
        var waiting = new MigrationRun
        {
            Id = Guid.NewGuid(), App = "herring", SourceAddon = "herring-kafka", TargetPlan = "heroku-kafka:standard-0", Strategy = MigrationStrategy.DoubleWrite,
            Status = MigrationRunStatus.AwaitingApproval, StartedBy = "alice@example.com", CreatedAt = now - TimeSpan.FromMinutes(5),
            Steps = [Step(1, "Provision the new add-on", RunStepStatus.Done), Step(2, "Skip me", RunStepStatus.Skipped),
                Step(3, "Switch consumers to the new add-on", RunStepStatus.AwaitingApproval), Step(4, "Destroy the old add-on", RunStepStatus.Pending)],
        };
        var finished = new MigrationRun
        {
            Id = Guid.NewGuid(), App = "mackerel", SourceAddon = "mackerel-kafka", TargetPlan = "heroku-kafka:basic-0", Strategy = MigrationStrategy.MaintenanceWindow,
            Status = MigrationRunStatus.Succeeded, StartedBy = "bob@example.com", CreatedAt = now - TimeSpan.FromHours(3), FinishedAt = now - TimeSpan.FromHours(3) + TimeSpan.FromMinutes(42),
            Steps = [Step(1, "Provision the new add-on", RunStepStatus.Done)],
        };
        await using (var db = await Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync())
        {
            db.MigrationRuns.AddRange(waiting, finished);
            await db.SaveChangesAsync();
        }

        RenderProviders();
        var page = Render<MigrationsPage>();

        page.WaitForAssertion(() => Assert.Equal("3 of 4: Switch consumers to the new add-on", page.Find($"[data-testid=run-current-{waiting.Id}]").TextContent.Trim()));
        Assert.Equal("5 minutes so far", page.Find($"[data-testid=run-duration-{waiting.Id}]").TextContent.Trim());
        Assert.Equal("—", page.Find($"[data-testid=run-current-{finished.Id}]").TextContent.Trim());
        Assert.Equal("42 minutes", page.Find($"[data-testid=run-duration-{finished.Id}]").TextContent.Trim());
        Assert.Contains("herring-kafka → heroku-kafka:standard-0", page.Markup);
    }
}
