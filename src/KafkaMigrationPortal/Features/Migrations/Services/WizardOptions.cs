namespace KafkaMigrationPortal.Features.Migrations;

/// <summary>Timings the wizard puts into the plans it builds, bound from the configuration section <c>Wizard</c>.</summary>
public sealed class WizardOptions
{
    public const string SectionName = "Wizard";

    /// <summary>Added to the largest topic retention before consumers switch in double-write.</summary>
    public TimeSpan RetentionMargin { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>How long the old cluster must receive no write before it counts as abandoned.</summary>
    public TimeSpan StrayWriteWindow { get; set; } = TimeSpan.FromMinutes(10);
}
