namespace KafkaMigrationPortal.Sandbox.Platform;

public sealed partial class HerokuSandbox
{
    public const string DemoApp = "mackerel";
    public const string DemoConsumerGroup = "mackerel-consumers";
    public static readonly IReadOnlyList<string> DemoTopics = ["orders", "payments", "audit-events"];

    /// <summary>Alice's <c>mackerel</c> (Bob collaborates): web, producer and consumer dynos, a basic-0 Kafka attached as
    /// KAFKA with three topics and two consumer groups. Carol owns <c>herring</c>, with no add-ons.</summary>
    private void SeedDemoLocked()
    {
        var mackerel = CreateAppLocked(DemoApp, SandboxUsers.Alice, SandboxUsers.Bob);
        AddProcessTypeLocked(mackerel, "web", "dotnet Mackerel.Web.dll --urls http://0.0.0.0:$PORT", 1);
        AddProcessTypeLocked(mackerel, "producer", "dotnet Mackerel.Producer.dll", 1);
        AddProcessTypeLocked(mackerel, "consumer", "dotnet Mackerel.Consumer.dll", 1);
        mackerel.ConfigVars["SANDBOX_TOPICS"] = string.Join(",", DemoTopics);
        mackerel.ConfigVars["SANDBOX_CONSUMER_GROUP"] = DemoConsumerGroup;
        ReleaseLocked(mackerel, "Set SANDBOX_TOPICS, SANDBOX_CONSUMER_GROUP config vars", SandboxUsers.Alice);

        var plan = KafkaPlan.Find("heroku-kafka:basic-0")!;
        var now = Now;
        var addon = new AddonRecord(Guid.NewGuid(), NewAddonNameLocked(), mackerel, plan, now)
        {
            TopicPrefix = $"{PrefixWords[Random.Shared.Next(PrefixWords.Length)]}-{Random.Shared.Next(10000, 99999)}.",
        };
        _addons.Add(addon.Id, addon);
        var attachment = new AttachmentRecord(Guid.NewGuid(), "KAFKA", addon, mackerel, now);
        _attachments.Add(attachment.Id, attachment);
        CompleteProvisioningLocked(addon);

        var retention = (long)Math.Max(_options.DemoTopicRetention.TotalMilliseconds, _options.MinimumRetention.TotalMilliseconds);
        foreach (var name in DemoTopics)
        {
            var topic = new TopicRecord(name, 4, 3, retention, false, now);
            CreateTopicOnBrokersLocked(addon, topic);
            addon.Topics.Add(name, topic);
        }

        addon.ConsumerGroups.Add(DemoConsumerGroup);
        addon.ConsumerGroups.Add("audit-archiver");

        var herring = CreateAppLocked("herring", SandboxUsers.Carol);
        AddProcessTypeLocked(herring, "web", "dotnet Herring.dll", 1);
    }
}
