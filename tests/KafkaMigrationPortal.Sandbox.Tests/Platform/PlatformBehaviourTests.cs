using Microsoft.Extensions.Time.Testing;
using System.Net;
using System.Text.Json.Nodes;
using KafkaMigrationPortal.Sandbox.Tests.Support;
using KafkaMigrationPortal.TestSupport;

namespace KafkaMigrationPortal.Sandbox.Tests.Platform;

public sealed class PlatformBehaviourTests : IAsyncLifetime
{
    private SandboxHost _host = null!;
    private HttpClient _api = null!;

    public async Task InitializeAsync()
    {
        _host = await SandboxHost.StartAsync();
        _api = _host.Client();
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private async Task<int> ReleaseCount() => (await _api.GetJson("apps/mackerel/releases")).AsArray().Count;

    private async Task<JsonObject> CreateAddon(string plan, string attachment, string? confirm = null)
    {
        using var response = await _api.SendJson(HttpMethod.Post, "apps/mackerel/addons",
            new { plan, attachment = new { name = attachment }, confirm });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Json())!.AsObject();
    }

    [Fact]
    public async Task Attaching_over_an_existing_name_without_confirm_is_refused_and_changes_nothing()
    {
        var newAddon = await CreateAddon("heroku-kafka:standard-0", "NEW_KAFKA");
        var varsBefore = (await _api.GetJson("apps/mackerel/config-vars")).ToJsonString();
        var attachmentsBefore = (await _api.GetJson("apps/mackerel/addon-attachments")).ToJsonString();
        var releasesBefore = await ReleaseCount();

        using var refused = await _api.SendJson(HttpMethod.Post, "addon-attachments",
            new { addon = newAddon["id"]!.GetValue<string>(), app = "mackerel", name = "KAFKA" });

        Assert.Equal((HttpStatusCode)423, refused.StatusCode);
        Assert.Equal("confirmation_required", (await refused.Json())!["id"]!.GetValue<string>());
        Assert.Equal(varsBefore, (await _api.GetJson("apps/mackerel/config-vars")).ToJsonString());
        Assert.Equal(attachmentsBefore, (await _api.GetJson("apps/mackerel/addon-attachments")).ToJsonString());
        Assert.Equal(releasesBefore, await ReleaseCount());
    }

    [Fact]
    public async Task Attaching_over_an_existing_name_with_confirm_moves_the_config_vars()
    {
        var oldAddonId = (await _api.GetJson("apps/mackerel/addons"))[0]!["id"]!.GetValue<string>();
        using (var pinned = await _api.SendJson(HttpMethod.Post, "addon-attachments", new { addon = oldAddonId, app = "mackerel", name = "OLD_KAFKA" }))
        {
            Assert.Equal(HttpStatusCode.Created, pinned.StatusCode);
        }

        var newAddon = await CreateAddon("heroku-kafka:standard-0", "NEW_KAFKA");
        var newId = Guid.Parse(newAddon["id"]!.GetValue<string>());
        var releasesBefore = await ReleaseCount();

        using var confirmed = await _api.SendJson(HttpMethod.Post, "addon-attachments",
            new { addon = newId.ToString(), app = "mackerel", name = "KAFKA", confirm = "mackerel" });

        Assert.Equal(HttpStatusCode.Created, confirmed.StatusCode);
        var vars = (await _api.GetJson("apps/mackerel/config-vars")).AsObject();
        var newCluster = _host.Clusters!.Get(newId);
        var oldCluster = _host.Clusters.Get(Guid.Parse(oldAddonId));
        Assert.Equal(newCluster.Credentials.Url, vars["KAFKA_URL"]!.GetValue<string>());
        Assert.Equal(newCluster.Credentials.ClientCertKey, vars["KAFKA_CLIENT_CERT_KEY"]!.GetValue<string>());
        Assert.False(vars.ContainsKey("KAFKA_PREFIX"), "a dedicated plan has no prefix var");
        Assert.Equal(oldCluster.Credentials.Url, vars["OLD_KAFKA_URL"]!.GetValue<string>());
        Assert.True(vars.ContainsKey("OLD_KAFKA_PREFIX"));
        var names = (await _api.GetJson("apps/mackerel/addon-attachments")).AsArray()
            .Select(a => (a!["name"]!.GetValue<string>(), a["addon"]!["id"]!.GetValue<string>())).Order().ToList();
        Assert.Equal([("KAFKA", newId.ToString()), ("NEW_KAFKA", newId.ToString()), ("OLD_KAFKA", oldAddonId)], names);
        Assert.Equal(releasesBefore + 1, await ReleaseCount());
    }

    [Fact]
    public async Task A_config_var_change_makes_a_release_and_restarts_the_dynos_with_it()
    {
        var before = await _api.GetJson("apps/mackerel/releases");
        var lastVersion = before.AsArray().Max(r => r!["version"]!.GetValue<int>());

        using var set = await _api.SendJson(HttpMethod.Patch, "apps/mackerel/config-vars",
            new Dictionary<string, string?> { ["PRODUCER_ADDON_NAMES"] = "KAFKA,OTHER", ["SANDBOX_TOPICS"] = null });
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);

        var releases = (await _api.GetJson("apps/mackerel/releases")).AsArray();
        var newest = releases.Single(r => r!["version"]!.GetValue<int>() == lastVersion + 1)!;
        Assert.True(newest["current"]!.GetValue<bool>());
        Assert.Contains("PRODUCER_ADDON_NAMES", newest["description"]!.GetValue<string>());
        var vars = (await _api.GetJson("apps/mackerel/config-vars")).AsObject();
        Assert.False(vars.ContainsKey("SANDBOX_TOPICS"), "null deletes a config var");
        var desired = _host.Dynos!.Last("mackerel")!;
        Assert.All(desired, spec => Assert.Equal(lastVersion + 1, spec.ReleaseVersion));
        Assert.Equal("KAFKA,OTHER", desired.First(d => d.ProcessType == "producer").ConfigVars["PRODUCER_ADDON_NAMES"]);

        using var unchanged = await _api.SendJson(HttpMethod.Patch, "apps/mackerel/config-vars",
            new Dictionary<string, string?> { ["PRODUCER_ADDON_NAMES"] = "KAFKA,OTHER" });
        Assert.Equal(releases.Count, (await _api.GetJson("apps/mackerel/releases")).AsArray().Count);
    }

    [Fact]
    public async Task Scaling_hands_the_supervisor_the_new_quantities()
    {
        using var response = await _api.SendJson(HttpMethod.Patch, "apps/mackerel/formation",
            new { updates = new object[] { new { type = "consumer", quantity = 0 }, new { type = "producer", quantity = "2" } } });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var desired = _host.Dynos!.Last("mackerel")!.ToDictionary(d => d.ProcessType, d => d.Quantity);
        Assert.Equal(0, desired["consumer"]);
        Assert.Equal(2, desired["producer"]);
        Assert.Equal(1, desired["web"]);

        using var unknown = await _api.SendJson(HttpMethod.Patch, "apps/mackerel/formation",
            new { updates = new[] { new { type = "worker", quantity = 1 } } });
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        using var negative = await _api.SendJson(HttpMethod.Patch, "apps/mackerel/formation",
            new { updates = new[] { new { type = "web", quantity = -1 } } });
        Assert.Equal("invalid_params", (await negative.Json())!["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Inclusion_header_adds_the_plan_and_the_var_names()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "apps/mackerel/addon-attachments");
        request.Headers.Add("Accept-Inclusion", "addon:plan,config_vars");
        using var response = await _api.SendAsync(request);
        var attachment = (await response.Json())![0]!;

        Assert.Equal("heroku-kafka:basic-0-sandbox", attachment["addon"]!["plan"]!["name"]!.GetValue<string>());
        Assert.Equal(
            ["KAFKA_URL", "KAFKA_TRUSTED_CERT", "KAFKA_CLIENT_CERT", "KAFKA_CLIENT_CERT_KEY", "KAFKA_PREFIX"],
            attachment["config_vars"]!.AsArray().Select(v => v!.GetValue<string>()));
        var plain = (await _api.GetJson("apps/mackerel/addon-attachments"))[0]!.AsObject();
        Assert.False(plain.ContainsKey("config_vars"));
    }

    [Fact]
    public async Task Destroying_an_addon_removes_its_attachments_and_vars_in_a_release()
    {
        var addon = await CreateAddon("heroku-kafka:basic-1", "OTHER");
        Assert.True((await _api.GetJson("apps/mackerel/config-vars")).AsObject().ContainsKey("OTHER_URL"));
        var releases = await ReleaseCount();

        using var deleted = await _api.DeleteAsync($"apps/mackerel/addons/{addon["name"]}");

        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        var vars = (await _api.GetJson("apps/mackerel/config-vars")).AsObject();
        Assert.DoesNotContain(vars, kv => kv.Key.StartsWith("OTHER_", StringComparison.Ordinal));
        Assert.True(vars.ContainsKey("KAFKA_URL"));
        Assert.Equal(releases + 1, await ReleaseCount());
        Assert.Contains(Guid.Parse(addon["id"]!.GetValue<string>()), _host.Clusters!.Destroyed);
    }

    [Fact]
    public async Task Authentication_and_access_follow_heroku()
    {
        using var anonymous = await _host.Client(token: null).GetAsync("account");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("unauthorized", (await anonymous.Json())!["id"]!.GetValue<string>());
        using var unknown = await _host.Client("not-a-token").GetAsync("apps/mackerel");
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);

        using var carol = await _host.Client("sandbox-token-carol").GetAsync("apps/mackerel");
        Assert.Equal(HttpStatusCode.Forbidden, carol.StatusCode);
        Assert.Equal("forbidden", (await carol.Json())!["id"]!.GetValue<string>());
        using var bob = await _host.Client("sandbox-token-bob").GetAsync("apps/mackerel");
        Assert.Equal(HttpStatusCode.OK, bob.StatusCode);

        using var missing = await _api.GetAsync("apps/no-such-app");
        Assert.Equal("not_found", (await missing.Json())!["id"]!.GetValue<string>());
        using var badPlan = await _api.SendJson(HttpMethod.Post, "apps/mackerel/addons", new { plan = "heroku-kafka:nope" });
        Assert.Equal(HttpStatusCode.NotFound, badPlan.StatusCode);
        using var badName = await _api.SendJson(HttpMethod.Post, "apps/mackerel/addons",
            new { plan = "heroku-kafka:basic-0", attachment = new { name = "lower-case" } });
        Assert.Equal("invalid_params", (await badName.Json())!["id"]!.GetValue<string>());
        Assert.True(anonymous.Headers.Contains("Request-Id"));
    }
}

public sealed class ProvisioningTests
{
    [Fact]
    public async Task An_addon_provisions_after_the_configured_delay_and_only_then_gets_vars_and_a_cluster()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await SandboxHost.StartAsync(o => o.ProvisioningDelay = TimeSpan.FromMinutes(3), time: time);
        var api = host.Client();
        using var created = await api.SendJson(HttpMethod.Post, "apps/mackerel/addons",
            new { plan = "heroku-kafka:standard-1", attachment = new { name = "NEW_KAFKA" } });
        var addon = (await created.Json())!;
        var id = addon["id"]!.GetValue<string>();

        Assert.Equal("provisioning", addon["state"]!.GetValue<string>());
        Assert.False((await api.GetJson("apps/mackerel/config-vars")).AsObject().ContainsKey("NEW_KAFKA_URL"));
        Assert.DoesNotContain(Guid.Parse(id), host.Clusters!.Created);
        using (var info = await api.GetAsync($"data/kafka/v0/clusters/{id}"))
        {
            Assert.Equal(HttpStatusCode.NotFound, info.StatusCode);
        }

        Assert.True((await api.GetJson($"data/kafka/v0/clusters/{id}/wait_status"))["waiting?"]!.GetValue<bool>());
        time.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal("provisioning", (await api.GetJson($"addons/{id}"))["state"]!.GetValue<string>());

        time.Advance(TimeSpan.FromMinutes(1));
        await Deadline.PollAsync(
            async () => (await api.GetJson($"addons/{id}"))["state"]!.GetValue<string>() == "provisioned",
            TimeSpan.FromSeconds(10), "add-on provisioned");

        Assert.True((await api.GetJson("apps/mackerel/config-vars")).AsObject().ContainsKey("NEW_KAFKA_URL"));
        Assert.Single(host.Clusters.Created, c => c == Guid.Parse(id));
        Assert.False((await api.GetJson($"data/kafka/v0/clusters/{id}/wait_status"))["waiting?"]!.GetValue<bool>());
    }

    [Fact]
    public async Task A_failing_plan_ends_deprovisioned_without_attachment()
    {
        await using var host = await SandboxHost.StartAsync(o =>
            o.Faults = new SandboxFaults(FailingPlans: ["heroku-kafka:standard-2"]));
        var api = host.Client();
        using var created = await api.SendJson(HttpMethod.Post, "apps/mackerel/addons",
            new { plan = "heroku-kafka:standard-2", attachment = new { name = "NEW_KAFKA" } });
        var id = (await created.Json())!["id"]!.GetValue<string>();

        var addon = await api.GetJson($"addons/{id}");

        Assert.Equal("deprovisioned", addon["state"]!.GetValue<string>());
        Assert.DoesNotContain((await api.GetJson("apps/mackerel/addon-attachments")).AsArray(),
            a => a!["name"]!.GetValue<string>() == "NEW_KAFKA");
        Assert.DoesNotContain(Guid.Parse(id), host.Clusters!.Created);
    }
}
