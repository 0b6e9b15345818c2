using System.Diagnostics;

namespace KafkaMigrationPortal.Tests.Hosting;

/// <summary>
/// Heroku's .NET buildpack runs <c>dotnet publish</c> on the solution with a relative <c>PublishDir</c>, so every
/// publishable project publishes into its own <c>bin/…</c> folder and all of them end up in the slug (limit 500 MB).
/// </summary>
public sealed class HerokuPublishTests
{
    private const long HerokuSlugLimitBytes = 500L * 1024 * 1024;

    private static readonly string[] PortalAssemblies =
    [
        "KafkaMigrationPortal.dll",
        "KafkaMigrationPortal.Engine.dll",
        "KafkaMigrationPortal.Heroku.dll",
        "KafkaMigrationPortal.AppClient.dll",
        "KafkaMigrationPortal.Sandbox.dll",
    ];

    private static readonly string[] TestOnlyFilePatterns =
    [
        "*.Tests.dll", "KafkaMigrationPortal.TestSupport.dll", "KafkaMigrationPortal.Benchmarks.dll", "xunit*.dll",
        "Microsoft.Playwright*.dll", "BenchmarkDotNet*.dll", "Bunit*.dll", "CsCheck.dll", "Microsoft.AspNetCore.Mvc.Testing.dll",
        "Microsoft.AspNetCore.TestHost.dll", "testhost*", "Microsoft.TestPlatform*.dll", "Microsoft.VisualStudio.TestPlatform*.dll",
    ];

    [Fact]
    public async Task Publishing_the_solution_as_the_buildpack_does_publishes_the_portal_and_nothing_else()
    {
        var root = RepositoryRoot();
        // Relative, as the buildpack passes it; a name of our own so a real bin/publish is left alone.
        var publishDir = Path.Combine("bin", $"heroku-publish-test-{Guid.NewGuid():N}");
        try
        {
            var (exitCode, output) = await PublishAsync(root, publishDir + Path.DirectorySeparatorChar);
            Assert.True(exitCode == 0, $"dotnet publish exited with {exitCode}:\n{Tail(output)}");

            var published = PublishedFolders(root, publishDir).Select(folder => Path.GetRelativePath(root, folder));
            Assert.Equal(new[] { Path.Combine("src", "KafkaMigrationPortal", publishDir) }, published);
            var portal = Path.Combine(root, "src", "KafkaMigrationPortal", publishDir);
            foreach (var assembly in PortalAssemblies)
            {
                Assert.True(File.Exists(Path.Combine(portal, assembly)), $"{assembly} is missing from {portal}");
            }

            var testOnly = TestOnlyFilePatterns.SelectMany(pattern => Directory.EnumerateFiles(portal, pattern, SearchOption.AllDirectories)).ToList();
            Assert.True(testOnly.Count == 0, $"published test or benchmark files:\n{string.Join("\n", testOnly)}");
            var bytes = Directory.EnumerateFiles(portal, "*", SearchOption.AllDirectories).Sum(file => new FileInfo(file).Length);
            Assert.True(bytes < HerokuSlugLimitBytes, $"the portal publishes {bytes / (1024 * 1024)} MB");

            // The published portal runs as the Procfile starts it, and in single-operator mode refuses the dyno's address.
            var (portalExit, portalStderr) = await RunPublishedPortalAsync(portal);
            Assert.Equal(1, portalExit);
            Assert.Contains("single-operator mode", Assert.Single(portalStderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
        }
        finally
        {
            foreach (var folder in PublishedFolders(root, publishDir))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    private static async Task<(int ExitCode, string Output)> PublishAsync(string root, string publishDir)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = root };
        foreach (var arg in new[] { "publish", "KafkaMigrationPortal.sln", "-c", "Release", $"-p:PublishDir={publishDir}", "--nologo", "-nodeReuse:false", "-p:UseSharedCompilation=false" })
        {
            start.ArgumentList.Add(arg);
        }

        // The test host inherits the MSBuild settings of the `dotnet test` that started it; this publish is its own build.
        foreach (var inherited in start.Environment.Keys.Where(key => key.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(inherited);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(20));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    private static async Task<(int ExitCode, string StdErr)> RunPublishedPortalAsync(string folder)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = folder };
        foreach (var arg in new[] { Path.Combine(folder, "KafkaMigrationPortal.dll"), "--urls", "http://0.0.0.0:5000" })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["HEROKU_API_KEY"] = "sandbox-token-alice";
        start.Environment["Heroku__PlatformApiBaseUrl"] = "http://127.0.0.1:9/";
        start.Environment["Heroku__KafkaApiBaseUrl"] = "http://127.0.0.1:9/";
        start.Environment["Storage__SqlitePath"] = Path.Combine(folder, "never-created.db");
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        await stdout;
        return (process.ExitCode, await stderr);
    }

    /// <summary>Every project folder the publish wrote into.</summary>
    private static List<string> PublishedFolders(string root, string publishDir) =>
        Directory.EnumerateFiles(root, "*.csproj", SearchOption.AllDirectories)
            .Select(project => Path.Combine(Path.GetDirectoryName(project)!, publishDir))
            .Where(Directory.Exists)
            .Order()
            .ToList();

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "KafkaMigrationPortal.sln"))) return folder.FullName;
        }

        throw new InvalidOperationException($"no KafkaMigrationPortal.sln above {AppContext.BaseDirectory}");
    }

    private static string Tail(string output) => string.Join("\n", output.Split('\n').TakeLast(40));
}
