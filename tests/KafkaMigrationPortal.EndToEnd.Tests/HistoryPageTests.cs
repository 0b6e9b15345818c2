using KafkaMigrationPortal.Features.Audit;
using KafkaMigrationPortal.Features.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Playwright;

namespace KafkaMigrationPortal.EndToEnd.Tests;

[Collection(PortalSessionCollection.Name)]
public sealed class HistoryPageTests(PortalSession session)
{
    /// <summary>Appends through the portal's own audit log, on the running portal's database file.</summary>
    private async Task<string> SeedAsync(int count)
    {
        var app = $"e2e-{Guid.NewGuid():N}"[..14];
        await using var services = new ServiceCollection()
            .AddDbContextFactory<SqlitePortalDbContext>(o => o.UseSqlite($"Data Source={session.Portal.DatabasePath}"))
            .BuildServiceProvider();
        var log = new AuditLog(new Contexts(services.GetRequiredService<IDbContextFactory<SqlitePortalDbContext>>()), TimeProvider.System, NullLogger<AuditLog>.Instance);
        for (var i = 1; i <= count; i++)
        {
            await log.AppendAsync(new AuditRecord("dora@example.com", i % 3 == 0 ? "e2e.third" : "e2e.other", $"{app} entry {i}", App: app));
        }

        return app;
    }

    private sealed class Contexts(IDbContextFactory<SqlitePortalDbContext> inner) : IDbContextFactory<PortalDbContext>
    {
        public PortalDbContext CreateDbContext() => inner.CreateDbContext();
    }

    private static async Task<IReadOnlyList<string>> SummariesAsync(IPage page) =>
        await page.GetByTestId("audit-summary").AllTextContentsAsync();

    [Fact]
    public async Task Filters_and_paging_are_answered_by_the_server()
    {
        var app = await SeedAsync(60);
        await using var context = await session.NewContextAsync(PortalSession.Wide, session.AliceState);
        var page = await context.NewPageAsync();
        await page.GotoAsync(session.Url("history"));
        await PortalSession.WaitForCircuitAsync(page);
        await Assertions.Expect(page.GetByTestId("audit-summary").First).ToBeVisibleAsync();

        await PortalSession.UntilAsync(
            async () =>
            {
                await page.Locator("#audit-filter-app").FillAsync(app);
                await page.Locator("#audit-filter-action").FillAsync("e2e.third");
                await page.GetByTestId("audit-apply").ClickAsync();
            },
            async () => (await page.GetByTestId("audit-total").TextContentAsync())?.Contains("20 entries") == true,
            "the app and action filters narrow the log to 20 entries");

        var first = await SummariesAsync(page);
        Assert.Equal(Enumerable.Range(1, 20).Select(i => i * 3).Reverse().Select(i => $"{app} entry {i}"), first);
        await session.ScreenshotAsync(page, "history-filtered");
        var csv = await page.GetByTestId("audit-export-csv").GetAttributeAsync("href");
        Assert.Equal($"/audit/export?format=csv&app={app}&action=e2e.third", csv);

        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByTestId("audit-export-csv").ClickAsync());
        var exported = await File.ReadAllLinesAsync((await download.PathAsync())!);
        Assert.Equal(21, exported.Length); // the header and 20 entries
        Assert.All(exported.Skip(1), line => Assert.Contains("e2e.third", line));

        await page.Locator("#audit-filter-action").FillAsync("");
        await page.GetByTestId("audit-apply").ClickAsync();
        await Assertions.Expect(page.GetByTestId("audit-total")).ToContainTextAsync("60 entries");
        Assert.Equal($"{app} entry 60", (await SummariesAsync(page))[0]);

        await page.Locator("button[aria-label='Next page']").ClickAsync();
        await Assertions.Expect(page.GetByTestId("audit-summary").First).ToHaveTextAsync($"{app} entry 35");
        Assert.Equal($"{app} entry 11", (await SummariesAsync(page))[^1]);
    }

    [Fact]
    public async Task Verify_chain_reports_on_the_whole_log()
    {
        await SeedAsync(3);
        await using var context = await session.NewContextAsync(PortalSession.Wide, session.AliceState);
        var page = await context.NewPageAsync();
        await page.GotoAsync(session.Url("history"));
        await PortalSession.WaitForCircuitAsync(page);

        await PortalSession.UntilAsync(
            () => page.GetByTestId("audit-verify").ClickAsync(),
            () => page.GetByTestId("audit-verify-result").IsVisibleAsync(),
            "verify chain answers");

        await Assertions.Expect(page.GetByTestId("audit-verify-result")).ToContainTextAsync("The chain holds");
    }
}
