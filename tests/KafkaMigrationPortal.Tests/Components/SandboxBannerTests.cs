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

        Assert.Contains("Nothing you do here touches a real app", banner.Find("[data-testid=sandbox-banner]").TextContent);
    }

    [Fact]
    public void Against_Heroku_there_is_no_banner()
    {
        Services.AddSingleton(new HerokuConnection(HerokuConnectionMode.Heroku, new StaticTokenCredential("key", "HEROKU_API_KEY")));

        var banner = Render<SandboxBanner>();

        Assert.Empty(banner.FindAll("[data-testid=sandbox-banner]"));
    }
}
