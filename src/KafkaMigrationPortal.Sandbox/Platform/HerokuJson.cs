using System.Globalization;
using System.Text.Json.Nodes;

namespace KafkaMigrationPortal.Sandbox.Platform;

/// <summary>Renders sandbox records with every property Heroku's schema declares for the resource, null where empty.</summary>
internal static class HerokuJson
{
    private static readonly Guid RegionUs = Guid.Parse("59accabd-516d-4f0e-83e6-6e3757701145");
    private static readonly Guid StackHeroku24 = Guid.Parse("74cfe988-7527-4ca4-9667-77bfea3e5fb5");
    private static readonly Guid GenerationCedar = Guid.Parse("4d3b6a77-7a3f-4c5e-9d2b-1a2b3c4d5e6f");
    private static readonly Guid DynoSizeStandard1X = Guid.Parse("e5d8a6e1-6a4c-4b6c-9b0e-0a1b2c3d4e5f");

    public static string Time(DateTimeOffset t) =>
        t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static JsonNode? Time(DateTimeOffset? t) => t is { } value ? Time(value) : null;

    public static JsonObject Account(SandboxUser user, DateTimeOffset createdAt, DateTimeOffset lastLogin) => new()
    {
        ["allow_tracking"] = true,
        ["beta"] = false,
        ["created_at"] = Time(createdAt),
        ["email"] = user.Email,
        ["federated"] = false,
        ["id"] = user.Id.ToString(),
        ["identity_provider"] = null,
        ["last_login"] = Time(lastLogin),
        ["name"] = user.Name,
        ["sms_number"] = null,
        ["suspended_at"] = null,
        ["delinquent_at"] = null,
        ["two_factor_authentication"] = false,
        ["updated_at"] = Time(createdAt),
        ["verified"] = true,
        ["country_of_residence"] = null,
        ["default_organization"] = null,
        ["default_team"] = null,
    };

    public static JsonObject Team(TeamRecord team, string role) => new()
    {
        ["id"] = team.Id.ToString(),
        ["name"] = team.Name,
        ["created_at"] = Time(team.CreatedAt),
        ["updated_at"] = Time(team.CreatedAt),
        ["credit_card_collections"] = false,
        ["default"] = false,
        ["enterprise_account"] = null,
        ["identity_provider"] = null,
        ["membership_limit"] = 25,
        ["provisioned_licenses"] = false,
        ["role"] = role,
        ["type"] = "team",
    };

    public static JsonObject TeamMember(TeamRecord team, SandboxUser user, string role, DateTimeOffset now) => new()
    {
        ["id"] = user.Id.ToString(),
        ["email"] = user.Email,
        ["role"] = role,
        ["federated"] = false,
        ["identity_provider"] = null,
        ["two_factor_authentication"] = false,
        ["created_at"] = Time(team.CreatedAt),
        ["updated_at"] = Time(now),
        ["user"] = new JsonObject { ["id"] = user.Id.ToString(), ["email"] = user.Email, ["name"] = user.Name },
    };

    public static JsonObject App(AppRecord app) => new()
    {
        ["acm"] = false,
        ["archived_at"] = null,
        ["buildpack_provided_description"] = null,
        ["build_stack"] = new JsonObject { ["id"] = StackHeroku24.ToString(), ["name"] = "heroku-24" },
        ["created_at"] = Time(app.CreatedAt),
        ["generation"] = new JsonObject { ["id"] = GenerationCedar.ToString(), ["name"] = "cedar" },
        ["git_url"] = $"https://git.heroku.com/{app.Name}.git",
        ["id"] = app.Id.ToString(),
        ["internal_routing"] = null,
        ["maintenance"] = app.Maintenance,
        ["name"] = app.Name,
        ["owner"] = new JsonObject { ["email"] = app.Owner.Email, ["id"] = app.Owner.Id.ToString() },
        ["organization"] = null,
        ["team"] = null,
        ["region"] = new JsonObject { ["id"] = RegionUs.ToString(), ["name"] = "us" },
        ["released_at"] = Time(app.ReleasedAt),
        ["repo_size"] = null,
        ["slug_size"] = null,
        ["space"] = null,
        ["stack"] = new JsonObject { ["id"] = StackHeroku24.ToString(), ["name"] = "heroku-24" },
        ["updated_at"] = Time(app.UpdatedAt),
        ["web_url"] = $"https://{app.Name}-{app.Id.ToString("N")[..12]}.herokuapp.com/",
    };

    private static JsonObject AppRef(AppRecord app) => new() { ["id"] = app.Id.ToString(), ["name"] = app.Name };

    public static JsonObject Addon(AddonRecord addon, IReadOnlyList<string> configVarNames) => new()
    {
        ["actions"] = new JsonArray(),
        ["addon_service"] = new JsonObject { ["id"] = KafkaPlan.ServiceId.ToString(), ["name"] = KafkaPlan.ServiceName },
        ["billing_entity"] = new JsonObject { ["id"] = addon.App.Id.ToString(), ["name"] = addon.App.Name, ["type"] = "app" },
        ["app"] = AppRef(addon.App),
        ["billed_price"] = new JsonObject { ["cents"] = addon.Plan.Cents, ["contract"] = false, ["unit"] = "month" },
        ["config_vars"] = new JsonArray([.. configVarNames.Select(n => (JsonNode)n)]),
        ["created_at"] = Time(addon.CreatedAt),
        ["id"] = addon.Id.ToString(),
        ["name"] = addon.Name,
        ["plan"] = new JsonObject { ["id"] = addon.Plan.Id.ToString(), ["name"] = addon.Plan.Name },
        ["provider_id"] = $"resource-{addon.Id}",
        ["provision_message"] = addon.ProvisionMessage,
        ["state"] = addon.State,
        ["updated_at"] = Time(addon.UpdatedAt),
        ["web_url"] = $"https://addons-sso.heroku.com/apps/{addon.App.Id}/addons/{addon.Id}",
    };

    public static JsonObject Attachment(AttachmentRecord attachment) => new()
    {
        ["addon"] = new JsonObject
        {
            ["id"] = attachment.Addon.Id.ToString(),
            ["name"] = attachment.Addon.Name,
            ["app"] = AppRef(attachment.Addon.App),
        },
        ["app"] = AppRef(attachment.App),
        ["created_at"] = Time(attachment.CreatedAt),
        ["id"] = attachment.Id.ToString(),
        ["name"] = attachment.Name,
        ["namespace"] = null,
        ["updated_at"] = Time(attachment.UpdatedAt),
        ["web_url"] = $"https://addons-sso.heroku.com/apps/{attachment.App.Id}/addons/{attachment.Addon.Id}",
        ["log_input_url"] = null,
    };

    public static JsonObject Release(AppRecord app, ReleaseRecord release, bool current) => new()
    {
        ["addon_plan_names"] = new JsonArray([.. release.AddonPlanNames.Select(n => (JsonNode)n)]),
        ["artifacts"] = new JsonArray(),
        ["app"] = new JsonObject { ["name"] = app.Name, ["id"] = app.Id.ToString() },
        ["created_at"] = Time(release.CreatedAt),
        ["description"] = release.Description,
        ["id"] = release.Id.ToString(),
        ["updated_at"] = Time(release.CreatedAt),
        ["slug"] = null,
        ["status"] = "succeeded",
        ["user"] = new JsonObject { ["id"] = release.User.Id.ToString(), ["email"] = release.User.Email },
        ["version"] = release.Version,
        ["current"] = current,
        ["output_stream_url"] = null,
        ["eligible_for_rollback"] = !current,
    };

    public static JsonObject Formation(AppRecord app, FormationRecord formation) => new()
    {
        ["app"] = new JsonObject { ["name"] = app.Name, ["id"] = app.Id.ToString() },
        ["command"] = formation.Command,
        ["created_at"] = Time(formation.CreatedAt),
        ["dyno_size"] = new JsonObject { ["id"] = DynoSizeStandard1X.ToString(), ["name"] = formation.Size },
        ["id"] = formation.Id.ToString(),
        ["quantity"] = formation.Quantity,
        ["size"] = formation.Size,
        ["type"] = formation.Type,
        ["updated_at"] = Time(formation.UpdatedAt),
    };

    public static JsonObject ConfigVars(IReadOnlyDictionary<string, string> vars)
    {
        var result = new JsonObject();
        foreach (var (key, value) in vars.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            result[key] = value;
        }

        return result;
    }
}
