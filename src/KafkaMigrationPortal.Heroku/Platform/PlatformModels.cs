using System.Text.Json.Serialization;

namespace KafkaMigrationPortal.Heroku.Platform;

// Responses: only the fields the portal reads; Heroku sends more. Nullable where the schema allows null.

public sealed record HerokuAccount(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("email")] string Email,
    [property: JsonPropertyName("name")] string? Name);

public sealed record HerokuTeam(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("role")] string? Role);

public sealed record HerokuRateLimit([property: JsonPropertyName("remaining")] int Remaining);

/// <summary>An id and a name, the shape Heroku uses for every embedded reference (app, plan, region, ...).</summary>
public sealed record HerokuRef(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("name")] string Name);

public sealed record HerokuApp(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("maintenance")] bool Maintenance,
    [property: JsonPropertyName("region")] HerokuRef? Region,
    [property: JsonPropertyName("space")] HerokuRef? Space,
    [property: JsonPropertyName("released_at")] DateTimeOffset? ReleasedAt,
    [property: JsonPropertyName("updated_at")] DateTimeOffset UpdatedAt,
    [property: JsonPropertyName("web_url")] string? WebUrl);

/// <summary>Body of <c>PATCH /apps/{app}</c>; unset members are not sent.</summary>
public sealed record HerokuAppUpdate([property: JsonPropertyName("maintenance")] bool? Maintenance = null);

public static class HerokuAddOnStates
{
    public const string Provisioning = "provisioning";
    public const string Provisioned = "provisioned";
    /// <summary>Seen from the CLI while an add-on is being destroyed; not in the schema's enum.</summary>
    public const string Deprovisioning = "deprovisioning";
    public const string Deprovisioned = "deprovisioned";
}

public sealed record HerokuAddOn(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("state")] string State,
    [property: JsonPropertyName("plan")] HerokuRef Plan,
    [property: JsonPropertyName("addon_service")] HerokuRef AddonService,
    [property: JsonPropertyName("app")] HerokuRef App,
    [property: JsonPropertyName("config_vars")] IReadOnlyList<string> ConfigVars,
    [property: JsonPropertyName("provider_id")] string? ProviderId,
    [property: JsonPropertyName("created_at")] DateTimeOffset CreatedAt,
    [property: JsonPropertyName("updated_at")] DateTimeOffset UpdatedAt,
    [property: JsonPropertyName("web_url")] string? WebUrl);

/// <summary>Body of <c>DELETE /apps/{app}/addons/{addOn}</c> as the CLI sends it.</summary>
public sealed record HerokuAddOnDestroy([property: JsonPropertyName("force")] bool Force);

public sealed record HerokuAttachmentName([property: JsonPropertyName("name")] string Name);

/// <summary>
/// Body of <c>POST /apps/{app}/addons</c>, e.g. plan <c>heroku-kafka:basic-0</c> attached as <c>NEW_KAFKA</c>.
/// Not idempotent: after a failure, look the add-on up by attachment name before trying again.
/// </summary>
public sealed record HerokuAddOnCreate(
    [property: JsonPropertyName("plan")] string Plan,
    [property: JsonPropertyName("attachment")] HerokuAttachmentName? Attachment = null,
    [property: JsonPropertyName("config")] IReadOnlyDictionary<string, string>? Config = null,
    [property: JsonPropertyName("confirm")] string? Confirm = null,
    [property: JsonPropertyName("name")] string? Name = null);

/// <summary>The add-on an attachment points to. With <c>Accept-Inclusion: addon:plan</c> Heroku also inlines its plan.</summary>
public sealed record HerokuAttachedAddOn(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("app")] HerokuRef App,
    [property: JsonPropertyName("plan")] HerokuRef? Plan = null);

/// <param name="ConfigVars">The config var names this attachment sets on its app; sent only with
/// <c>Accept-Inclusion: config_vars</c>, at the attachment's top level (not inside <c>addon</c>).</param>
public sealed record HerokuAttachment(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("addon")] HerokuAttachedAddOn Addon,
    [property: JsonPropertyName("app")] HerokuRef App,
    [property: JsonPropertyName("namespace")] string? Namespace,
    [property: JsonPropertyName("created_at")] DateTimeOffset CreatedAt,
    [property: JsonPropertyName("updated_at")] DateTimeOffset UpdatedAt,
    [property: JsonPropertyName("config_vars")] IReadOnlyList<string>? ConfigVars = null);

/// <summary>
/// Body of <c>POST /addon-attachments</c>. When <see cref="Name"/> is already used on the app, Heroku answers
/// <c>confirmation_required</c>; the caller decides, and re-sends with <see cref="Confirm"/> = the app's name to
/// overwrite it. Never set <see cref="Confirm"/> automatically.
/// </summary>
public sealed record HerokuAttachmentCreate(
    [property: JsonPropertyName("addon")] string Addon,
    [property: JsonPropertyName("app")] string App,
    [property: JsonPropertyName("name")] string? Name = null,
    [property: JsonPropertyName("confirm")] string? Confirm = null);

public sealed record HerokuFormation(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("quantity")] int Quantity,
    [property: JsonPropertyName("size")] string Size,
    [property: JsonPropertyName("command")] string Command,
    [property: JsonPropertyName("app")] HerokuRef App,
    [property: JsonPropertyName("updated_at")] DateTimeOffset UpdatedAt);

public sealed record HerokuDynoSize([property: JsonPropertyName("name")] string Name);

/// <summary>One process type to change. Record the previous quantity before scaling to 0.</summary>
public sealed record HerokuFormationUpdate(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("quantity")] int? Quantity = null,
    [property: JsonPropertyName("dyno_size")] HerokuDynoSize? DynoSize = null);

public sealed record HerokuFormationBatchUpdate(
    [property: JsonPropertyName("updates")] IReadOnlyList<HerokuFormationUpdate> Updates);

public sealed record HerokuReleaseUser(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("email")] string Email);

public sealed record HerokuRelease(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("version")] int Version,
    [property: JsonPropertyName("description")] string Description,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("current")] bool Current,
    [property: JsonPropertyName("user")] HerokuReleaseUser User,
    [property: JsonPropertyName("created_at")] DateTimeOffset CreatedAt);
