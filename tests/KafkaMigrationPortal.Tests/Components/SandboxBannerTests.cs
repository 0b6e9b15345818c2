using Bunit;
using KafkaMigrationPortal.Components.Layout;
using KafkaMigrationPortal.Features.Connections;
using KafkaMigrationPortal.Heroku;
using Microsoft.Extensions.DependencyInjection;

namespace KafkaMigrationPortal.Tests.Components;

public sealed class SandboxBannerTests : PortalTestContext
{
    [Fact]
    public void Against_the_sandbox_the_banner_says_nothing_real_is_touched()
    {
        var banner = Render<SandboxBanner>();

        var text = System.Text.RegularExpressions.Regex.Replace(banner.Find("[data-testid=sandbox-banner]").TextContent, @"\s+", " ");
        Assert.Contains("Sandbox mode", text);
        Assert.Contains("Nothing you do here touches a real app", text);
        Assert.Contains("set PORTAL_MODE=heroku with HEROKU_OAUTH_ID and HEROKU_OAUTH_SECRET", text);
    }

    [Theory]
    [InlineData(true, "inside this process")]
    [InlineData(false, "a standalone sandbox on this machine")]
    public void The_banner_says_where_the_sandbox_runs(bool embedded, string where)
    {
        Services.AddSingleton(new HerokuConnection(HerokuConnectionMode.Sandbox, new StaticTokenCredential("sandbox-token-alice", "sandbox user")) { EmbedsSandbox = embedded });

        var banner = Render<SandboxBanner>();

        Assert.Contains(where, banner.Find("[data-testid=sandbox-banner]").TextContent);
    }

    [Fact]
    public void Against_Heroku_there_is_no_banner()
    {
        Services.AddSingleton(new HerokuConnection(HerokuConnectionMode.Heroku, new StaticTokenCredential("key", "HEROKU_API_KEY")));

        var banner = Render<SandboxBanner>();

        Assert.Empty(banner.FindAll("[data-testid=sandbox-banner]"));
    }
}
