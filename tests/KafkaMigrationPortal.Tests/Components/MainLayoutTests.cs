using System.Security.Claims;
using Bunit;
using KafkaMigrationPortal.Engine;
using KafkaMigrationPortal.Engine.Execution;
using KafkaMigrationPortal.Features.Approvals;
using KafkaMigrationPortal.Features.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using KafkaMigrationPortal.Components.Layout;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace KafkaMigrationPortal.Tests.Components;

public sealed class MainLayoutTests : PortalTestContext
{
    public MainLayoutTests()
    {
        // The navigation's Approvals badge counts the signed-in person's waiting gates: none here.
        Services.AddSingleton<IApprovalInbox, NoGates>();
        Services.AddSingleton<IRunNotifier>(new RunNotifier(NullLogger<RunNotifier>.Instance));
        Services.AddSingleton(TimeProvider.System);
    }

    private sealed class NoGates : IApprovalInbox
    {
        public Task<HerokuGrantNeeded?> GrantNeededAsync(ClaimsPrincipal user, CancellationToken ct = default) => Task.FromResult<HerokuGrantNeeded?>(null);

        public Task<QueryResult<IReadOnlyList<PendingApproval>>> ListAsync(ClaimsPrincipal user, CancellationToken ct = default) =>
            Task.FromResult(QueryResult<IReadOnlyList<PendingApproval>>.Ok([]));
    }

    private IRenderedComponent<MainLayout> RenderLayout(bool interactive = true)
    {
        SetRendererInfo(new RendererInfo(interactive ? "Server" : "Static", interactive));
        return Render<MainLayout>(p => p.Add(l => l.Body, (RenderFragment)(b => b.AddMarkupContent(0, "<p id='page-body'>page</p>"))));
    }

    [Theory]
    [InlineData(false, null)]
    [InlineData(true, "ready")]
    public void Only_a_render_over_the_circuit_marks_the_page_ready_for_clicks(bool interactive, string? marker)
    {
        var layout = RenderLayout(interactive);

        Assert.Equal(marker, layout.Find(".mud-layout").GetAttribute("data-circuit"));
    }

    [Fact]
    public void It_shows_the_page_inside_the_app_bar_and_navigation()
    {
        var layout = RenderLayout();

        Assert.NotNull(layout.Find("#page-body"));
        Assert.Contains("Kafka Migration Portal", layout.Find("header").TextContent);
        var links = layout.FindAll("nav a").Select(a => (a.GetAttribute("href"), a.TextContent.Trim())).ToList();
        Assert.Equal(
            [("/migrations", "Migrations"), ("/migrations/new", "New migration"), ("/approvals", "Approvals"), ("/history", "History"), ("/settings", "Settings")],
            links);
    }

    [Fact]
    public void The_theme_toggle_switches_between_light_and_dark()
    {
        var layout = RenderLayout();
        var theme = layout.FindComponent<MudThemeProvider>();
        Assert.Contains(PrimaryColour(PortalTheme.Theme.PaletteLight), theme.Markup);

        layout.Find("[data-testid=theme-toggle]").Click();

        layout.WaitForAssertion(() => Assert.Contains(PrimaryColour(PortalTheme.Theme.PaletteDark), theme.Markup));
        Assert.Equal("Switch to light theme", layout.FindComponent<MudTooltip>().Instance.Text);
    }

    private static string PrimaryColour(Palette palette) =>
        $"--mud-palette-primary: {palette.Primary.ToString(MudBlazor.Utilities.MudColorOutputFormats.RGBA)};";
}
