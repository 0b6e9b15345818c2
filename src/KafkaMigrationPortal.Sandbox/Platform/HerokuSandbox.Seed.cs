using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using KafkaMigrationPortal.Sandbox.Http;

namespace KafkaMigrationPortal.Sandbox.Platform;

public sealed partial class HerokuSandbox
{
    public const string DemoApp = "mackerel";
    public const string DemoConsumerGroup = "mackerel-consumers";
    public static readonly IReadOnlyList<string> DemoTopics = ["orders", "payments", "audit-events"];

    [GeneratedRegex("^[a-z][a-z0-9-]{1,28}[a-z0-9]$")]
    private static partial Regex AppNamePattern();

    /// <summary>
    /// Seeds another app like <c>mackerel</c> (owner, collaborator, dynos, Kafka add-on, topics and groups), named
    /// <paramref name="name"/> and with its consumers in <c>{name}-consumers</c>: an app of its own for one test.
    /// </summary>
    public JsonObject CreateDemoApp(string name) => Mutate(() =>
    {
        if (!AppNamePattern().IsMatch(name))
        {
            throw SandboxApiException.InvalidParams("Name must start with a letter, end with a letter or digit and can only contain lowercase letters, digits, and dashes (3 to 30 characters).");
        }

        if (_apps.Values.Any(a => a.Name == name))
        {
            throw SandboxApiException.Conflict($"Name {name} is already taken.");
        }

        return HerokuJson.App(SeedDemoAppLocked(name, $"{name}-consumers"));
    });

    /// <summary>Alice's <c>mackerel</c> (Bob collaborates): web, producer and consumer dynos, a Kafka add-on on
    /// <see cref="SandboxOptions.DemoAddonPlan"/> (by default basic-0-sandbox: short retention allowed) attached as KAFKA
    /// with three topics and two consumer groups. Carol owns <c>herring</c>, with no add-ons.</summary>
    private void SeedDemoLocked()
    {
        SeedDemoAppLocked(DemoApp, DemoConsumerGroup);

        var herring = CreateAppLocked("herring", SandboxUsers.Carol);
        AddProcessTypeLocked(herring, "web", "dotnet Herring.dll", 1);
    }

    private AppRecord SeedDemoAppLocked(string name, string consumerGroup)
    {
        var app = CreateAppLocked(name, SandboxUsers.Alice, SandboxUsers.Bob);
        AddProcessTypeLocked(app, "web", "dotnet Mackerel.Web.dll --urls http://0.0.0.0:$PORT", 1);
        AddProcessTypeLocked(app, "producer", "dotnet Mackerel.Producer.dll", 1);
        AddProcessTypeLocked(app, "consumer", "dotnet Mackerel.Consumer.dll", 1);
        app.ConfigVars["SANDBOX_TOPICS"] = string.Join(",", DemoTopics);
        app.ConfigVars["SANDBOX_CONSUMER_GROUP"] = consumerGroup;
        ReleaseLocked(app, "Set SANDBOX_TOPICS, SANDBOX_CONSUMER_GROUP config vars", SandboxUsers.Alice);

        var plan = KafkaPlan.Find(_options.DemoAddonPlan)
            ?? throw new InvalidOperationException($"Sandbox:DemoAddonPlan: {_options.DemoAddonPlan} is no Kafka plan the sandbox knows.");
        var now = Now;
        var addon = new AddonRecord(Guid.NewGuid(), NewAddonNameLocked(), app, plan, now) { TopicPrefix = NewTopicPrefix(plan) };
        _addons.Add(addon.Id, addon);
        var attachment = new AttachmentRecord(Guid.NewGuid(), "KAFKA", addon, app, now);
        _attachments.Add(attachment.Id, attachment);
        CompleteProvisioningLocked(addon);

        var retention = Math.Max((long)_options.DemoTopicRetention.TotalMilliseconds, MinimumRetentionMs(addon));
        foreach (var topic in DemoTopics)
        {
            var record = new TopicRecord(topic, 4, 3, retention, false, now);
            MakeTopicReadyLocked(addon, record);
            addon.Topics.Add(topic, record);
        }

        addon.ConsumerGroups.Add(consumerGroup);
        addon.ConsumerGroups.Add("audit-archiver");
        return app;
    }
}
