namespace KafkaMigrationPortal.Engine.Planning;

public enum MigrationStrategy
{
    MaintenanceWindow,
    DoubleWrite,

    /// <summary>The portal copies the old cluster to the new one; the app changes nothing and no retention is waited out.</summary>
    Mirror,
}

/// <summary>What copies the records in a mirror migration; the portal's cutover steps are the same for both.</summary>
public enum MirrorEngine
{
    /// <summary>The portal's own copier, run by its job processes.</summary>
    Portal,

    /// <summary>MirrorMaker 2, run by the team with a configuration generated from the plan; the portal watches it on
    /// the clusters (its heartbeats, offset syncs and the copied records) and carries the positions itself.</summary>
    MirrorMaker2,
}
