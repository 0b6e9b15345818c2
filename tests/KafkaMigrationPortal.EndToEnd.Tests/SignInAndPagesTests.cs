using KafkaMigrationPortal.TestSupport;
using Microsoft.Playwright;

namespace KafkaMigrationPortal.EndToEnd.Tests;

[Collection(PortalSessionCollection.Name)]
public sealed class SignInAndPagesTests(PortalSession session)
{
    [Fact]
    public async Task A_signed_out_visitor_is_sent_to_sign_in_and_comes_back_signed_in_through_the_sandbox()
    {
        await using var context = await session.NewContextAsync(PortalSession.Wide);
        var page = await context.NewPageAsync();
        var complaints = BrowserComplaints.Watch(page);

        await page.GotoAsync(session.Url("history"));

        await page.WaitForURLAsync(url => url.Contains("/signin", StringComparison.Ordinal));
        Assert.Contains("returnUrl=%2Fhistory", page.Url, StringComparison.OrdinalIgnoreCase);
        await Assertions.Expect(page.GetByTestId("sandbox-signin-note")).ToBeVisibleAsync();
        await session.ScreenshotAsync(page, "signin");

        await session.SignInAsync(page, PortalSession.Carol, "history");

        Assert.StartsWith(session.Url("history"), page.Url);
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("History");
        await Assertions.Expect(page.GetByTestId("signed-in-user")).ToContainTextAsync("carol", new() { IgnoreCase = true });
        await Assertions.Expect(page.GetByTestId("audit-summary").Filter(new() { HasText = $"{PortalSession.Carol} signed in" }).First).ToBeVisibleAsync();
        Assert.Empty(complaints);
    }

    [Fact]
    public async Task The_start_up_log_names_the_sandbox_once_and_ends_with_the_portals_address()
    {
        const string Ready = "Kafka Migration Portal is ready: open ";
        var output = await Deadline.PollAsync(() => Task.FromResult(session.Portal.Output), o => o.Contains(Ready), TimeSpan.FromSeconds(30), "the portal says it is ready");

        var startUp = output[..(output.IndexOf(Ready, StringComparison.Ordinal) + Ready.Length)];
        var readyLine = output[startUp.Length..].Split('\n')[0].Trim();
        Assert.Equal(session.Portal.BaseUrl.ToString().TrimEnd('/'), readyLine);
        Assert.Single(startUp.Split('\n'), line => line.Contains("Application started", StringComparison.Ordinal));
        Assert.Single(startUp.Split('\n'), line => line.Contains("Now listening on", StringComparison.Ordinal));
        Assert.Contains($"Simulated Heroku (the sandbox) answers the portal at {session.Portal.SandboxUrl}", startUp);
    }

    public static TheoryData<string, string, string> Pages() => new()
    {
        { "migrations", "Migrations", "migrations" },
        { "migrations/new", "New migration", "wizard" },
        { "approvals", "Approvals", "approvals" },
        { "history", "History", "history" },
        { "history?tab=runs", "History", "history-runs" },
        { "settings", "Settings", "settings" },
    };

    [Theory]
    [MemberData(nameof(Pages))]
    public async Task Every_page_renders_at_1280_px_and_on_a_390_px_phone_without_sideways_scrolling(string path, string heading, string screenshot)
    {
        foreach (var (viewport, suffix) in new[] { (PortalSession.Wide, ""), (PortalSession.Narrow, "-narrow") })
        {
            await using var context = await session.NewContextAsync(viewport, session.AliceState);
            var page = await context.NewPageAsync();
            var errors = BrowserComplaints.Watch(page);

            var response = await page.GotoAsync(session.Url(path));
            await PortalSession.WaitForCircuitAsync(page);

            Assert.Equal(200, response!.Status);
            await Assertions.Expect(page.Locator("h1").First).ToContainTextAsync(heading);
            await Assertions.Expect(page.Locator("#blazor-error-ui")).ToBeHiddenAsync();
            var overflow = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - document.documentElement.clientWidth");
            Assert.True(overflow <= 1, $"{path} at {viewport.Width} px scrolls sideways by {overflow} px");
            Assert.Empty(errors);
            await session.ScreenshotAsync(page, screenshot + suffix);
        }
    }
}
