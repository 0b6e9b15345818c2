using Bunit;
using KafkaMigrationPortal.Engine.Audit;
using KafkaMigrationPortal.Features.History;
using KafkaMigrationPortal.Engine.Storage;
using KafkaMigrationPortal.Features.Audit;
using KafkaMigrationPortal.Features.Identity;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace KafkaMigrationPortal.Tests.Components.History;

public sealed class AuditLogGridTests : PortalTestContext, IAsyncLifetime
{
    private readonly PortalDatabaseForComponents database;

    public AuditLogGridTests()
    {
        database = new PortalDatabaseForComponents(Services);
    }

    async Task IAsyncLifetime.InitializeAsync()
    {
        await database.PrepareAsync(Services);
        // Added behind the audit log's back (a sign-in would add an entry): the grid shows only what each test seeds.
        var alice = new UserAccount
        {
            Id = Guid.NewGuid(), HerokuUserId = "heroku-alice", Email = "alice@example.com", Roles = $"{TeamRole.Viewer},{TeamRole.Approver}",
            CreatedAt = database.Clock.GetUtcNow(), LastSignInAt = database.Clock.GetUtcNow(),
        };
        await using (var db = await Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync())
        {
            db.Add(alice);
            await db.SaveChangesAsync();
        }

        Authorization.SetAuthorized(alice.Email);
        Authorization.SetRoles(TeamRole.Viewer, TeamRole.Approver);
        Authorization.SetClaims(new System.Security.Claims.Claim(System.Security.Claims.ClaimTypes.NameIdentifier, alice.Id.ToString()));
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        database.Dispose();
    }

    private AuditLog Log => Services.GetRequiredService<AuditLog>();

    /// <summary>Entry i (1-based) is for app "mackerel" when odd and "herring" when even, a minute after the previous one.</summary>
    private async Task SeedAsync(int count, string actor = "alice@example.com", string action = "test.action")
    {
        for (var i = 1; i <= count; i++)
        {
            database.Clock.Advance(TimeSpan.FromMinutes(1));
            await Log.AppendAsync(new AuditRecord(actor, action, $"entry {i}", App: i % 2 == 1 ? "mackerel" : "herring"));
        }
    }

    private IRenderedComponent<AuditLogGrid> RenderGrid(AuditFilter? initial = null)
    {
        RenderProviders();
        return Render<AuditLogGrid>(p => p.Add(c => c.InitialFilter, initial));
    }

    private static List<string> Summaries(IRenderedComponent<AuditLogGrid> grid) =>
        grid.FindAll("[data-testid=audit-summary]").Select(e => e.TextContent).ToList();

    [Fact]
    public async Task The_first_page_holds_the_newest_25_entries_and_the_total_counts_all_of_them()
    {
        await SeedAsync(60);

        var grid = RenderGrid();

        grid.WaitForAssertion(() => Assert.Equal(25, Summaries(grid).Count));
        Assert.Equal(Enumerable.Range(36, 25).Reverse().Select(i => $"entry {i}"), Summaries(grid));
        Assert.Contains("60 entries", grid.Find("[data-testid=audit-total]").TextContent);
    }

    [Fact]
    public async Task The_next_page_comes_from_the_server_and_continues_where_the_first_stopped()
    {
        await SeedAsync(60);
        var grid = RenderGrid();
        grid.WaitForAssertion(() => Assert.Equal("entry 60", Summaries(grid).First()));

        grid.Find("button[aria-label='Next page']").Click();

        grid.WaitForAssertion(() => Assert.Equal("entry 35", Summaries(grid).First()));
        Assert.Equal("entry 11", Summaries(grid).Last());
    }

    [Fact]
    public async Task Filtering_by_app_shows_only_that_apps_entries_and_the_exports_follow_the_filter()
    {
        await SeedAsync(10);
        var grid = RenderGrid();
        grid.WaitForAssertion(() => Assert.Equal(10, Summaries(grid).Count));

        grid.Find("#audit-filter-app").Input("herring");
        grid.Find("[data-testid=audit-filters]").Submit();

        grid.WaitForAssertion(() => Assert.Equal(["entry 10", "entry 8", "entry 6", "entry 4", "entry 2"], Summaries(grid)));
        Assert.All(grid.FindAll("[data-testid=audit-app]"), cell => Assert.Equal("herring", cell.TextContent));
        Assert.Contains("5 entries", grid.Find("[data-testid=audit-total]").TextContent);
        Assert.Equal("/audit/export?format=csv&app=herring", grid.Find("[data-testid=audit-export-csv]").GetAttribute("href"));
        Assert.Equal("/audit/export?format=jsonl&app=herring", grid.Find("[data-testid=audit-export-jsonl]").GetAttribute("href"));
    }

    [Fact]
    public async Task User_action_and_day_filters_combine()
    {
        await SeedAsync(4, actor: "alice@example.com", action: "run.started");
        database.Clock.Advance(TimeSpan.FromDays(2));
        await SeedAsync(3, actor: "bob@example.com", action: "run.started");
        await SeedAsync(2, actor: "bob@example.com", action: "step.approved");
        var bobsDay = database.Clock.GetUtcNow().UtcDateTime.Date;

        var grid = RenderGrid(new AuditFilter(Actor: "bob@example.com", Action: "run.started",
            From: new DateTimeOffset(bobsDay, TimeSpan.Zero), To: new DateTimeOffset(bobsDay.AddDays(1), TimeSpan.Zero)));

        grid.WaitForAssertion(() => Assert.Equal(["entry 3", "entry 2", "entry 1"], Summaries(grid)));
        Assert.All(grid.FindAll("[data-testid=audit-action]"), cell => Assert.Equal("run.started", cell.TextContent));
        var csv = grid.Find("[data-testid=audit-export-csv]").GetAttribute("href")!;
        Assert.Contains("user=bob%40example.com", csv);
        Assert.Contains("action=run.started", csv);
        Assert.Contains("from=", csv);
    }

    [Fact]
    public async Task Clearing_the_filters_shows_everything_again()
    {
        await SeedAsync(6);
        var grid = RenderGrid(new AuditFilter(App: "mackerel"));
        grid.WaitForAssertion(() => Assert.Equal(3, Summaries(grid).Count));

        grid.Find("[data-testid=audit-clear]").Click();

        grid.WaitForAssertion(() => Assert.Equal(6, Summaries(grid).Count));
        Assert.Empty(grid.FindAll("[data-testid=audit-clear]"));
    }

    [Fact]
    public void An_empty_log_shows_the_empty_state()
    {
        var grid = RenderGrid();

        grid.WaitForAssertion(() => Assert.Contains("Nothing has happened yet", grid.Find("[data-testid=empty-state]").TextContent));
        Assert.Empty(grid.FindAll("[data-testid=audit-summary]"));
    }

    [Fact]
    public async Task A_filter_matching_nothing_says_so_rather_than_that_nothing_happened()
    {
        await SeedAsync(3);

        var grid = RenderGrid(new AuditFilter(App: "no-such-app"));

        grid.WaitForAssertion(() => Assert.Contains("No entry matches these filters", grid.Find("[data-testid=empty-state]").TextContent));
    }

    [Fact]
    public async Task Verify_chain_reports_an_intact_chain_with_its_length()
    {
        await SeedAsync(7);
        var grid = RenderGrid();

        grid.Find("[data-testid=audit-verify]").Click();

        grid.WaitForAssertion(() => Assert.Contains("all 7 entries are unchanged", grid.Find("[data-testid=audit-verify-result]").TextContent));
    }

    [Fact]
    public async Task Verify_chain_names_the_first_entry_that_does_not_hold()
    {
        await SeedAsync(4);
        await using (var db = await Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync())
        {
            // Written behind the log's back: links to entry 4 but its hash covers nothing.
            var last = await db.AuditEntries.OrderByDescending(e => e.Sequence).FirstAsync();
            db.AuditEntries.Add(new AuditEntry
            {
                Sequence = 5, At = last.At.AddMinutes(1), Actor = "mallory", Action = "test.action", Summary = "forged",
                PreviousHash = last.Hash, Hash = new string('f', 64),
            });
            await db.SaveChangesAsync();
        }

        var grid = RenderGrid();
        grid.Find("[data-testid=audit-verify]").Click();

        grid.WaitForAssertion(() => Assert.Contains("broken at entry 5", grid.Find("[data-testid=audit-verify-result]").TextContent));
    }

    [Fact]
    public async Task A_viewer_sees_neither_export_nor_verify_and_a_verify_from_a_page_opened_as_approver_is_refused_after_the_role_went()
    {
        await SeedAsync(3);
        var approverPage = RenderGrid();
        approverPage.WaitForAssertion(() => Assert.Single(approverPage.FindAll("[data-testid=audit-verify]")));
        await using (var db = await Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync())
        {
            (await db.Set<UserAccount>().SingleAsync()).Roles = TeamRole.Viewer;
            await db.SaveChangesAsync();
        }

        approverPage.Find("[data-testid=audit-verify]").Click();

        approverPage.WaitForAssertion(() => Assert.Contains("needs the approver or admin role", approverPage.Find("[data-testid=audit-verify-result]").TextContent));
        Authorization.SetRoles(TeamRole.Viewer);
        Authorization.SetClaims(new System.Security.Claims.Claim(System.Security.Claims.ClaimTypes.NameIdentifier, Guid.NewGuid().ToString()));
        var viewerPage = Render<AuditLogGrid>(); // the providers are already rendered
        viewerPage.WaitForAssertion(() => Assert.Equal(3, Summaries(viewerPage).Count));
        Assert.Empty(viewerPage.FindAll("[data-testid=audit-verify]"));
        Assert.Empty(viewerPage.FindAll("[data-testid=audit-export-csv]"));
    }

    [Fact]
    public async Task Verifying_from_the_page_counts_against_the_same_budget_as_the_endpoints()
    {
        await SeedAsync(1);
        var grid = RenderGrid();
        var readers = Services.GetRequiredService<AuditReaders>();
        var user = (await Services.GetRequiredService<AuthenticationStateProvider>().GetAuthenticationStateAsync()).User;
        for (var i = 1; i < AuditEndpoints.RequestsPerWindow; i++) Assert.Null(await readers.RefusalAsync(user, default));

        grid.Find("[data-testid=audit-verify]").Click();
        grid.WaitForAssertion(() => Assert.Contains("all 1 entries", grid.Find("[data-testid=audit-verify-result]").TextContent));
        grid.Find("[data-testid=audit-verify]").Click();

        grid.WaitForAssertion(() => Assert.Contains("a minute", grid.Find("[data-testid=audit-verify-result]").TextContent));
    }
}

public sealed class AuditLogGridWithoutDatabaseTests : PortalTestContext, IAsyncLifetime
{
    private readonly PortalDatabaseForComponents database;

    public AuditLogGridWithoutDatabaseTests()
    {
        database = new PortalDatabaseForComponents(Services, migrated: false);
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        database.Dispose();
    }

    [Fact]
    public void A_database_that_cannot_answer_shows_an_error_instead_of_an_empty_log()
    {
        RenderProviders();
        var grid = Render<AuditLogGrid>();

        grid.WaitForAssertion(() => Assert.Contains("could not be loaded", grid.Find("[data-testid=error]").TextContent));
        Assert.Empty(grid.FindAll("[data-testid=empty-state]"));
    }
}
