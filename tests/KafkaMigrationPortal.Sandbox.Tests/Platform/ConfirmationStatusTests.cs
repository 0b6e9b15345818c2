using System.Net;
using KafkaMigrationPortal.Sandbox.Control;
using KafkaMigrationPortal.Sandbox.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace KafkaMigrationPortal.Sandbox.Tests.Platform;

/// <summary><c>confirmation_required</c> comes with either status the CLI's fixtures show; clients key on the id.</summary>
public sealed class ConfirmationStatusTests
{
    private static async Task<(SandboxHost Host, HttpClient Api)> StartAsync(Action<SandboxOptions>? configure = null)
    {
        var host = await SandboxHost.StartAsync(configure);
        return (host, host.Client());
    }

    [Theory]
    [InlineData(400)]
    [InlineData(423)]
    public async Task Confirmation_required_comes_with_the_configured_status(int status)
    {
        var (host, api) = await StartAsync(o => o.ConfirmationRequiredStatus = status);
        await using var running = host;
        using var created = await api.SendJson(HttpMethod.Post, "apps/mackerel/addons",
            new { plan = "heroku-kafka:standard-0", attachment = new { name = "NEW_KAFKA" } });
        var addon = (await created.Json())!["id"]!.GetValue<string>();

        using var refused = await api.SendJson(HttpMethod.Post, "addon-attachments", new { addon, app = "mackerel", name = "KAFKA" });

        Assert.Equal((HttpStatusCode)status, refused.StatusCode);
        Assert.Equal("confirmation_required", (await refused.Json())!["id"]!.GetValue<string>());
        var logged = host.Services.GetRequiredService<SandboxMutationLog>();
        Assert.Contains(logged.Entries(), m => m.Path == "/addon-attachments" && m.Status == status);
    }
}
