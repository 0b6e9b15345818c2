using KafkaMigrationPortal.Features.Connections;
using KafkaMigrationPortal.Heroku;
using KafkaMigrationPortal.Tests.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace KafkaMigrationPortal.Tests.Connections;

[Collection(PortalHostCollection.Name)]
public sealed class SandboxConnectionTests : IDisposable
{
    private readonly string databaseFile = Path.Combine(Path.GetTempPath(), $"kmp-{Guid.NewGuid():N}.db");

    [Fact]
    public async Task Without_a_Heroku_credential_the_portal_runs_against_its_in_process_sandbox()
    {
        using var portal = PortalFactory.OnSqlite(databaseFile);
        var client = await portal.SignInAsync("alice@example.com");

        Assert.Contains("data-testid=\"sandbox-banner\"", await client.GetStringAsync("/migrations"));
        var settings = await client.GetStringAsync("/settings");
        Assert.Contains("Simulated Heroku (sandbox)", settings);
        Assert.Contains("alice@example.com", settings);

        var connection = portal.Services.GetRequiredService<HerokuConnection>();
        var platform = portal.Services.GetRequiredService<IHerokuClientFactory>().Platform(connection.Credential);
        var attachments = await platform.ListAttachmentsAsync("mackerel");
        var kafka = Assert.Single(attachments, a => a.Name == "KAFKA");
        Assert.StartsWith("heroku-kafka:", kafka.Addon.Plan!.Name);
        Assert.Contains("KAFKA_URL", kafka.ConfigVars!);

        var sandboxUrl = portal.Services.GetRequiredService<EmbeddedSandbox>().BaseUrl;
        var options = portal.Services.GetRequiredService<IOptions<HerokuClientOptions>>().Value;
        Assert.Equal(sandboxUrl, options.PlatformApiBaseUrl);
        Assert.Equal(sandboxUrl, options.KafkaApiBaseUrl);
        Assert.True(sandboxUrl.IsLoopback);
    }

    [Fact]
    public async Task With_HEROKU_API_KEY_the_portal_talks_to_Heroku_and_hosts_no_sandbox()
    {
        using var portal = new PortalFactory(new Dictionary<string, string?>
        {
            ["Storage:SqlitePath"] = databaseFile,
            [HerokuConnection.ApiKeyVariable] = "test-key-not-real",
        });
        var client = portal.CreateClient();

        Assert.DoesNotContain("sandbox-banner", await client.GetStringAsync("/migrations"));
        Assert.Null(portal.Services.GetService<EmbeddedSandbox>());
        var connection = portal.Services.GetRequiredService<HerokuConnection>();
        Assert.Equal(HerokuConnectionMode.Heroku, connection.Mode);
        Assert.Equal(HerokuConnection.ApiKeyVariable, connection.Credential.Description);
        Assert.Equal(new Uri("https://api.heroku.com"), portal.Services.GetRequiredService<IOptions<HerokuClientOptions>>().Value.PlatformApiBaseUrl);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        File.Delete(databaseFile);
    }
}
