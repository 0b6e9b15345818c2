using KafkaMigrationPortal.Engine.Planning;

namespace KafkaMigrationPortal.Features.Migrations;

public static class StrategyNames
{
    /// <summary>The strategy as a sentence names it: "double-write", "mirror", "maintenance window".</summary>
    public static string InWords(this MigrationStrategy strategy) => strategy switch
    {
        MigrationStrategy.DoubleWrite => "double-write",
        MigrationStrategy.Mirror => "mirror",
        _ => "maintenance window",
    };

    /// <summary>The strategy as a column or label names it: "Double-write", "Mirror", "Maintenance window".</summary>
    public static string Label(this MigrationStrategy strategy) => char.ToUpperInvariant(strategy.InWords()[0]) + strategy.InWords()[1..];

    /// <summary>What copies a mirror's records, as a sentence names it: "the portal's copier", "MirrorMaker 2".</summary>
    public static string InWords(this MirrorEngine engine) => engine == MirrorEngine.MirrorMaker2 ? "MirrorMaker 2" : "the portal's copier";
}
