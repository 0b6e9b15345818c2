namespace KafkaMigrationPortal.Tests.Hosting;

/// <summary>
/// Portal hosts run one at a time: Hangfire keeps process-wide defaults (JobStorage.Current) that two
/// hosts starting together would overwrite under each other.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PortalHostCollection
{
    public const string Name = "Portal hosts";
}
