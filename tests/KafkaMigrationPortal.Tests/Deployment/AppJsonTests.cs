using System.Text.Json;
using System.Text.RegularExpressions;
using KafkaMigrationPortal.Engine.Storage;
using KafkaMigrationPortal.Features.Connections;
using KafkaMigrationPortal.Features.Jobs;
using KafkaMigrationPortal.TestSupport;
using Microsoft.Extensions.Configuration;

namespace KafkaMigrationPortal.Tests.Deployment;

/// <summary>app.json drives the Deploy-to-Heroku button; Heroku rejects or silently ignores what it does not define.</summary>
public sealed partial class AppJsonTests
{
    // The top-level fields of Heroku's app.json format.
    private static readonly HashSet<string> DefinedFields =
        ["name", "description", "keywords", "website", "repository", "logo", "success_url", "scripts", "env", "formation", "image", "addons", "buildpacks", "environments", "stack"];

    private static readonly HashSet<string> EnvFields = ["description", "value", "required", "generator"];

    // Variables that Heroku itself sets on every dyno (HEROKU_APP_DEFAULT_DOMAIN_NAME with dyno metadata enabled) or
    // that an add-on in app.json provides.
    private static readonly HashSet<string> ProvidedByHeroku = ["PORT", "DYNO", "DATABASE_URL", "HEROKU_APP_DEFAULT_DOMAIN_NAME"];

    // ASP.NET Core's own hosting settings, which the single-operator guard reads to see where the server listens; the
    // Procfile sets them (--urls), app.json must not.
    private static readonly HashSet<string> HostingSettings = ["urls", "http_ports", "https_ports", "https_port", "Kestrel__Endpoints"];

    private static JsonElement AppJson { get; } = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "app.json"))).RootElement;

    [Fact]
    public void It_uses_only_fields_that_the_format_defines_and_has_the_ones_a_button_needs()
    {
        var fields = AppJson.EnumerateObject().Select(p => p.Name).ToList();

        Assert.All(fields, f => Assert.Contains(f, DefinedFields));
        Assert.False(string.IsNullOrWhiteSpace(AppJson.GetProperty("name").GetString()));
        Assert.InRange(AppJson.GetProperty("name").GetString()!.Length, 1, 30);
        Assert.False(string.IsNullOrWhiteSpace(AppJson.GetProperty("description").GetString()));
        Assert.Contains(AppJson.GetProperty("addons").EnumerateArray(), a => a.GetProperty("plan").GetString()!.StartsWith("heroku-postgresql:"));
        Assert.All(AppJson.GetProperty("buildpacks").EnumerateArray(), b => Assert.False(string.IsNullOrEmpty(b.GetProperty("url").GetString())));
    }

    [Fact]
    public void Every_env_var_has_a_description_and_only_defined_fields()
    {
        foreach (var variable in AppJson.GetProperty("env").EnumerateObject())
        {
            Assert.All(variable.Value.EnumerateObject(), f => Assert.Contains(f.Name, EnvFields));
            Assert.False(string.IsNullOrWhiteSpace(variable.Value.GetProperty("description").GetString()), variable.Name);
            if (variable.Value.TryGetProperty("generator", out var generator))
            {
                Assert.Equal("secret", generator.GetString());
            }
        }
    }

    [Fact]
    public void The_formation_declares_exactly_the_Procfile_process_types()
    {
        var procfileTypes = File.ReadAllLines(Path.Combine(RepositoryPaths.Root, "Procfile"))
            .Where(l => l.Contains(':'))
            .Select(l => l[..l.IndexOf(':')].Trim())
            .Order();

        Assert.Equal(procfileTypes, AppJson.GetProperty("formation").EnumerateObject().Select(p => p.Name).Order());
    }

    [Fact]
    public void The_formation_starts_only_processes_that_the_mode_it_deploys_can_run()
    {
        var env = AppJson.GetProperty("env");
        Assert.True(env.TryGetProperty(PortalMode.Variable, out var mode), $"app.json declares {PortalMode.Variable}");
        Assert.Equal("sandbox", mode.GetProperty("value").GetString());
        // What the button deploys when nothing is typed into its form: the values app.json gives.
        var deployed = new ConfigurationBuilder().AddInMemoryCollection(env.EnumerateObject()
            .Where(v => v.Value.TryGetProperty("value", out _))
            .Select(v => KeyValuePair.Create(v.Name.Replace("__", ":"), v.Value.GetProperty("value").GetString()))).Build();

        var started = AppJson.GetProperty("formation").EnumerateObject().Where(p => p.Value.GetProperty("quantity").GetInt32() > 0).Select(p => p.Name).ToList();

        Assert.Contains("web", started);
        Assert.All(started, type => PortalMode.Decide(deployed, type == "worker" ? PortalRole.Worker : PortalRole.Web));
        Assert.Throws<PortalConfigurationException>(() => PortalMode.Decide(deployed, PortalRole.Worker)); // so the worker is declared at 0
    }

    [Fact]
    public void Every_environment_variable_the_code_reads_is_declared()
    {
        var declared = AppJson.GetProperty("env").EnumerateObject().Select(p => p.Name).ToHashSet();
        var read = SettingsReadByTheCode().ToList();

        Assert.Contains("DATABASE_URL", read);
        Assert.Contains("PORTAL_ROLE", read);
        Assert.All(read.Where(v => !ProvidedByHeroku.Contains(v) && !HostingSettings.Contains(v)), v => Assert.Contains(v, declared));
    }

    /// <summary>
    /// Settings are read through <c>GetEnvironmentVariable("NAME")</c> or through a constant whose name ends in
    /// Key or Variable; configuration keys map to environment variables with ':' written as '__'.
    /// </summary>
    private static readonly string[] PortalProjects = ["KafkaMigrationPortal", "KafkaMigrationPortal.Engine"];

    private static IEnumerable<string> SettingsReadByTheCode() =>
        Directory.EnumerateFiles(Path.Combine(RepositoryPaths.Root, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"))
            .Where(f => PortalProjects.Any(project => f.Contains($"src{Path.DirectorySeparatorChar}{project}{Path.DirectorySeparatorChar}")))
            .SelectMany(f => SettingReads().Matches(File.ReadAllText(f)))
            .Select(m => (m.Groups["env"].Success ? m.Groups["env"].Value : m.Groups["key"].Value).Replace(":", "__"))
            .Distinct();

    [GeneratedRegex("""GetEnvironmentVariable\("(?<env>[A-Za-z0-9_]+)"\)|const string \w*(Key|Variable) = "(?<key>[A-Za-z0-9_:]+)";""")]
    private static partial Regex SettingReads();
}
