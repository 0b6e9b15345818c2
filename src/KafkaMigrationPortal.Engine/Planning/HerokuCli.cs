using System.Globalization;

namespace KafkaMigrationPortal.Engine.Planning;

/// <summary>
/// The Heroku CLI command a person would have typed for a step, shown beside it; pasted, it must work. Flag names follow
/// the <c>heroku</c> CLI and its <c>heroku-kafka</c> plugin (<c>--retention-time</c> takes milliseconds as a plain
/// number). The CLI's arguments differ by command: <c>addons:attach</c> takes an add-on (name or id, looked up with
/// <c>GET /addons/X</c>), never an attachment name; <c>addons:detach</c> takes an attachment name;
/// <c>addons:destroy</c> takes either.
/// </summary>
internal static class HerokuCli
{
    /// <summary>Prefix of a line that is a check the portal makes, with no CLI equivalent.</summary>
    public const string PortalCheck = "(portal check: ";

    /// <summary>Prefix of a line saying that what the portal does there has no CLI command at all.</summary>
    public const string NoCliEquivalent = "# no Heroku CLI equivalent: ";

    /// <param name="name">The add-on's name, when the plan chooses it (so that later commands can name the add-on).</param>
    public static string CreateAddon(string app, string plan, string attachment, string? name = null) =>
        $"heroku addons:create {plan} --as {attachment}{(name is null ? "" : $" --name {name}")} -a {app}";

    public static string KafkaWait(string app, string attachment) => $"heroku kafka:wait {attachment} -a {app}";

    public static string CreateTopic(string app, string attachment, TopicSpec topic, bool withReplicationFactor)
    {
        var command = $"heroku kafka:topics:create {topic.Name} --partitions {topic.Partitions}";
        if (withReplicationFactor) command += $" --replication-factor {topic.ReplicationFactor}";
        if (topic.RetentionTimeMs is { } retention) command += $" --retention-time {retention.ToString(CultureInfo.InvariantCulture)}";
        if (topic.Compacted) command += " --compaction";
        return $"{command} {attachment} -a {app}";
    }

    public static string CreateConsumerGroup(string app, string attachment, string group) =>
        $"heroku kafka:consumer-groups:create {group} {attachment} -a {app}";

    public static string Scale(string app, IEnumerable<KeyValuePair<string, int>> quantities) =>
        $"heroku ps:scale {string.Join(' ', quantities.Select(q => $"{q.Key}={q.Value}"))} -a {app}";

    public static string Maintenance(string app, bool on) => $"heroku maintenance:{(on ? "on" : "off")} -a {app}";

    /// <param name="addon">The add-on's name or id: an attachment name does not work here.</param>
    public static string Attach(string app, string addon, string attachment, bool confirm) =>
        $"heroku addons:attach {addon} --as {attachment}{(confirm ? $" --confirm {app}" : "")} -a {app}";

    /// <param name="attachment">The attachment's name (e.g. <c>NEW_KAFKA</c>), not the add-on's.</param>
    public static string Detach(string app, string attachment) => $"heroku addons:detach {attachment} -a {app}";

    public static string ConfigVars(string app, IReadOnlyDictionary<string, string?> vars)
    {
        var set = vars.Where(v => v.Value is not null).Select(v => $"{v.Key}={v.Value}").ToList();
        var unset = vars.Where(v => v.Value is null).Select(v => v.Key).ToList();
        var commands = new List<string>();
        if (set.Count > 0) commands.Add($"heroku config:set {string.Join(' ', set)} -a {app}");
        if (unset.Count > 0) commands.Add($"heroku config:unset {string.Join(' ', unset)} -a {app}");
        return string.Join("\n", commands);
    }

    /// <param name="force">The add-on is also attached to other apps: without <c>--force</c> Heroku refuses.</param>
    public static string Destroy(string app, string addon, bool force = false) =>
        $"heroku addons:destroy {addon} -a {app} --confirm {app}{(force ? " --force" : "")}";

    public static string Check(string what) => $"{PortalCheck}{what})";

    public static string NoEquivalent(string what) => $"{NoCliEquivalent}{what}";
}
