namespace KafkaMigrationPortal.Engine.Planning;

public enum MigrationStrategy
{
    MaintenanceWindow,
    DoubleWrite,
}
