namespace KafkaMigrationPortal.Engine.Planning;

public enum MigrationStrategy
{
    MaintenanceWindow,
    DoubleWrite,

    /// <summary>The portal copies the old cluster to the new one; the app changes nothing and no retention is waited out.</summary>
    Mirror,
}
