namespace KafkaMigrationPortal.TestSupport;

public static class RepositoryPaths
{
    /// <summary>The folder holding KafkaMigrationPortal.sln, found by walking up from the test binaries.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary><c>../shared</c> beside the repository: the reference material, never copied into the repo.</summary>
    public static string Shared => Path.GetFullPath(Path.Combine(Root, "..", "shared"));

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "KafkaMigrationPortal.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("KafkaMigrationPortal.sln not found above " + AppContext.BaseDirectory);
    }
}
