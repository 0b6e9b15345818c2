using Bunit;
using KafkaMigrationPortal.Features.Migrations.Components;

namespace KafkaMigrationPortal.Tests.Components.Migrations;

public sealed class KafkaPlanNameTests : PortalTestContext
{
    [Fact]
    public void A_sandbox_only_plan_is_marked_as_such_and_names_the_real_plan_it_copies()
    {
        var name = Render<KafkaPlanName>(p => p.Add(n => n.Plan, "heroku-kafka:basic-0-sandbox"));

        Assert.StartsWith("heroku-kafka:basic-0-sandbox", name.Markup);
        var chip = name.Find("[data-testid=sandbox-plan]");
        Assert.Contains("sandbox plan", chip.TextContent);
        Assert.Contains("twin of heroku-kafka:basic-0", chip.GetAttribute("title"));
    }

    [Fact]
    public void A_real_plan_is_just_its_name()
    {
        var name = Render<KafkaPlanName>(p => p.Add(n => n.Plan, "heroku-kafka:basic-0"));

        Assert.Equal("heroku-kafka:basic-0", name.Markup.Trim());
        Assert.Empty(name.FindAll("[data-testid=sandbox-plan]"));
    }
}
