using Bunit;
using KafkaMigrationPortal.Features.History;
using KafkaMigrationPortal.Features.Migrations;
using KafkaMigrationPortal.Engine.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using KafkaMigrationPortal.Engine;
using KafkaMigrationPortal.Engine.Execution;
using KafkaMigrationPortal.Engine.Planning;

namespace KafkaMigrationPortal.Tests.Components.History;

public sealed class RunHistoryGridTests : PortalTestContext, IAsyncLifetime
{
    private readonly PortalDatabaseForComponents database;

    public RunHistoryGridTests()
    {
        database = new PortalDatabaseForComponents(Services);
    }

    async Task IAsyncLifetime.InitializeAsync() => await database.PrepareAsync(Services);

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        database.Dispose();
    }

    private async Task<List<MigrationRun>> SeedAsync(params (string App, MigrationRunStatus Status)[] runs)
    {
        await using var db = await Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var start = new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);
        var rows = runs.Select((r, i) => new MigrationRun
        {
            Id = Guid.NewGuid(), App = r.App, SourceAddon = $"{r.App}-kafka", TargetPlan = "heroku-kafka:standard-0",
            Strategy = MigrationStrategy.DoubleWrite, Status = r.Status, StartedBy = "alice@example.com",
            CreatedAt = start.AddHours(i), FinishedAt = r.Status == MigrationRunStatus.Succeeded ? start.AddHours(i).AddMinutes(42) : null,
        }).ToList();
        db.MigrationRuns.AddRange(rows);
        await db.SaveChangesAsync();
        return rows;
    }

    private IRenderedComponent<RunHistoryGrid> RenderGrid()
    {
        RenderProviders();
        return Render<RunHistoryGrid>();
    }

    [Fact]
    public async Task Runs_are_listed_newest_first_each_linking_to_its_run_page()
    {
        var runs = await SeedAsync(("mackerel", MigrationRunStatus.Succeeded), ("herring", MigrationRunStatus.Running));

        var grid = RenderGrid();

        grid.WaitForAssertion(() => Assert.Equal(2, grid.FindAll("[data-testid=run-link]").Count));
        var links = grid.FindAll("[data-testid=run-link]");
        Assert.Equal(["herring", "mackerel"], links.Select(l => l.TextContent.Trim()));
        Assert.Equal($"/migrations/{runs[1].Id}", links[0].GetAttribute("href"));
        Assert.Contains("42 min", grid.Markup);
        Assert.Contains("2 runs", grid.Find("[data-testid=run-total]").TextContent);
    }

    [Fact]
    public async Task Filtering_by_app_asks_the_server_for_that_app_only()
    {
        await SeedAsync(("mackerel", MigrationRunStatus.Succeeded), ("herring", MigrationRunStatus.Failed), ("mackerel", MigrationRunStatus.RolledBack));
        var grid = RenderGrid();
        grid.WaitForAssertion(() => Assert.Equal(3, grid.FindAll("[data-testid=run-link]").Count));

        grid.Find("#run-filter-app").Input("mackerel");
        grid.Find("[data-testid=run-filters]").Submit();

        grid.WaitForAssertion(() => Assert.Equal(["RolledBack", "Succeeded"], grid.FindAll("[data-testid=run-status]").Select(s => s.TextContent.Trim())));
        Assert.Contains("2 runs", grid.Find("[data-testid=run-total]").TextContent);
    }

    [Fact]
    public void No_runs_shows_the_empty_state()
    {
        var grid = RenderGrid();

        grid.WaitForAssertion(() => Assert.Contains("No migrations have run yet", grid.Find("[data-testid=empty-state]").TextContent));
    }

    [Fact]
    public async Task The_query_pages_on_the_server_and_clamps_silly_page_sizes()
    {
        await SeedAsync(Enumerable.Range(0, 7).Select(_ => ("mackerel", MigrationRunStatus.Succeeded)).ToArray());
        var queries = Services.GetRequiredService<AuditQueries>();

        var second = (await queries.RunsAsync(new RunHistoryFilter(App: "mackerel"), page: 1, pageSize: 3)).Value!;
        var huge = (await queries.RunsAsync(new RunHistoryFilter(), page: 0, pageSize: 1_000_000)).Value!;

        Assert.Equal(7, second.TotalCount);
        Assert.Equal(3, second.Items.Count);
        Assert.Equal(7, huge.Items.Count);
        Assert.True(second.Items.Zip(second.Items.Skip(1)).All(p => p.First.CreatedAt > p.Second.CreatedAt));
    }
}
