using System.Reflection;
using System.Xml.Linq;
using KafkaMigrationPortal.Engine.Execution;
using KafkaMigrationPortal.TestSupport;

namespace KafkaMigrationPortal.Tests.Architecture;

/// <summary>The walls of the house: the engine knows nothing of the web, and Pages/ holds only pages.</summary>
public sealed class ProjectBoundaryTests
{
    private static readonly string[] WebOrUiAssemblies = ["Microsoft.AspNetCore", "MudBlazor", "Microsoft.JSInterop", "Hangfire.AspNetCore", "Hangfire.Dashboard"];

    [Fact]
    public void The_engine_and_everything_it_loads_reference_no_web_or_UI_assembly()
    {
        var engine = typeof(MigrationRunService).Assembly;
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        var pending = new Queue<(Assembly Assembly, string Path)>([(engine, engine.GetName().Name!)]);
        while (pending.TryDequeue(out var current))
        {
            foreach (var reference in current.Assembly.GetReferencedAssemblies())
            {
                var name = reference.Name!;
                if (!seen.TryAdd(name, $"{current.Path} → {name}")) continue;
                if (name.StartsWith("System", StringComparison.Ordinal) || name is "mscorlib" or "netstandard") continue;
                pending.Enqueue((Assembly.Load(reference), seen[name]));
            }
        }

        var web = seen.Where(s => WebOrUiAssemblies.Any(prefix => s.Key.StartsWith(prefix, StringComparison.Ordinal))).Select(s => s.Value).ToList();
        Assert.True(web.Count == 0, "The engine reaches web or UI assemblies: " + string.Join("; ", web));
        Assert.Contains("Confluent.Kafka", seen.Keys);
        Assert.Contains("Hangfire.Core", seen.Keys);
    }

    [Fact]
    public void The_engine_project_and_the_projects_it_references_take_no_ASP_NET_Core_framework_and_keep_the_build_guard()
    {
        var engineProject = Path.Combine(RepositoryPaths.Root, "src", "KafkaMigrationPortal.Engine", "KafkaMigrationPortal.Engine.csproj");
        var projects = new List<string>();
        var pending = new Queue<string>([engineProject]);
        while (pending.TryDequeue(out var project))
        {
            projects.Add(project);
            var xml = XDocument.Load(project);
            Assert.Empty(xml.Descendants("FrameworkReference").Select(f => $"{Path.GetFileName(project)}: {f.Attribute("Include")?.Value}"));
            Assert.DoesNotContain(xml.Descendants("PackageReference").Select(p => p.Attribute("Include")?.Value ?? ""),
                p => WebOrUiAssemblies.Any(prefix => p.StartsWith(prefix, StringComparison.Ordinal)));
            foreach (var reference in xml.Descendants("ProjectReference"))
            {
                pending.Enqueue(Path.GetFullPath(Path.Combine(Path.GetDirectoryName(project)!, reference.Attribute("Include")!.Value.Replace('\\', Path.DirectorySeparatorChar))));
            }
        }

        Assert.Equal(3, projects.Distinct().Count()); // the engine, the Heroku clients, the app-side Kafka client
        Assert.Contains(XDocument.Load(engineProject).Descendants("Target"), t => t.Attribute("Name")?.Value == "RefuseWebAndUiReferences");
    }

    [Fact]
    public void Every_file_under_a_Pages_folder_is_a_page_or_its_code_behind()
    {
        var web = Path.Combine(RepositoryPaths.Root, "src", "KafkaMigrationPortal");
        var files = Directory.EnumerateFiles(web, "*", SearchOption.AllDirectories)
            .Where(f => f.Split(Path.DirectorySeparatorChar).Contains("Pages"))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"))
            .ToList();

        Assert.NotEmpty(files);
        var strays = files.Where(f => !IsPageOrCodeBehind(f)).Select(f => Path.GetRelativePath(web, f)).ToList();
        Assert.True(strays.Count == 0, "Not pages: " + string.Join(", ", strays));
    }

    private static bool IsPageOrCodeBehind(string file) => Path.GetFileName(file) switch
    {
        "_Imports.razor" => true,
        var name when name.EndsWith(".razor", StringComparison.Ordinal) => File.ReadLines(file).Any(l => l.StartsWith("@page ", StringComparison.Ordinal)),
        var name when name.EndsWith(".razor.cs", StringComparison.Ordinal) || name.EndsWith(".razor.css", StringComparison.Ordinal) =>
            File.Exists(file[..file.LastIndexOf(".razor", StringComparison.Ordinal)] + ".razor"),
        _ => false,
    };
}
