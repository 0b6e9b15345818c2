using System.Text.RegularExpressions;
using KafkaMigrationPortal.Engine.Planning;
using KafkaMigrationPortal.Features.Migrations;

namespace KafkaMigrationPortal.Tests.Planning;

/// <summary>
/// Every command every plan prints, parsed against the argument rules of the Heroku CLI and its heroku-kafka plugin:
/// a known command, its positional arguments of the right kind, only known flags, required ones present, values where
/// a flag takes one. <c>addons:attach</c> takes an add-on the plan knows by name (never an attachment name),
/// <c>addons:detach</c> an attachment name, <c>addons:destroy</c> either; <c>-a APP</c> on each; <c>--confirm APP</c>
/// only where the CLI would otherwise stop (destroy, and attach over a name in use).
/// </summary>
public sealed partial class HerokuCliTextTests
{
    [GeneratedRegex("^[A-Z][A-Z0-9_]*$")]
    private static partial Regex AttachmentName();

    [GeneratedRegex("^heroku-kafka:(basic|standard|extended)-[0-2]$")]
    private static partial Regex KafkaPlan();

    [GeneratedRegex("^[a-z][a-z0-9_-]*=[0-9]+$")]
    private static partial Regex ScaleArgument();

    [GeneratedRegex("^[A-Z][A-Z0-9_]*=.+$")]
    private static partial Regex ConfigAssignment();

    [GeneratedRegex("^[0-9]+$")]
    private static partial Regex Number();

    /// <summary>What a command accepts: how many positional arguments, its flags (true: takes a value), the ones it needs.</summary>
    private sealed record CommandRule(int MinArgs, int MaxArgs, IReadOnlyDictionary<string, bool> Flags, IReadOnlyList<string> Required);

    private static CommandRule Rule(int min, int max, string[] valueFlags, string[]? switches = null, string[]? required = null) => new(
        min, max,
        valueFlags.Select(f => KeyValuePair.Create(f, true)).Concat((switches ?? []).Select(f => KeyValuePair.Create(f, false))).ToDictionary(),
        required ?? ["-a"]);

    // From the CLI's and the plugin's command definitions (args and flags), the ones plans print.
    private static readonly Dictionary<string, CommandRule> Rules = new(StringComparer.Ordinal)
    {
        ["addons:create"] = Rule(1, 1, ["-a", "--as", "--name", "--confirm"], ["--wait"], ["-a", "--as"]),
        ["addons:attach"] = Rule(1, 1, ["-a", "--as", "--credential", "--confirm"]),
        ["addons:detach"] = Rule(1, 1, ["-a"]),
        ["addons:destroy"] = Rule(1, int.MaxValue, ["-a", "--confirm"], ["--force", "--wait"], ["-a", "--confirm"]),
        ["kafka:wait"] = Rule(0, 1, ["-a"]),
        ["kafka:topics:create"] = Rule(1, 2, ["-a", "--partitions", "--replication-factor", "--retention-time"], ["--compaction"], ["-a", "--partitions"]),
        ["kafka:consumer-groups:create"] = Rule(1, 2, ["-a"]),
        ["ps:scale"] = Rule(1, int.MaxValue, ["-a"]),
        ["maintenance:on"] = Rule(0, 0, ["-a"]),
        ["maintenance:off"] = Rule(0, 0, ["-a"]),
        ["config:set"] = Rule(1, int.MaxValue, ["-a"]),
        ["config:unset"] = Rule(1, int.MaxValue, ["-a"]),
    };

    private sealed record ParsedCommand(string Name, IReadOnlyList<string> Args, IReadOnlyDictionary<string, string?> Flags);

    private static ParsedCommand Parse(string line)
    {
        var tokens = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(tokens.Length >= 2 && tokens[0] == "heroku", $"not a heroku command: {line}");
        Assert.True(Rules.TryGetValue(tokens[1], out var rule), $"unknown command {tokens[1]}: {line}");
        var args = new List<string>();
        var flags = new Dictionary<string, string?>(StringComparer.Ordinal);
        for (var i = 2; i < tokens.Length; i++)
        {
            var token = tokens[i];
            if (!token.StartsWith('-'))
            {
                args.Add(token);
                continue;
            }

            Assert.True(rule!.Flags.TryGetValue(token, out var takesValue), $"{tokens[1]} has no flag {token}: {line}");
            Assert.False(flags.ContainsKey(token), $"{token} twice: {line}");
            if (takesValue)
            {
                Assert.True(i + 1 < tokens.Length && !tokens[i + 1].StartsWith('-'), $"{token} needs a value: {line}");
                flags[token] = tokens[++i];
            }
            else
            {
                flags[token] = null;
            }
        }

        Assert.InRange(args.Count, rule!.MinArgs, rule.MaxArgs);
        foreach (var required in rule.Required) Assert.True(flags.ContainsKey(required), $"{tokens[1]} without {required}: {line}");
        return new ParsedCommand(tokens[1], args, flags);
    }

    public static TheoryData<string> Plans => ["maintenance to dedicated", "double-write to multi-tenant", "maintenance to multi-tenant",
        "double-write to dedicated", "source attached to other apps", "primary named HEROKU_KAFKA", "no topics or groups",
        "mirror to dedicated", "mirror to multi-tenant"];

    private static PlanRequest RequestFor(string kind) => kind switch
    {
        "maintenance to dedicated" => Requests.MaintenanceToDedicated(),
        "double-write to multi-tenant" => Requests.DoubleWriteToMultiTenant(),
        "maintenance to multi-tenant" => Requests.DoubleWriteToMultiTenant() with { Strategy = MigrationStrategy.MaintenanceWindow },
        "double-write to dedicated" => Requests.MaintenanceToDedicated() with { Strategy = MigrationStrategy.DoubleWrite },
        "source attached to other apps" => Requests.MaintenanceToDedicated() with { Source = Requests.MultiTenantSource with { AlsoAttachedTo = ["pike", "tuna"] } },
        "primary named HEROKU_KAFKA" => Requests.DoubleWriteToMultiTenant() with
        {
            Source = Requests.DedicatedSource with { AttachmentNames = ["HEROKU_KAFKA"] },
            SourceAttachment = "HEROKU_KAFKA",
        },
        "no topics or groups" => Requests.MaintenanceToDedicated() with { Topics = [], ConsumerGroups = [] },
        "mirror to dedicated" => Requests.MirrorToDedicated(),
        "mirror to multi-tenant" => Requests.DoubleWriteToMultiTenant() with { Strategy = MigrationStrategy.Mirror },
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    [Theory]
    [MemberData(nameof(Plans))]
    public void Every_printed_command_follows_the_cli_argument_rules(string kind)
    {
        var plan = MigrationPlanBuilder.Build(RequestFor(kind));
        var target = Assert.IsType<ProvisionAddon>(plan.Single<ProvisionAddon>().Action);
        Assert.NotNull(target.AddonName);
        Assert.Matches("^[a-zA-Z][A-Za-z0-9_-]+$", target.AddonName); // Heroku's add-on name pattern
        var addonNames = new Dictionary<AddonRole, string> { [AddonRole.Source] = plan.Source.Name, [AddonRole.Target] = target.AddonName! };
        var commands = 0;

        foreach (var step in plan.Steps)
        {
            var lines = step.CliCommand.Split('\n');
            if (lines is [var only] && only.StartsWith(HerokuCli.PortalCheck, StringComparison.Ordinal))
            {
                Assert.EndsWith(")", only);
                continue;
            }
            // A shell comment: pasted, it does nothing, and it says so.
            if (lines is [var comment] && comment.StartsWith(HerokuCli.NoCliEquivalent, StringComparison.Ordinal))
            {
                Assert.True(step.Action is StartMirror or WaitForMirrorCaughtUp or WaitForMirrorDrained or CommitMirroredOffsets or StopMirror, $"'{step.Title}' has a CLI command: {comment}");
                continue;
            }

            foreach (var line in lines)
            {
                var command = Parse(line);
                commands++;
                Assert.Equal(plan.App, command.Flags["-a"]);
                if (command.Flags.TryGetValue("--confirm", out var confirmed)) Assert.Equal(plan.App, confirmed);
                AssertFitsTheStep(plan, step, command, addonNames, line);
            }
        }

        Assert.True(commands >= 8, $"only {commands} commands were checked");
    }

    private static void AssertFitsTheStep(MigrationPlan plan, PlanStep step, ParsedCommand command, IReadOnlyDictionary<AddonRole, string> addonNames, string line)
    {
        switch (step.Action)
        {
            case ProvisionAddon provision:
                Assert.Equal("addons:create", command.Name);
                Assert.Matches(KafkaPlan(), command.Args[0]);
                Assert.Equal(provision.Plan, command.Args[0]);
                Assert.Equal(provision.AttachmentName, command.Flags["--as"]);
                Assert.Equal(provision.AddonName, command.Flags["--name"]);
                Assert.False(command.Flags.ContainsKey("--confirm"), $"nothing to confirm: {line}");
                break;
            case Attach attach:
                Assert.Equal("addons:attach", command.Name);
                // GET /addons/{arg}: an add-on the plan knows by name, never an attachment name.
                Assert.Equal(addonNames[attach.Addon], command.Args[0]);
                Assert.DoesNotMatch(AttachmentName(), command.Args[0]);
                Assert.Equal(attach.As, command.Flags["--as"]);
                Assert.Equal(attach.Confirm, command.Flags.ContainsKey("--confirm"));
                break;
            case Detach detach:
                Assert.Equal("addons:detach", command.Name);
                Assert.Matches(AttachmentName(), command.Args[0]);
                Assert.Equal(detach.AttachmentName, command.Args[0]);
                break;
            case DestroyAddon destroy:
                Assert.Equal("addons:destroy", command.Name);
                var destroyed = Assert.Single(command.Args);
                Assert.True(destroyed == addonNames[destroy.Addon] || (destroy.Addon == AddonRole.Source && plan.Source.AttachmentNames.Contains(destroyed)),
                    $"destroys something else than the {destroy.Addon} add-on: {line}");
                Assert.Equal(destroy.OtherApps.Count > 0, command.Flags.ContainsKey("--force"));
                break;
            case WaitForProvisioning:
                Assert.Equal("kafka:wait", command.Name);
                break;
            case CreateTopics topics:
                Assert.Equal("kafka:topics:create", command.Name);
                Assert.Contains(command.Args[0], topics.Topics.Select(t => t.Name));
                Assert.Matches(Number(), command.Flags["--partitions"]);
                Assert.Equal(topics.SendReplicationFactor, command.Flags.ContainsKey("--replication-factor"));
                if (command.Flags.TryGetValue("--retention-time", out var retention)) Assert.Matches(Number(), retention);
                break;
            case CreateConsumerGroups groups:
                Assert.Equal("kafka:consumer-groups:create", command.Name);
                Assert.Contains(command.Args[0], groups.Groups);
                break;
            case ScaleProcesses or RestoreFormation:
                Assert.Equal("ps:scale", command.Name);
                Assert.All(command.Args, a => Assert.Matches(ScaleArgument(), a));
                break;
            case SetMaintenance maintenance:
                Assert.Equal(maintenance.On ? "maintenance:on" : "maintenance:off", command.Name);
                break;
            case SetConfigVars:
                Assert.Contains(command.Name, new[] { "config:set", "config:unset" });
                Assert.All(command.Args, a => Assert.Matches(command.Name == "config:set" ? ConfigAssignment() : AttachmentName(), a));
                break;
            default:
                Assert.Fail($"{step.Action.GetType().Name} prints a command but has no rule here: {line}");
                break;
        }
    }

    [Fact]
    public void The_parser_refuses_what_the_cli_would()
    {
        Assert.ThrowsAny<Exception>(() => Parse("heroku addons:attach kafka-x --as KAFKA"));
        Assert.ThrowsAny<Exception>(() => Parse("heroku addons:destroy kafka-x -a mackerel"));
        Assert.ThrowsAny<Exception>(() => Parse("heroku addons:detach -a mackerel"));
        Assert.ThrowsAny<Exception>(() => Parse("heroku addons:attach kafka-x --as -a mackerel"));
        Assert.ThrowsAny<Exception>(() => Parse("heroku kafka:topics:create orders --partition 8 -a mackerel"));
        Assert.ThrowsAny<Exception>(() => Parse("heroku addons:swap kafka-x -a mackerel"));
        Assert.Equal("addons:attach", Parse("heroku addons:attach kafka-x --as KAFKA --confirm mackerel -a mackerel").Name);
    }

    [Fact]
    public void The_old_maintenance_text_would_fail_the_rules()
    {
        var plan = MigrationPlanBuilder.Build(Requests.MaintenanceToDedicated());
        var swap = plan.Single<Attach>(a => a.Addon == AddonRole.Target);
        var addonNames = new Dictionary<AddonRole, string> { [AddonRole.Source] = plan.Source.Name, [AddonRole.Target] = "mackerel-kafka-6c2b3a52" };

        var old = Parse("heroku addons:attach NEW_KAFKA --as KAFKA --confirm mackerel -a mackerel");

        Assert.ThrowsAny<Exception>(() => AssertFitsTheStep(plan, swap, old, addonNames, "old"));
    }
}
