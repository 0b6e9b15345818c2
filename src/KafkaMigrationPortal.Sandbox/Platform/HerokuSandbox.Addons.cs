using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using KafkaMigrationPortal.Sandbox.Http;
using Microsoft.Extensions.Logging;

namespace KafkaMigrationPortal.Sandbox.Platform;

public sealed partial class HerokuSandbox
{
    private static readonly string[] AttachmentVarSuffixes = ["_URL", "_TRUSTED_CERT", "_CLIENT_CERT", "_CLIENT_CERT_KEY"];
    private static readonly string[] NameWords =
    [
        "symmetrical", "curved", "angular", "rigid", "flexible", "spherical", "cubic", "concentric", "solid",
        "transparent", "opaque", "shallow", "deep", "parallel", "tapered", "clean", "graceful", "polished",
    ];
    private static readonly string[] PrefixWords =
    [
        "wabash", "hudson", "potomac", "yukon", "platte", "missouri", "ohio", "colorado", "snake", "brazos",
    ];

    /// <summary>A multi-tenant plan's topic and group prefix (like <c>wabash-12345.</c>); none on a dedicated plan.</summary>
    private static string NewTopicPrefix(KafkaPlan plan) =>
        plan.MultiTenant ? $"{PrefixWords[Random.Shared.Next(PrefixWords.Length)]}-{Random.Shared.Next(10000, 99999)}." : "";
    private static readonly string[] Colors = ["AQUA", "BLUE", "BRONZE", "COPPER", "CRIMSON", "GOLD", "GRAY", "GREEN", "ONYX", "ORANGE", "PINK", "PURPLE", "RED", "SILVER", "TEAL", "WHITE", "YELLOW"];

    [GeneratedRegex("^[A-Z][A-Z0-9_]*$")]
    private static partial Regex AttachmentNamePattern();

    [GeneratedRegex("^[a-zA-Z][A-Za-z0-9_-]+$")]
    private static partial Regex AddonNamePattern();

    public IReadOnlyList<JsonObject> ListAddons(SandboxCaller caller, string app) => Mutate(() =>
    {
        var record = FindAppLocked(caller, app);
        CompleteDueProvisioningLocked();
        return (IReadOnlyList<JsonObject>)[.. _addons.Values
            .Where(a => a.App == record || _attachments.Values.Any(t => t.Addon == a && t.App == record))
            .Select(RenderAddonLocked)];
    });

    public JsonObject GetAddon(SandboxCaller caller, string idOrName, string? app = null) => Mutate(() =>
    {
        CompleteDueProvisioningLocked();
        return RenderAddonLocked(FindAddonLocked(caller, idOrName, app is null ? null : FindAppLocked(caller, app)));
    });

    /// <summary>POST /apps/{app}/addons <c>{plan, attachment:{name}, name?, config?, confirm?}</c>.</summary>
    public JsonObject CreateAddon(SandboxCaller caller, string app, JsonNode? body) => Mutate(() =>
    {
        var record = FindAppLocked(caller, app);
        var request = body as JsonObject ?? throw SandboxApiException.InvalidParams("Expected a JSON object.");
        var planName = ReadString(request, "plan") ?? request["plan"]?["name"]?.GetValue<string>();
        var plan = KafkaPlan.Find(planName)
            ?? throw SandboxApiException.NotFound($"Couldn't find either the add-on service or the add-on plan of \"{planName}\".");
        var attachmentName = ReadString(request["attachment"] as JsonObject, "name") ?? DefaultAttachmentNameLocked(record);
        ValidateAttachmentName(attachmentName);
        var existing = _attachments.Values.FirstOrDefault(t => t.App == record && t.Name == attachmentName);
        if (existing is not null && ReadString(request, "confirm") != record.Name)
        {
            throw SandboxApiException.ConfirmationRequired(
                $"The attachment name {attachmentName} is already in use on {record.Name}. To replace it, confirm with the app name.");
        }

        if (existing is not null)
        {
            RefuseRemovingLastBillingAttachmentLocked(existing);
        }

        var name = ReadString(request, "name") ?? NewAddonNameLocked();
        if (!AddonNamePattern().IsMatch(name))
        {
            throw SandboxApiException.InvalidParams("Name must start with a letter and contain only letters, digits, - and _.");
        }

        if (_addons.Values.Any(a => a.Name == name))
        {
            throw SandboxApiException.InvalidParams($"The add-on name {name} is already taken.");
        }

        var now = Now;
        var addon = new AddonRecord(Guid.NewGuid(), name, record, plan, now)
        {
            ReadyAt = now + _options.ProvisioningDelay,
            FailsToProvision = CurrentFaults.FailingPlans.Contains(plan.Name, StringComparer.Ordinal)
                || CurrentFaults.FailingAddonNames.Contains(name, StringComparer.Ordinal),
            TopicPrefix = NewTopicPrefix(plan),
        };
        _addons.Add(addon.Id, addon);
        if (existing is not null)
        {
            RemoveAttachmentLocked(existing);
        }

        var attachment = new AttachmentRecord(Guid.NewGuid(), attachmentName, addon, record, now);
        _attachments.Add(attachment.Id, attachment);
        ReleaseLocked(record, $"Attach {attachmentName} (@ref:{addon.Name})", caller.User);

        if (_options.ProvisioningDelay <= TimeSpan.Zero)
        {
            CompleteProvisioningLocked(addon);
        }
        else
        {
            var generation = _generation;
            _ = Task.Delay(_options.ProvisioningDelay, _time).ContinueWith(_ => CompleteProvisioningLater(addon, generation), TaskScheduler.Default);
        }

        return RenderAddonLocked(addon);
    });

    /// <summary>
    /// DELETE /apps/{app}/addons/{id_or_name} <c>{force?}</c>: as Heroku, in the background. The add-on answers
    /// <c>deprovisioning</c> and stays listed and attached, its cluster up, for <see cref="SandboxOptions.DeprovisioningDelay"/>;
    /// then it is gone (404), its attachments and their vars leave in a release and the cluster and its data with
    /// them. An add-on attached to other apps needs <c>force: true</c>. Destroying one already deprovisioning changes nothing.
    /// </summary>
    public JsonObject DestroyAddon(SandboxCaller caller, string app, string idOrName, JsonNode? body = null) => Mutate(() =>
    {
        var record = FindAppLocked(caller, app);
        CompleteDueProvisioningLocked();
        var addon = FindAddonLocked(caller, idOrName, record);
        if (addon.App != record)
        {
            throw SandboxApiException.Forbidden($"{addon.Name} is billed to {addon.App.Name}; destroy it from there.");
        }

        if (addon.State == AddonStates.Deprovisioning)
        {
            return RenderAddonLocked(addon);
        }

        var otherApps = _attachments.Values.Where(t => t.Addon == addon && t.App != record).Select(t => t.App.Name).Distinct().Order(StringComparer.Ordinal).ToList();
        if (otherApps.Count > 0 && !ReadFlag(body as JsonObject, "force"))
        {
            throw SandboxApiException.InvalidParams(
                $"{addon.Name} is also attached to {string.Join(", ", otherApps)}. Destroy it with force (heroku addons:destroy --force) to remove it from every app.");
        }

        addon.State = AddonStates.Deprovisioning;
        addon.ProvisionMessage = "The add-on is being destroyed.";
        addon.UpdatedAt = Now;
        addon.GoneAt = Now + _options.DeprovisioningDelay;
        addon.DestroyedBy = caller.User;
        if (_options.DeprovisioningDelay <= TimeSpan.Zero)
        {
            CompleteDeprovisioningLocked(addon);
        }
        else
        {
            var generation = _generation;
            _ = Task.Delay(_options.DeprovisioningDelay, _time).ContinueWith(_ => CompleteDeprovisioningLater(addon, generation), TaskScheduler.Default);
        }

        return RenderAddonLocked(addon);
    });

    private void CompleteDeprovisioningLocked(AddonRecord addon)
    {
        if (addon.State != AddonStates.Deprovisioning)
        {
            return;
        }

        var attachments = _attachments.Values.Where(t => t.Addon == addon).ToList();
        foreach (var attachment in attachments)
        {
            RemoveAttachmentLocked(attachment);
        }

        var hadCluster = addon.Credentials is not null;
        addon.State = AddonStates.Deprovisioned;
        addon.ProvisionMessage = "The add-on was destroyed.";
        addon.UpdatedAt = Now;
        addon.Credentials = null;
        _addons.Remove(addon.Id);
        if (hadCluster)
        {
            _clusters?.Destroy(addon.Id);
        }

        foreach (var affected in attachments.Select(t => t.App).Append(addon.App).Distinct())
        {
            ReleaseLocked(affected, $"Destroy {addon.Name} add-on", addon.DestroyedBy ?? addon.App.Owner);
        }
    }

    private void CompleteDeprovisioningLater(AddonRecord addon, int generation)
    {
        try
        {
            Mutate(() =>
            {
                if (generation == _generation && _addons.ContainsKey(addon.Id))
                {
                    CompleteDeprovisioningLocked(addon);
                }

                return 0;
            });
        }
        catch (ObjectDisposedException)
        {
            // The sandbox was shut down while the add-on was deprovisioning.
        }
        catch (Exception e)
        {
            _logger.LogError(e, "Completing the destruction of add-on {Addon} failed", addon.Name);
        }
    }

    /// <summary>
    /// Heroku refuses to remove or replace an add-on's last attachment to its billing app ("either remove the add-on
    /// entirely or add a new attachment to it"); an add-on on its way out is no longer held to it.
    /// </summary>
    private void RefuseRemovingLastBillingAttachmentLocked(AttachmentRecord attachment)
    {
        var addon = attachment.Addon;
        if (attachment.App != addon.App || addon.State is AddonStates.Deprovisioning or AddonStates.Deprovisioned)
        {
            return;
        }

        if (_attachments.Values.Any(t => t != attachment && t.Addon == addon && t.App == addon.App))
        {
            return;
        }

        throw SandboxApiException.InvalidParams(
            $"{attachment.Name} is the last billing attachment of {addon.Name} on {addon.App.Name}; either remove the add-on entirely or add a new attachment to it.");
    }

    public IReadOnlyList<JsonObject> ListAttachmentsOfApp(SandboxCaller caller, string app, bool includeAddonPlan, bool includeConfigVars) => Mutate(() =>
    {
        var record = FindAppLocked(caller, app);
        CompleteDueProvisioningLocked();
        return (IReadOnlyList<JsonObject>)[.. _attachments.Values.Where(t => t.App == record)
            .Select(t => RenderAttachmentLocked(t, includeAddonPlan, includeConfigVars))];
    });

    public IReadOnlyList<JsonObject> ListAttachmentsOfAddon(SandboxCaller caller, string addonIdOrName, bool includeAddonPlan, bool includeConfigVars) => Mutate(() =>
    {
        CompleteDueProvisioningLocked();
        var addon = FindAddonLocked(caller, addonIdOrName, null);
        return (IReadOnlyList<JsonObject>)[.. _attachments.Values.Where(t => t.Addon == addon && t.App.IsAccessibleBy(caller.User))
            .Select(t => RenderAttachmentLocked(t, includeAddonPlan, includeConfigVars))];
    });

    /// <summary>POST /addon-attachments <c>{addon, app, name, confirm?}</c>. A name in use needs <c>confirm</c> = app name,
    /// then the old attachment of that name is replaced; config vars follow the names in one release.</summary>
    public JsonObject CreateAttachment(SandboxCaller caller, JsonNode? body) => Mutate(() =>
    {
        var request = body as JsonObject ?? throw SandboxApiException.InvalidParams("Expected a JSON object.");
        var appRef = ReadString(request, "app") ?? throw SandboxApiException.InvalidParams("app is required.");
        var addonRef = ReadString(request, "addon") ?? throw SandboxApiException.InvalidParams("addon is required.");
        var app = FindAppLocked(caller, appRef);
        CompleteDueProvisioningLocked();
        var addon = FindAddonLocked(caller, addonRef, null);
        if (addon.State is AddonStates.Deprovisioned or AddonStates.Deprovisioning)
        {
            throw SandboxApiException.InvalidParams($"{addon.Name} is {addon.State} and cannot be attached.");
        }

        var name = ReadString(request, "name") ?? DefaultAttachmentNameLocked(app);
        ValidateAttachmentName(name);
        var existing = _attachments.Values.FirstOrDefault(t => t.App == app && t.Name == name);
        if (existing is not null && existing.Addon == addon)
        {
            throw SandboxApiException.InvalidParams($"{addon.Name} is already attached to {app.Name} as {name}.");
        }

        if (existing is not null && ReadString(request, "confirm") != app.Name)
        {
            throw SandboxApiException.ConfirmationRequired(
                $"The attachment name {name} is already in use on {app.Name} by {existing.Addon.Name}. To replace it, confirm with the app name.");
        }

        if (existing is not null)
        {
            RefuseRemovingLastBillingAttachmentLocked(existing);
            RemoveAttachmentLocked(existing);
        }

        var attachment = new AttachmentRecord(Guid.NewGuid(), name, addon, app, Now);
        _attachments.Add(attachment.Id, attachment);
        SetAttachmentVarsLocked(attachment);
        ReleaseLocked(app, $"Attach {name} (@ref:{addon.Name})", caller.User);
        return HerokuJson.Attachment(attachment);
    });

    public JsonObject DeleteAttachment(SandboxCaller caller, string id) => Mutate(() =>
    {
        CompleteDueProvisioningLocked();
        var attachment = (Guid.TryParse(id, out var guid) ? _attachments.GetValueOrDefault(guid) : null)
            ?? throw SandboxApiException.NotFound("Couldn't find that add-on attachment.");
        if (!attachment.App.IsAccessibleBy(caller.User))
        {
            throw SandboxApiException.Forbidden($"You do not have access to the app {attachment.App.Name}.");
        }

        RefuseRemovingLastBillingAttachmentLocked(attachment);
        RemoveAttachmentLocked(attachment);
        ReleaseLocked(attachment.App, $"Detach {attachment.Name} (@ref:{attachment.Addon.Name})", caller.User);
        return HerokuJson.Attachment(attachment);
    });

    private void RemoveAttachmentLocked(AttachmentRecord attachment)
    {
        _attachments.Remove(attachment.Id);
        foreach (var name in AttachmentVarNames(attachment))
        {
            attachment.App.ConfigVars.Remove(name);
        }
    }

    private static IEnumerable<string> AttachmentVarNames(AttachmentRecord attachment)
    {
        var names = AttachmentVarSuffixes.Select(s => attachment.Name + s);
        return attachment.Addon.Plan.MultiTenant ? names.Append(attachment.Name + "_PREFIX") : names;
    }

    private void SetAttachmentVarsLocked(AttachmentRecord attachment)
    {
        if (attachment.Addon.Credentials is not { } credentials)
        {
            return;
        }

        var vars = attachment.App.ConfigVars;
        vars[attachment.Name + "_URL"] = credentials.Url;
        vars[attachment.Name + "_TRUSTED_CERT"] = credentials.TrustedCert;
        vars[attachment.Name + "_CLIENT_CERT"] = credentials.ClientCert;
        vars[attachment.Name + "_CLIENT_CERT_KEY"] = credentials.ClientCertKey;
        if (attachment.Addon.Plan.MultiTenant)
        {
            vars[attachment.Name + "_PREFIX"] = attachment.Addon.TopicPrefix;
        }
    }

    /// <summary>Add-ons whose provisioning or deprovisioning delay has passed are completed on the next read,
    /// whichever of the timer and the read comes first.</summary>
    private void CompleteDueProvisioningLocked()
    {
        foreach (var addon in _addons.Values.Where(a => a.State == AddonStates.Provisioning && a.ReadyAt <= Now).ToList())
        {
            CompleteProvisioningLocked(addon);
        }

        foreach (var addon in _addons.Values.Where(a => a.State == AddonStates.Deprovisioning && a.GoneAt <= Now).ToList())
        {
            CompleteDeprovisioningLocked(addon);
        }
    }

    private void CompleteProvisioningLater(AddonRecord addon, int generation)
    {
        try
        {
            Mutate(() =>
            {
                if (generation == _generation && _addons.ContainsKey(addon.Id))
                {
                    CompleteProvisioningLocked(addon);
                }

                return 0;
            });
        }
        catch (ObjectDisposedException)
        {
            // The sandbox was shut down while the add-on was provisioning.
        }
        catch (Exception e)
        {
            _logger.LogError(e, "Completing the provisioning of add-on {Addon} failed", addon.Name);
        }
    }

    private void CompleteProvisioningLocked(AddonRecord addon)
    {
        if (addon.State != AddonStates.Provisioning)
        {
            return;
        }

        var now = Now;
        addon.UpdatedAt = now;
        var attachments = _attachments.Values.Where(t => t.Addon == addon).ToList();
        if (addon.FailsToProvision)
        {
            addon.State = AddonStates.Deprovisioned;
            addon.ProvisionMessage = "Provisioning failed (sandbox fault injection).";
            foreach (var attachment in attachments)
            {
                RemoveAttachmentLocked(attachment);
            }

            foreach (var app in attachments.Select(t => t.App).Distinct())
            {
                ReleaseLocked(app, $"Detach {addon.Name} after failed provisioning", app.Owner);
            }

            return;
        }

        if (_clusters is null)
        {
            addon.Credentials = PlaceholderCredentials(addon);
        }
        else
        {
            var cluster = _clusters.Create(addon.Id, _options.BrokersPerCluster);
            cluster.ProduceQuotaBytesPerSecond = addon.Plan.ProduceQuotaBytesPerSecond;
            addon.Credentials = cluster.Credentials;
        }
        addon.State = AddonStates.Provisioned;
        addon.ProvisionMessage = "Kafka is available.";
        foreach (var attachment in attachments)
        {
            SetAttachmentVarsLocked(attachment);
        }

        foreach (var app in attachments.Select(t => t.App).Distinct())
        {
            ReleaseLocked(app, $"Update {string.Join(", ", attachments.Where(t => t.App == app).Select(t => t.Name))} by {KafkaPlan.ServiceName}", app.Owner);
        }
    }

    // Without a Kafka side (library used alone), add-ons still get credentials of the right shape; nothing listens there.
    private static Kafka.SandboxKafkaCredentials PlaceholderCredentials(AddonRecord addon) => new(
        "kafka+ssl://127.0.0.1:1",
        "-----BEGIN CERTIFICATE-----\nsandbox-placeholder\n-----END CERTIFICATE-----\n",
        "-----BEGIN CERTIFICATE-----\nsandbox-placeholder\n-----END CERTIFICATE-----\n",
        $"-----BEGIN PRIVATE KEY-----\nsandbox-placeholder-{addon.Id:N}\n-----END PRIVATE KEY-----\n");

    private AddonRecord FindAddonLocked(SandboxCaller caller, string idOrName, AppRecord? app)
    {
        var addon = (Guid.TryParse(idOrName, out var id) ? _addons.GetValueOrDefault(id) : null)
            ?? _addons.Values.FirstOrDefault(a => a.Name == idOrName)
            ?? (app is null ? null : _attachments.Values.FirstOrDefault(t => t.App == app && t.Name == idOrName)?.Addon)
            ?? throw SandboxApiException.NotFound("Couldn't find that add-on.");
        var visible = addon.App.IsAccessibleBy(caller.User)
            || _attachments.Values.Any(t => t.Addon == addon && t.App.IsAccessibleBy(caller.User));
        if (!visible)
        {
            throw SandboxApiException.Forbidden("You do not have access to that add-on.");
        }

        return addon;
    }

    private JsonObject RenderAddonLocked(AddonRecord addon) =>
        HerokuJson.Addon(addon, addon.Credentials is null
            ? []
            : [.. _attachments.Values.Where(t => t.Addon == addon && t.App == addon.App).OrderBy(t => t.CreatedAt).SelectMany(AttachmentVarNames)]);

    private JsonObject RenderAttachmentLocked(AttachmentRecord attachment, bool includeAddonPlan, bool includeConfigVars)
    {
        var json = HerokuJson.Attachment(attachment);
        if (includeAddonPlan && json["addon"] is JsonObject addon)
        {
            addon["plan"] = new JsonObject { ["id"] = attachment.Addon.Plan.Id.ToString(), ["name"] = attachment.Addon.Plan.Name };
        }

        if (includeConfigVars)
        {
            json["config_vars"] = attachment.Addon.Credentials is null
                ? new JsonArray()
                : new JsonArray([.. AttachmentVarNames(attachment).Select(n => (JsonNode)n)]);
        }

        return json;
    }

    private string DefaultAttachmentNameLocked(AppRecord app)
    {
        bool Taken(string name) => _attachments.Values.Any(t => t.App == app && t.Name == name);
        return !Taken("KAFKA") ? "KAFKA" : Colors.Select(c => $"HEROKU_KAFKA_{c}").FirstOrDefault(n => !Taken(n)) ?? $"HEROKU_KAFKA_{Guid.NewGuid():N}".ToUpperInvariant();
    }

    private string NewAddonNameLocked()
    {
        while (true)
        {
            var name = $"kafka-{NameWords[Random.Shared.Next(NameWords.Length)]}-{Random.Shared.Next(10000, 99999)}";
            if (_addons.Values.All(a => a.Name != name))
            {
                return name;
            }
        }
    }

    private static void ValidateAttachmentName(string name)
    {
        if (!AttachmentNamePattern().IsMatch(name))
        {
            throw SandboxApiException.InvalidParams(
                "Attachment name must start with a letter and contain only uppercase letters, digits and underscores.");
        }
    }

    private static bool ReadFlag(JsonObject? json, string property) =>
        json?[property] is JsonValue value && value.TryGetValue<bool>(out var flag) && flag;

    private static string? ReadString(JsonObject? json, string property) =>
        json?[property] is JsonValue value && value.TryGetValue<string>(out var text) && !string.IsNullOrWhiteSpace(text) ? text : null;
}
