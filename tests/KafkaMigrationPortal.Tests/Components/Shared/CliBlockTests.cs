using Bunit;
using KafkaMigrationPortal.Components.Shared;

namespace KafkaMigrationPortal.Tests.Components.Shared;

public sealed class CliBlockTests : PortalTestContext
{
    private const string Command = "heroku addons:attach kafka-old-1234 --app mackerel --as KAFKA --confirm mackerel";

    [Fact]
    public void The_command_is_shown_as_typed_and_copied_whole()
    {
        var block = Render<CliBlock>(p => p.Add(b => b.Command, Command).Add(b => b.TestId, "cli"));

        Assert.Equal(Command, block.Find("pre[data-testid=cli]").TextContent);
        block.Find("[data-testid=copy-cli]").Click();

        var copy = Assert.Single(JSInterop.Invocations, i => i.Identifier == "portalClipboard.copy");
        Assert.Equal(Command, copy.Arguments.Single());
        block.WaitForAssertion(() => Assert.Equal("Copied", block.Find("[data-testid=copy-cli]").GetAttribute("aria-label")));
    }
}
