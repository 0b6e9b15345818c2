using System.Text.Json.Nodes;
using KafkaMigrationPortal.Heroku.Http;
using KafkaMigrationPortal.Heroku.Platform;
using KafkaMigrationPortal.Heroku.Tests.Infrastructure;
using KafkaMigrationPortal.TestSupport.HerokuSchema;

namespace KafkaMigrationPortal.Heroku.Tests.Contract;

/// <summary>
/// For every Platform API call the client has: the request it really sends (captured by a loopback Kestrel server)
/// and a recorded example response are validated against Heroku's official schema, and the response deserialises.
/// </summary>
public sealed class PlatformContractTests : IAsyncLifetime
{
    private const string App = "orders-service";
    private const string AddOnId = "2e0a7c1d-9b3f-4d6e-8a5c-1f2e3d4c5b6a";
    private const string AttachmentId = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d";
    private HerokuClientHarness harness = null!;

    public async Task InitializeAsync() => harness = await HerokuClientHarness.StartAsync();

    public async Task DisposeAsync() => await harness.DisposeAsync();

    /// <summary>
    /// Attachments as Heroku sends them with <c>Accept-Inclusion: addon:plan,config_vars</c>: the add-on object gains
    /// <c>plan</c>, the attachment itself gains <c>config_vars</c>. The published schema does not describe inclusion
    /// (its <c>addon</c> object even forbids other members), so schema validation runs on the list with the included
    /// members taken out.
    /// </summary>
    private static (string Sent, string Validated) AttachmentsWithInclusion()
    {
        var plain = Examples.Json("attachment.json");
        var included = plain.DeepClone();
        included["addon"]!["plan"] = new JsonObject { ["id"] = "3c9e1f2a-4b5d-4e6f-9a7b-8c0d1e2f3a4b", ["name"] = "heroku-kafka:basic-0" };
        included["config_vars"] = new JsonArray("KAFKA_URL", "KAFKA_TRUSTED_CERT", "KAFKA_CLIENT_CERT", "KAFKA_CLIENT_CERT_KEY", "KAFKA_PREFIX");
        return (new JsonArray(included).ToJsonString(), new JsonArray(plain).ToJsonString());
    }

    private async Task<(T Result, RecordedRequest Request)> ExchangeAsync<T>(
        Func<IHerokuPlatformApi, Task<T>> call, int status, string responseJson, string? responseToValidate = null)
    {
        harness.Server.Respond = (context, _, _) => LoopbackHerokuServer.WriteJsonAsync(context, status, responseJson);
        var result = await call(harness.Platform);
        var request = Assert.Single(harness.Server.Requests);

        var requestBody = request.Body.Length == 0 ? null : JsonNode.Parse(request.Body);
        Assert.Empty(HerokuPlatformSchema.ValidateRequest(request.Method, request.Path, requestBody));
        var responseErrors = HerokuPlatformSchema.ValidateResponse(request.Method, request.Path, JsonNode.Parse(responseToValidate ?? responseJson));
        Assert.True(responseErrors.Count == 0, string.Join("\n", responseErrors));

        Assert.Equal(HerokuHeadersHandler.Accept, request.Header("Accept"));
        Assert.Equal($"Bearer {HerokuClientHarness.Token}", request.Header("Authorization"));
        Assert.StartsWith("KafkaMigrationPortal/", request.Header("User-Agent"));
        return (result, request);
    }

    [Fact]
    public async Task Account()
    {
        var (account, request) = await ExchangeAsync(p => p.GetAccountAsync(), 200, Examples.Text("account.json"));
        Assert.Equal(("GET", "/account"), (request.Method, request.Path));
        Assert.Equal("platform-team@example.com", account.Email);
    }

    [Fact]
    public async Task Teams()
    {
        var (teams, request) = await ExchangeAsync(p => p.ListTeamsAsync(), 200, Examples.Text("teams.json"));
        Assert.Equal(("GET", "/teams"), (request.Method, request.Path));
        Assert.Equal(("payments-platform", "member"), (teams.Single().Name, teams.Single().Role));
    }

    [Fact]
    public async Task Rate_limits()
    {
        var (limit, request) = await ExchangeAsync(p => p.GetRateLimitAsync(), 200, Examples.Text("rate-limit.json"));
        Assert.Equal(("GET", "/account/rate-limits"), (request.Method, request.Path));
        Assert.Equal(4382, limit.Remaining);
    }

    [Fact]
    public async Task App_info()
    {
        var (app, request) = await ExchangeAsync(p => p.GetAppAsync(App), 200, Examples.Text("app.json"));
        Assert.Equal(("GET", "/apps/orders-service"), (request.Method, request.Path));
        Assert.Equal((App, false, "us"), (app.Name, app.Maintenance, app.Region?.Name));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Maintenance_on_and_off(bool on)
    {
        var example = Examples.Json("app.json");
        example["maintenance"] = on;
        var (app, request) = await ExchangeAsync(p => p.UpdateAppAsync(App, new HerokuAppUpdate(Maintenance: on)), 200, example.ToJsonString());
        Assert.Equal(("PATCH", "/apps/orders-service"), (request.Method, request.Path));
        Assert.True(JsonNode.DeepEquals(new JsonObject { ["maintenance"] = on }, JsonNode.Parse(request.Body)));
        Assert.Equal(on, app.Maintenance);
    }

    [Fact]
    public async Task Add_ons_of_an_app()
    {
        var (addOns, request) = await ExchangeAsync(p => p.ListAddOnsAsync(App), 200, Examples.AsList("addon.json"));
        Assert.Equal(("GET", "/apps/orders-service/addons"), (request.Method, request.Path));
        Assert.StartsWith("id ..", request.Header("Range"));
        var addOn = Assert.Single(addOns);
        Assert.Equal(("heroku-kafka:basic-0", "heroku-kafka"), (addOn.Plan.Name, addOn.AddonService.Name));
        Assert.Contains("KAFKA_URL", addOn.ConfigVars);
    }

    [Fact]
    public async Task Add_on_info_reports_state()
    {
        var (addOn, request) = await ExchangeAsync(p => p.GetAddOnAsync("kafka-rigid-48213"), 200, Examples.Text("addon.json"));
        Assert.Equal(("GET", "/addons/kafka-rigid-48213"), (request.Method, request.Path));
        Assert.Equal(HerokuAddOnStates.Provisioned, addOn.State);
    }

    [Fact]
    public async Task Create_add_on_with_plan_attachment_name_and_confirm()
    {
        var example = Examples.Json("addon.json");
        example["state"] = "provisioning";
        var (addOn, request) = await ExchangeAsync(
            p => p.CreateAddOnAsync(App, new HerokuAddOnCreate("heroku-kafka:standard-0", new("NEW_KAFKA"), Confirm: App)),
            201, example.ToJsonString());
        Assert.Equal(("POST", "/apps/orders-service/addons"), (request.Method, request.Path));
        var body = JsonNode.Parse(request.Body)!;
        Assert.Equal("heroku-kafka:standard-0", (string?)body["plan"]);
        Assert.Equal("NEW_KAFKA", (string?)body["attachment"]?["name"]);
        Assert.Equal(App, (string?)body["confirm"]);
        Assert.False(body.AsObject().ContainsKey("config"), "unset optional members are not sent");
        Assert.Equal(HerokuAddOnStates.Provisioning, addOn.State);
    }

    [Fact]
    public async Task Destroy_add_on()
    {
        var example = Examples.Json("addon.json");
        example["state"] = "deprovisioned";
        var (addOn, request) = await ExchangeAsync(p => p.DestroyAddOnAsync(App, AddOnId), 200, example.ToJsonString());
        Assert.Equal(("DELETE", $"/apps/orders-service/addons/{AddOnId}"), (request.Method, request.Path));
        Assert.Equal(HerokuAddOnStates.Deprovisioned, addOn.State);
    }

    [Fact]
    public async Task Destroy_add_on_answering_deprovisioning()
    {
        // Heroku destroys some add-ons in the background: the answer says deprovisioning, a state the schema's enum lacks.
        var example = Examples.Json("addon.json");
        var validated = example.ToJsonString();
        example["state"] = HerokuAddOnStates.Deprovisioning;
        var (addOn, _) = await ExchangeAsync(p => p.DestroyAddOnAsync(App, AddOnId), 200, example.ToJsonString(), validated);
        Assert.Equal(HerokuAddOnStates.Deprovisioning, addOn.State);
    }

    [Fact]
    public async Task Force_destroy_sends_force_as_the_cli_does()
    {
        // The schema declares no body for this link, so the request is checked against the CLI's body instead.
        var example = Examples.Json("addon.json");
        example["state"] = "deprovisioned";
        harness.Server.Respond = (context, _, _) => LoopbackHerokuServer.WriteJsonAsync(context, 200, example.ToJsonString());

        var addOn = await harness.Platform.ForceDestroyAddOnAsync(App, AddOnId, new HerokuAddOnDestroy(Force: true));

        var request = Assert.Single(harness.Server.Requests);
        Assert.Equal(("DELETE", $"/apps/orders-service/addons/{AddOnId}"), (request.Method, request.Path));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"force":true}"""), JsonNode.Parse(request.Body)));
        Assert.Empty(HerokuPlatformSchema.ValidateRequest(request.Method, request.Path, null));
        Assert.Empty(HerokuPlatformSchema.ValidateResponse(request.Method, request.Path, example));
        Assert.Equal(HerokuAddOnStates.Deprovisioned, addOn.State);
    }

    [Fact]
    public async Task Attachments_of_an_app_ask_for_plan_and_config_var_inclusion()
    {
        var (sent, validated) = AttachmentsWithInclusion();
        var (attachments, request) = await ExchangeAsync(p => p.ListAttachmentsAsync(App), 200, sent, validated);
        Assert.Equal(("GET", "/apps/orders-service/addon-attachments"), (request.Method, request.Path));
        Assert.Equal("addon:plan,config_vars", request.Header("Accept-Inclusion"));
        var attachment = Assert.Single(attachments);
        Assert.Equal(("KAFKA", "heroku-kafka:basic-0"), (attachment.Name, attachment.Addon.Plan?.Name));
        Assert.Contains("KAFKA_CLIENT_CERT_KEY", attachment.ConfigVars!);
    }

    [Fact]
    public async Task Attachments_of_an_add_on()
    {
        var (sent, validated) = AttachmentsWithInclusion();
        var (attachments, request) = await ExchangeAsync(p => p.ListAttachmentsOfAddOnAsync(AddOnId), 200, sent, validated);
        Assert.Equal(("GET", $"/addons/{AddOnId}/addon-attachments"), (request.Method, request.Path));
        Assert.Equal("addon:plan,config_vars", request.Header("Accept-Inclusion"));
        Assert.Equal(AddOnId, Assert.Single(attachments).Addon.Id);
    }

    [Fact]
    public async Task Attach_under_a_name()
    {
        var example = Examples.Json("attachment.json");
        example["name"] = "OLD_KAFKA";
        var (attachment, request) = await ExchangeAsync(
            p => p.AttachAsync(new HerokuAttachmentCreate(AddOnId, App, "OLD_KAFKA")), 201, example.ToJsonString());
        Assert.Equal(("POST", "/addon-attachments"), (request.Method, request.Path));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse($$"""{"addon":"{{AddOnId}}","app":"{{App}}","name":"OLD_KAFKA"}"""), JsonNode.Parse(request.Body)));
        Assert.Equal("OLD_KAFKA", attachment.Name);
    }

    [Fact]
    public async Task Detach()
    {
        var (attachment, request) = await ExchangeAsync(p => p.DetachAsync(AttachmentId), 200, Examples.Text("attachment.json"));
        Assert.Equal(("DELETE", $"/addon-attachments/{AttachmentId}"), (request.Method, request.Path));
        Assert.Equal(AttachmentId, attachment.Id);
    }

    [Fact]
    public async Task Config_vars_get()
    {
        var (vars, request) = await ExchangeAsync(p => p.GetConfigVarsAsync(App), 200, Examples.Text("config-vars.json"));
        Assert.Equal(("GET", "/apps/orders-service/config-vars"), (request.Method, request.Path));
        Assert.Equal("columbia-12345.", vars["KAFKA_PREFIX"]);
    }

    [Fact]
    public async Task Config_vars_patch_sends_null_to_delete()
    {
        var result = Examples.Json("config-vars.json");
        result["PRODUCER_ADDON_NAMES"] = "OLD_KAFKA,KAFKA";
        result.AsObject().Remove("CONSUMER_ADDON_NAME");
        var (vars, request) = await ExchangeAsync(
            p => p.UpdateConfigVarsAsync(App, new Dictionary<string, string?> { ["PRODUCER_ADDON_NAMES"] = "OLD_KAFKA,KAFKA", ["CONSUMER_ADDON_NAME"] = null }),
            200, result.ToJsonString());
        Assert.Equal(("PATCH", "/apps/orders-service/config-vars"), (request.Method, request.Path));
        var body = JsonNode.Parse(request.Body)!.AsObject();
        Assert.True(body.ContainsKey("CONSUMER_ADDON_NAME") && body["CONSUMER_ADDON_NAME"] is null, "a deleted key is sent as null");
        Assert.Equal("OLD_KAFKA,KAFKA", vars["PRODUCER_ADDON_NAMES"]);
    }

    [Fact]
    public async Task Formation_list()
    {
        var (formation, request) = await ExchangeAsync(p => p.ListFormationAsync(App), 200, Examples.Text("formation.json"));
        Assert.Equal(("GET", "/apps/orders-service/formation"), (request.Method, request.Path));
        Assert.Equal([("producer", 2), ("consumer", 3)], formation.Select(f => (f.Type, f.Quantity)));
    }

    [Fact]
    public async Task Formation_batch_update_sends_integer_quantities()
    {
        var result = Examples.Json("formation.json");
        result[0]!["quantity"] = 0;
        var (formation, request) = await ExchangeAsync(
            p => p.UpdateFormationAsync(App, new HerokuFormationBatchUpdate([new("producer", 0), new("consumer", 3, new("Standard-2X"))])),
            200, result.ToJsonString());
        Assert.Equal(("PATCH", "/apps/orders-service/formation"), (request.Method, request.Path));
        var updates = JsonNode.Parse(request.Body)!["updates"]!.AsArray();
        Assert.Equal(System.Text.Json.JsonValueKind.Number, updates[0]!["quantity"]!.GetValueKind());
        Assert.Equal("Standard-2X", (string?)updates[1]!["dyno_size"]?["name"]);
        Assert.Equal(0, formation[0].Quantity);
    }

    [Fact]
    public async Task Recent_releases_newest_first_single_page()
    {
        var (releases, request) = await ExchangeAsync(p => p.ListRecentReleasesAsync(App), 200, Examples.Text("releases.json"));
        Assert.Equal(("GET", "/apps/orders-service/releases"), (request.Method, request.Path));
        Assert.Equal(HerokuRanges.NewestReleasesFirst, request.Header("Range"));
        Assert.Equal(142, Assert.Single(releases).Version);
    }

    [Fact]
    public async Task A_wrong_request_body_and_an_incomplete_response_fail_validation()
    {
        // The client lets a caller leave out the plan; the schema requires it, so the contract check must catch it.
        harness.Server.Respond = (context, _, _) => LoopbackHerokuServer.WriteJsonAsync(context, 201, Examples.Text("addon.json"));
        await harness.Platform.CreateAddOnAsync(App, new HerokuAddOnCreate(Plan: null!, new("NEW_KAFKA")));
        var request = Assert.Single(harness.Server.Requests);
        Assert.Contains(HerokuPlatformSchema.ValidateRequest(request.Method, request.Path, JsonNode.Parse(request.Body)), e => e.Contains("plan"));

        var wrongType = Examples.Json("addon.json");
        wrongType["config_vars"] = "KAFKA_URL";
        Assert.Contains(HerokuPlatformSchema.ValidateResponse("GET", $"/addons/{AddOnId}", wrongType), e => e.Contains("/config_vars"));

        var missing = Examples.Json("addon.json");
        missing.AsObject().Remove("state");
        Assert.Contains(HerokuPlatformSchema.ValidateResponse("GET", $"/addons/{AddOnId}", missing), e => e.Contains("state"));
    }
}
