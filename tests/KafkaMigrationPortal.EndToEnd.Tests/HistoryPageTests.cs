using KafkaMigrationPortal.Engine.Audit;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace KafkaMigrationPortal.EndToEnd.Tests;

[Collection(PortalSessionCollection.Name)]
public sealed class HistoryPageTests(PortalSession session)
{
    /// <summary>Appends through the portal's own audit log, on the running portal's database file, under an app name of this test's own.</summary>
    private async Task<string> SeedAsync(int count)
    {
        var app = $"e2e-{Guid.NewGuid():N}"[..14];
        var log = session.Database.AuditLog;
        for (var i = 1; i <= count; i++)
        {
            await log.AppendAsync(new AuditRecord("dora@example.com", i % 3 == 0 ? "e2e.third" : "e2e.other", $"{app} entry {i}", App: app));
        }

        return app;
    }

    [Fact]
    public async Task Filters_and_paging_are_answered_by_the_server()
    {
        var app = await SeedAsync(60);
        await using var context = await session.NewContextAsync(PortalSession.Wide, session.AliceState);
        var page = await context.NewPageAsync();
        var summaries = page.GetByTestId("audit-summary");
        await session.OpenAsync(page, "history");
        await Expect(summaries.First).ToBeVisibleAsync();

        await page.Locator("#audit-filter-app").FillAsync(app);
        await page.Locator("#audit-filter-action").FillAsync("e2e.third");
        await page.GetByTestId("audit-apply").ClickAsync();

        await Expect(page.GetByTestId("audit-total")).ToContainTextAsync("20 entries");
        await Expect(summaries).ToHaveTextAsync(Enumerable.Range(1, 20).Select(i => i * 3).Reverse().Select(i => $"{app} entry {i}"));
        await session.ScreenshotAsync(page, "history-filtered");
        await Expect(page.GetByTestId("audit-export-csv")).ToHaveAttributeAsync("href", $"/audit/export?format=csv&app={app}&action=e2e.third");

        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByTestId("audit-export-csv").ClickAsync());
        var exported = await File.ReadAllLinesAsync((await download.PathAsync())!);
        Assert.Equal(21, exported.Length); // the header and 20 entries
        Assert.All(exported.Skip(1), line => Assert.Contains("e2e.third", line));

        await page.Locator("#audit-filter-action").FillAsync("");
        await page.GetByTestId("audit-apply").ClickAsync();
        await Expect(page.GetByTestId("audit-total")).ToContainTextAsync("60 entries");
        await Expect(summaries.First).ToHaveTextAsync($"{app} entry 60");

        await page.Locator("button[aria-label='Next page']").ClickAsync();
        await Expect(summaries.First).ToHaveTextAsync($"{app} entry 35");
        await Expect(summaries.Last).ToHaveTextAsync($"{app} entry 11");
    }

    [Fact]
    public async Task Verify_chain_reports_on_the_whole_log()
    {
        await SeedAsync(3);
        await using var context = await session.NewContextAsync(PortalSession.Wide, session.AliceState);
        var page = await context.NewPageAsync();
        await session.OpenAsync(page, "history");

        await page.GetByTestId("audit-verify").ClickAsync();

        await Expect(page.GetByTestId("audit-verify-result")).ToContainTextAsync("The chain holds");
    }
}
