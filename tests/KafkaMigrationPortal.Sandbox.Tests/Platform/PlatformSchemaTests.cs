using KafkaMigrationPortal.Sandbox.Tests.Support;

namespace KafkaMigrationPortal.Sandbox.Tests.Platform;

/// <summary>One test per Platform API endpoint: the sandbox's answer validates against Heroku's schema with every
/// declared property required.</summary>
public sealed class PlatformSchemaTests : IAsyncLifetime
{
    private SandboxHost _host = null!;
    private HttpClient _api = null!;

    public async Task InitializeAsync()
    {
        _host = await SandboxHost.StartAsync();
        _api = _host.Client();
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private async Task<string> DemoAddonId() => (await _api.GetJson("apps/mackerel/addons"))[0]!["id"]!.GetValue<string>();

    [Fact]
    public async Task Account_info()
    {
        var account = await _api.AssertSchemaValid(HttpMethod.Get, "account");
        Assert.Equal("alice@example.com", account!["email"]!.GetValue<string>());
    }

    [Fact]
    public async Task Rate_limits()
    {
        var limits = await _api.AssertSchemaValid(HttpMethod.Get, "account/rate-limits");
        Assert.InRange(limits!["remaining"]!.GetValue<int>(), 1, 4500);
    }

    [Fact]
    public async Task Team_list_shows_only_the_callers_teams_with_their_role()
    {
        var teams = await _api.AssertSchemaValid(HttpMethod.Get, "teams");
        var team = Assert.Single(teams!.AsArray());
        Assert.Equal("mackerel-team", team!["name"]!.GetValue<string>());
        Assert.Equal("admin", team["role"]!.GetValue<string>());
        var carols = await _host.Client("sandbox-token-carol").GetJson("teams");
        Assert.Equal(["herring-team"], carols.AsArray().Select(t => t!["name"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Team_member_delete_by_a_team_admin_only()
    {
        using (var refused = await _host.Client("sandbox-token-bob").DeleteAsync("teams/mackerel-team/members/alice@example.com"))
        {
            Assert.Equal(System.Net.HttpStatusCode.Forbidden, refused.StatusCode);
        }

        var removed = await _api.AssertSchemaValid(HttpMethod.Delete, "teams/mackerel-team/members/bob@example.com");

        Assert.Equal("bob@example.com", removed!["email"]!.GetValue<string>());
        Assert.Empty((await _host.Client("sandbox-token-bob").GetJson("teams")).AsArray());
    }

    [Fact]
    public async Task App_info()
    {
        var app = await _api.AssertSchemaValid(HttpMethod.Get, "apps/mackerel");
        Assert.Equal("mackerel", app!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task App_update_maintenance()
    {
        var app = await _api.AssertSchemaValid(HttpMethod.Patch, "apps/mackerel", new { maintenance = true });
        Assert.True(app!["maintenance"]!.GetValue<bool>());
        Assert.True((await _api.GetJson("apps/mackerel"))["maintenance"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Addon_list_by_app()
    {
        var addons = await _api.AssertSchemaValid(HttpMethod.Get, "apps/mackerel/addons");
        Assert.Equal("heroku-kafka:basic-0-sandbox", addons![0]!["plan"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Addon_create()
    {
        var addon = await _api.AssertSchemaValid(HttpMethod.Post, "apps/mackerel/addons",
            new { plan = "heroku-kafka:standard-0", attachment = new { name = "NEW_KAFKA" } }, expectedStatus: 201);
        Assert.Equal("heroku-kafka:standard-0", addon!["plan"]!["name"]!.GetValue<string>());
        Assert.Matches("^kafka-[a-z]+-[0-9]{5}$", addon["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Addon_info()
    {
        var id = await DemoAddonId();
        var addon = await _api.AssertSchemaValid(HttpMethod.Get, $"addons/{id}");
        Assert.Equal("provisioned", addon!["state"]!.GetValue<string>());
    }

    [Fact]
    public async Task Addon_info_by_app()
    {
        var id = await DemoAddonId();
        var addon = await _api.AssertSchemaValid(HttpMethod.Get, $"apps/mackerel/addons/{id}");
        Assert.Equal(id, addon!["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Addon_delete()
    {
        var id = await DemoAddonId();
        var addon = await _api.AssertSchemaValid(HttpMethod.Delete, $"apps/mackerel/addons/{id}");
        Assert.Equal("deprovisioned", addon!["state"]!.GetValue<string>());
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await _api.GetAsync($"addons/{id}")).StatusCode);
        Assert.Contains(Guid.Parse(id), _host.Clusters!.Destroyed);
    }

    [Fact]
    public async Task Attachment_list_by_app()
    {
        var attachments = await _api.AssertSchemaValid(HttpMethod.Get, "apps/mackerel/addon-attachments");
        Assert.Equal("KAFKA", attachments![0]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Attachment_list_by_addon()
    {
        var id = await DemoAddonId();
        var attachments = await _api.AssertSchemaValid(HttpMethod.Get, $"addons/{id}/addon-attachments");
        Assert.Equal(id, attachments![0]!["addon"]!["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Attachment_create()
    {
        var id = await DemoAddonId();
        var attachment = await _api.AssertSchemaValid(HttpMethod.Post, "addon-attachments",
            new { addon = id, app = "mackerel", name = "OLD_KAFKA" }, expectedStatus: 201);
        Assert.Equal("OLD_KAFKA", attachment!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Attachment_delete()
    {
        var id = await DemoAddonId();
        var created = await _api.AssertSchemaValid(HttpMethod.Post, "addon-attachments",
            new { addon = id, app = "mackerel", name = "OLD_KAFKA" }, expectedStatus: 201);
        var deleted = await _api.AssertSchemaValid(HttpMethod.Delete, $"addon-attachments/{created!["id"]}");
        Assert.Equal("OLD_KAFKA", deleted!["name"]!.GetValue<string>());
        Assert.False((await _api.GetJson("apps/mackerel/config-vars")).AsObject().ContainsKey("OLD_KAFKA_URL"));
    }

    [Fact]
    public async Task Config_vars_info()
    {
        var vars = await _api.AssertSchemaValid(HttpMethod.Get, "apps/mackerel/config-vars");
        Assert.Equal("mackerel-consumers", vars!["SANDBOX_CONSUMER_GROUP"]!.GetValue<string>());
    }

    [Fact]
    public async Task Config_vars_update()
    {
        var vars = await _api.AssertSchemaValid(HttpMethod.Patch, "apps/mackerel/config-vars", new { PRODUCER_ADDON_NAMES = "KAFKA" });
        Assert.Equal("KAFKA", vars!["PRODUCER_ADDON_NAMES"]!.GetValue<string>());
    }

    [Fact]
    public async Task Release_list()
    {
        var releases = await _api.AssertSchemaValid(HttpMethod.Get, "apps/mackerel/releases");
        Assert.Single(releases!.AsArray(), r => r!["current"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Formation_list()
    {
        var formation = await _api.AssertSchemaValid(HttpMethod.Get, "apps/mackerel/formation");
        Assert.Equal(["consumer", "producer", "web"], formation!.AsArray().Select(f => f!["type"]!.GetValue<string>()).Order());
    }

    [Fact]
    public async Task Formation_batch_update()
    {
        var updated = await _api.AssertSchemaValid(HttpMethod.Patch, "apps/mackerel/formation",
            new { updates = new[] { new { type = "consumer", quantity = 0 } } });
        Assert.Equal(0, updated![0]!["quantity"]!.GetValue<int>());
    }
}
