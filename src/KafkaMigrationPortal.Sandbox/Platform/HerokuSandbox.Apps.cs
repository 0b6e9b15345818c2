using System.Text.Json;
using System.Text.Json.Nodes;
using KafkaMigrationPortal.Sandbox.Http;

namespace KafkaMigrationPortal.Sandbox.Platform;

public sealed partial class HerokuSandbox
{
    public JsonObject GetApp(SandboxCaller caller, string app) =>
        Mutate(() => HerokuJson.App(FindAppLocked(caller, app)));

    /// <summary>PATCH /apps/{app}: only <c>maintenance</c> is simulated (and <c>name</c> refused).</summary>
    public JsonObject UpdateApp(SandboxCaller caller, string app, JsonNode? body) => Mutate(() =>
    {
        var record = FindAppLocked(caller, app);
        var fields = body as JsonObject ?? throw SandboxApiException.InvalidParams("Expected a JSON object.");
        if (fields.ContainsKey("name") && fields["name"]?.GetValue<string>() != record.Name)
        {
            throw SandboxApiException.InvalidParams("Renaming apps is not simulated by the sandbox.");
        }

        if (fields.TryGetPropertyValue("maintenance", out var maintenance))
        {
            if (maintenance is not JsonValue value || !value.TryGetValue<bool>(out var on))
            {
                throw SandboxApiException.InvalidParams("maintenance must be a boolean.");
            }

            if (record.Maintenance != on)
            {
                record.Maintenance = on;
                record.UpdatedAt = Now;
            }
        }

        return HerokuJson.App(record);
    });

    public JsonObject GetConfigVars(SandboxCaller caller, string app) =>
        Mutate(() => HerokuJson.ConfigVars(FindAppLocked(caller, app).ConfigVars));

    /// <summary>PATCH /apps/{app}/config-vars: string values set, <c>null</c> deletes. A change makes a release.</summary>
    public JsonObject UpdateConfigVars(SandboxCaller caller, string app, JsonNode? body) => Mutate(() =>
    {
        var record = FindAppLocked(caller, app);
        var changes = body as JsonObject ?? throw SandboxApiException.InvalidParams("Expected a JSON object of config vars.");
        var set = new List<string>();
        var removed = new List<string>();
        var updates = new List<(string Key, string? Value)>();
        foreach (var (key, node) in changes)
        {
            if (string.IsNullOrWhiteSpace(key))
            {
                throw SandboxApiException.InvalidParams("Config var names cannot be empty.");
            }

            string? value = node switch
            {
                null => null,
                JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
                JsonValue v when v.GetValueKind() is JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => v.ToJsonString(),
                _ => throw SandboxApiException.InvalidParams($"Config var {key} must be a string or null."),
            };
            updates.Add((key, value));
        }

        foreach (var (key, value) in updates)
        {
            if (value is null)
            {
                if (record.ConfigVars.Remove(key))
                {
                    removed.Add(key);
                }
            }
            else if (!record.ConfigVars.TryGetValue(key, out var old) || old != value)
            {
                record.ConfigVars[key] = value;
                set.Add(key);
            }
        }

        if (set.Count > 0 || removed.Count > 0)
        {
            var description = string.Join(", ", new[]
            {
                set.Count > 0 ? $"Set {string.Join(", ", set)} config vars" : null,
                removed.Count > 0 ? $"Remove {string.Join(", ", removed)} config vars" : null,
            }.Where(s => s is not null));
            ReleaseLocked(record, description, caller.User);
        }

        return HerokuJson.ConfigVars(record.ConfigVars);
    });

    public IReadOnlyList<JsonObject> ListReleases(SandboxCaller caller, string app) => Mutate(() =>
    {
        var record = FindAppLocked(caller, app);
        var current = record.Releases[^1];
        return (IReadOnlyList<JsonObject>)[.. record.Releases.Select(r => HerokuJson.Release(record, r, r == current))];
    });

    public IReadOnlyList<JsonObject> ListFormation(SandboxCaller caller, string app) => Mutate(() =>
    {
        var record = FindAppLocked(caller, app);
        return (IReadOnlyList<JsonObject>)[.. record.Formation.Select(f => HerokuJson.Formation(record, f))];
    });

    /// <summary>PATCH /apps/{app}/formation <c>{updates:[{type, quantity, size}]}</c>; answers the updated process types.</summary>
    public IReadOnlyList<JsonObject> UpdateFormation(SandboxCaller caller, string app, JsonNode? body) => Mutate(() =>
    {
        var record = FindAppLocked(caller, app);
        if (body is not JsonObject { } request || request["updates"] is not JsonArray updates)
        {
            throw SandboxApiException.InvalidParams("Expected {\"updates\": [{\"type\": ..., \"quantity\": ...}]}.");
        }

        var planned = new List<(FormationRecord Formation, int? Quantity, string? Size)>();
        foreach (var update in updates)
        {
            if (update is not JsonObject item || item["type"] is not JsonValue typeNode || !typeNode.TryGetValue<string>(out var type))
            {
                throw SandboxApiException.InvalidParams("Every update needs a process type.");
            }

            var formation = record.Formation.FirstOrDefault(f => f.Type == type)
                ?? throw SandboxApiException.NotFound($"Couldn't find that process type ({type}).");
            int? quantity = item["quantity"] is { } q ? ParseQuantity(q) : null;
            var size = item["size"]?.GetValue<string>() ?? item["dyno_size"]?["name"]?.GetValue<string>();
            planned.Add((formation, quantity, size));
        }

        var changed = false;
        foreach (var (formation, quantity, size) in planned)
        {
            if (quantity is { } newQuantity && newQuantity != formation.Quantity)
            {
                formation.Quantity = newQuantity;
                changed = true;
            }

            if (size is not null)
            {
                formation.Size = size;
            }

            formation.UpdatedAt = Now;
        }

        if (changed)
        {
            QueueReconcileLocked(record);
        }

        return (IReadOnlyList<JsonObject>)[.. planned.Select(p => HerokuJson.Formation(record, p.Formation))];
    });

    private static int ParseQuantity(JsonNode node)
    {
        if (node is JsonValue value)
        {
            if (value.GetValueKind() == JsonValueKind.Number && value.TryGetValue<int>(out var number) && number >= 0)
            {
                return number;
            }

            if (value.GetValueKind() == JsonValueKind.String && int.TryParse(value.GetValue<string>(), out var parsed) && parsed >= 0)
            {
                return parsed;
            }
        }

        throw SandboxApiException.InvalidParams("Quantity must be a non-negative integer.");
    }
}
