namespace KafkaMigrationPortal.TestSupport.HerokuSchema;

/// <summary>Finds the repository root: the first directory above the test binaries holding KafkaMigrationPortal.sln.</summary>
internal static class RepositoryRoot
{
    public static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            if (File.Exists(Path.Combine(directory.FullName, "KafkaMigrationPortal.sln")))
                return directory.FullName;
        throw new DirectoryNotFoundException($"No KafkaMigrationPortal.sln above {AppContext.BaseDirectory}");
    }
}
