using System.Net;
using System.Text.Json.Nodes;
using KafkaMigrationPortal.Sandbox.Tests.Support;
using KafkaMigrationPortal.TestSupport;
using Microsoft.Extensions.Time.Testing;

namespace KafkaMigrationPortal.Sandbox.Tests.Platform;

/// <summary>Heroku's rules for destroying add-ons and removing attachments, as the sandbox enforces them by default.</summary>
public sealed class DestroyAndAttachmentRulesTests
{
    private static readonly TimeSpan Delay = TimeSpan.FromMinutes(2);

    private static async Task<string> DemoAddonId(HttpClient api) => (await api.GetJson("apps/mackerel/addons"))[0]!["id"]!.GetValue<string>();

    private static async Task<IReadOnlyList<string>> AttachmentNames(HttpClient api, string app = "mackerel") =>
        [.. (await api.GetJson($"apps/{app}/addon-attachments")).AsArray().Select(a => a!["name"]!.GetValue<string>()).Order(StringComparer.Ordinal)];

    private static async Task<int> ReleaseCount(HttpClient api) => (await api.GetJson("apps/mackerel/releases")).AsArray().Count;

    private static async Task<JsonObject> Attach(HttpClient api, string addon, string app, string name, string? confirm = null)
    {
        using var response = await api.SendJson(HttpMethod.Post, "addon-attachments", new { addon, app, name, confirm });
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"attach answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return (await response.Json())!.AsObject();
    }

    [Fact]
    public void The_sandbox_destroys_in_the_background_by_default() =>
        Assert.True(new SandboxOptions().DeprovisioningDelay > TimeSpan.Zero);

    [Fact]
    public async Task A_destroyed_addon_answers_deprovisioning_and_is_gone_only_after_the_delay()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await SandboxHost.StartAsync(o => o.DeprovisioningDelay = Delay, time: time);
        var api = host.Client();
        using (var created = await api.SendJson(HttpMethod.Post, "apps/mackerel/addons",
            new { plan = "heroku-kafka:standard-0", attachment = new { name = "OTHER" } }))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        var id = (await api.GetJson("apps/mackerel/addon-attachments")).AsArray()
            .Single(a => a!["name"]!.GetValue<string>() == "OTHER")!["addon"]!["id"]!.GetValue<string>();
        var releases = await ReleaseCount(api);

        using var deleted = await api.DeleteAsync($"apps/mackerel/addons/{id}");

        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        Assert.Equal("deprovisioning", (await deleted.Json())!["state"]!.GetValue<string>());
        Assert.Equal("deprovisioning", (await api.GetJson($"addons/{id}"))["state"]!.GetValue<string>());
        Assert.Contains("OTHER", await AttachmentNames(api));
        Assert.True((await api.GetJson("apps/mackerel/config-vars")).AsObject().ContainsKey("OTHER_URL"));
        Assert.DoesNotContain(Guid.Parse(id), host.Clusters!.Destroyed);
        using (var again = await api.DeleteAsync($"apps/mackerel/addons/{id}"))
        {
            Assert.Equal("deprovisioning", (await again.Json())!["state"]!.GetValue<string>());
        }

        using (var attach = await api.SendJson(HttpMethod.Post, "addon-attachments", new { addon = id, app = "mackerel", name = "LATE" }))
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, attach.StatusCode);
        }

        time.Advance(Delay - TimeSpan.FromSeconds(1));
        Assert.Equal("deprovisioning", (await api.GetJson($"addons/{id}"))["state"]!.GetValue<string>());
        Assert.Equal(releases, await ReleaseCount(api));

        time.Advance(TimeSpan.FromSeconds(1));
        await Deadline.PollAsync(
            async () => (await api.GetAsync($"addons/{id}")).StatusCode == HttpStatusCode.NotFound,
            TimeSpan.FromSeconds(10), "the add-on is gone");
        Assert.DoesNotContain("OTHER", await AttachmentNames(api));
        Assert.False((await api.GetJson("apps/mackerel/config-vars")).AsObject().ContainsKey("OTHER_URL"));
        Assert.Equal(releases + 1, await ReleaseCount(api));
        Assert.Contains(Guid.Parse(id), host.Clusters.Destroyed);
    }

    [Fact]
    public async Task An_addon_attached_to_other_apps_is_destroyed_only_with_force()
    {
        await using var host = await SandboxHost.StartAsync();
        var api = host.Client();
        using (var seeded = await host.Client(token: null).SendJson(HttpMethod.Post, "_sandbox/demo-apps", new { name = "pike" }))
        {
            Assert.Equal(HttpStatusCode.Created, seeded.StatusCode);
        }

        var id = await DemoAddonId(api);
        await Attach(api, id, "pike", "MACKEREL_KAFKA");

        using var refused = await api.DeleteAsync($"apps/mackerel/addons/{id}");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Contains("pike", (await refused.Json())!["message"]!.GetValue<string>());
        Assert.Equal("provisioned", (await api.GetJson($"addons/{id}"))["state"]!.GetValue<string>());
        Assert.Contains("MACKEREL_KAFKA", await AttachmentNames(api, "pike"));

        using var forced = await api.SendJson(HttpMethod.Delete, $"apps/mackerel/addons/{id}", new { force = true });

        Assert.Equal(HttpStatusCode.OK, forced.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync($"addons/{id}")).StatusCode);
        Assert.DoesNotContain("MACKEREL_KAFKA", await AttachmentNames(api, "pike"));
        Assert.False((await api.GetJson("apps/pike/config-vars")).AsObject().ContainsKey("MACKEREL_KAFKA_URL"));
    }

    [Fact]
    public async Task The_last_billing_attachment_cannot_be_detached_until_another_exists()
    {
        await using var host = await SandboxHost.StartAsync();
        var api = host.Client();
        var id = await DemoAddonId(api);
        var kafka = (await api.GetJson("apps/mackerel/addon-attachments"))[0]!["id"]!.GetValue<string>();
        var releases = await ReleaseCount(api);

        using var refused = await api.DeleteAsync($"addon-attachments/{kafka}");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        var error = (await refused.Json())!;
        Assert.Equal("invalid_params", error["id"]!.GetValue<string>());
        Assert.Contains("is the last billing attachment", error["message"]!.GetValue<string>());
        Assert.Contains("either remove the add-on entirely or add a new attachment to it", error["message"]!.GetValue<string>());
        Assert.Equal(["KAFKA"], await AttachmentNames(api));
        Assert.Equal(releases, await ReleaseCount(api));

        await Attach(api, id, "mackerel", "OLD_KAFKA");
        using var detached = await api.DeleteAsync($"addon-attachments/{kafka}");

        Assert.Equal(HttpStatusCode.OK, detached.StatusCode);
        Assert.Equal(["OLD_KAFKA"], await AttachmentNames(api));
    }

    [Fact]
    public async Task The_last_billing_attachment_cannot_be_replaced_by_another_addon_even_with_confirm()
    {
        await using var host = await SandboxHost.StartAsync();
        var api = host.Client();
        var oldId = await DemoAddonId(api);
        using (var created = await api.SendJson(HttpMethod.Post, "apps/mackerel/addons",
            new { plan = "heroku-kafka:standard-0", attachment = new { name = "NEW_KAFKA" } }))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        var newId = (await api.GetJson("apps/mackerel/addon-attachments")).AsArray()
            .Single(a => a!["name"]!.GetValue<string>() == "NEW_KAFKA")!["addon"]!["id"]!.GetValue<string>();

        using var replaced = await api.SendJson(HttpMethod.Post, "addon-attachments", new { addon = newId, app = "mackerel", name = "KAFKA", confirm = "mackerel" });
        using var created2 = await api.SendJson(HttpMethod.Post, "apps/mackerel/addons",
            new { plan = "heroku-kafka:standard-0", attachment = new { name = "KAFKA" }, confirm = "mackerel" });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, replaced.StatusCode);
        Assert.Contains("is the last billing attachment", (await replaced.Json())!["message"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.UnprocessableEntity, created2.StatusCode);
        Assert.Equal(["KAFKA", "NEW_KAFKA"], await AttachmentNames(api));
        Assert.Equal(2, (await api.GetJson("apps/mackerel/addons")).AsArray().Count);

        await Attach(api, oldId, "mackerel", "OLD_KAFKA");
        await Attach(api, newId, "mackerel", "KAFKA", confirm: "mackerel");
        Assert.Equal(["KAFKA", "NEW_KAFKA", "OLD_KAFKA"], await AttachmentNames(api));
    }

    [Fact]
    public async Task An_attachment_to_an_app_that_does_not_bill_the_addon_can_be_detached()
    {
        await using var host = await SandboxHost.StartAsync();
        var api = host.Client();
        using (var seeded = await host.Client(token: null).SendJson(HttpMethod.Post, "_sandbox/demo-apps", new { name = "pike" }))
        {
            Assert.Equal(HttpStatusCode.Created, seeded.StatusCode);
        }

        var attachment = await Attach(api, await DemoAddonId(api), "pike", "MACKEREL_KAFKA");

        using var detached = await api.DeleteAsync($"addon-attachments/{attachment["id"]}");

        Assert.Equal(HttpStatusCode.OK, detached.StatusCode);
        Assert.Equal(["KAFKA"], await AttachmentNames(api));
    }
}
