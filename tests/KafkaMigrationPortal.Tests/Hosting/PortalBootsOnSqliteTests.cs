using System.Net;
using KafkaMigrationPortal.Tests.Hosting;

namespace KafkaMigrationPortal.Tests.Hosting;

[Collection(PortalHostCollection.Name)]
public sealed class PortalBootsOnSqliteTests : IDisposable
{
    private readonly string databaseFile = Path.Combine(Path.GetTempPath(), $"kmp-{Guid.NewGuid():N}.db");
    private readonly PortalFactory portal;

    public PortalBootsOnSqliteTests() => portal = PortalFactory.OnSqlite(databaseFile);

    [Fact]
    public async Task Health_reports_the_embedded_storage_and_a_running_job_server()
    {
        var health = await HealthReport.WaitUntilHealthyAsync(portal.CreateClient());

        Assert.Equal("Sqlite", (string?)health["checks"]!["storage"]!["data"]!["provider"]);
        Assert.Equal(0, (int)health["checks"]!["storage"]!["data"]!["pendingMigrations"]!);
        Assert.Equal("InMemoryStorage", (string?)health["checks"]!["jobs"]!["data"]!["storage"]);
        Assert.True((int)health["checks"]!["jobs"]!["data"]!["servers"]! >= 1);
        Assert.True(File.Exists(databaseFile), "the SQLite file is created at start-up");
    }

    [Theory]
    [InlineData("/", "No migrations yet")]
    [InlineData("/migrations", "No migrations yet")]
    [InlineData("/migrations/new", "New migration")]
    [InlineData("/approvals", "Nothing waits for your approval")]
    [InlineData("/history", "Nothing has happened yet")]
    [InlineData("/settings", "Embedded SQLite file")]
    public async Task Every_section_renders_its_page(string path, string expectedText)
    {
        var client = await portal.SignInAsync("alice@example.com");
        var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains(expectedText, html);
        Assert.Contains("Kafka Migration Portal", html);
    }

    [Fact]
    public async Task An_unknown_address_gets_the_not_found_page()
    {
        var client = await portal.SignInAsync("alice@example.com");
        var response = await client.GetAsync("/no-such-page");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("Nothing here", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Static_assets_come_from_the_top_level_wwwroot()
    {
        var client = await portal.SignInAsync("alice@example.com");
        var html = await client.GetStringAsync("/migrations");
        var cssHref = System.Text.RegularExpressions.Regex.Match(html, "href=\"(app\\.[^\"]*css)\"").Groups[1].Value;

        var css = await client.GetStringAsync("/" + cssHref);

        var topLevel = await File.ReadAllTextAsync(Path.Combine(TestSupport.RepositoryPaths.Root, "wwwroot", "app.css"));
        Assert.Equal(topLevel, css);
    }

    public void Dispose()
    {
        portal.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        File.Delete(databaseFile);
    }
}
