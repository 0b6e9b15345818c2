using Bunit;
using KafkaMigrationPortal.Components.Shared;
using Microsoft.AspNetCore.Components;
using KafkaMigrationPortal.Engine;

namespace KafkaMigrationPortal.Tests.Components;

public sealed class AsyncContentTests : PortalTestContext
{
    private IRenderedComponent<AsyncContent<IReadOnlyList<string>>> RenderWith(QueryResult<IReadOnlyList<string>>? result) =>
        Render<AsyncContent<IReadOnlyList<string>>>(p => p
            .Add(c => c.Result, result)
            .Add(c => c.Empty, (RenderFragment)(b => b.AddMarkupContent(0, "<p id='empty'>none</p>")))
            .Add(c => c.ChildContent, items => b => b.AddMarkupContent(0, $"<p id='items'>{string.Join(",", items)}</p>")));

    [Fact]
    public void While_loading_it_shows_progress_only()
    {
        var content = RenderWith(null);

        Assert.NotNull(content.Find("[data-testid=loading]"));
        Assert.Empty(content.FindAll("#items, #empty, [data-testid=error]"));
    }

    [Fact]
    public void A_failure_shows_the_services_message()
    {
        var content = RenderWith(QueryResult<IReadOnlyList<string>>.Failed("database did not answer"));

        Assert.Contains("database did not answer", content.Find("[data-testid=error]").TextContent);
        Assert.Empty(content.FindAll("#items, #empty"));
    }

    [Fact]
    public void An_empty_list_shows_the_empty_state()
    {
        var content = RenderWith(QueryResult<IReadOnlyList<string>>.Ok([]));

        Assert.NotNull(content.Find("#empty"));
        Assert.Empty(content.FindAll("#items"));
    }

    [Fact]
    public void Values_are_rendered_by_the_child_content()
    {
        var content = RenderWith(QueryResult<IReadOnlyList<string>>.Ok(["a", "b"]));

        Assert.Equal("a,b", content.Find("#items").TextContent);
    }
}
