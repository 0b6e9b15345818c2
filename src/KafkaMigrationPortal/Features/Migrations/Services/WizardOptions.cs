using KafkaMigrationPortal.Engine.Planning;

namespace KafkaMigrationPortal.Features.Migrations;

/// <summary>
/// Timings the wizard puts into the plans it builds, bound from the configuration section <c>Wizard</c>. Against the
/// sandbox the defaults are short (<see cref="ForSandbox"/>), so that a demo migration finishes in minutes; against
/// Heroku they are a real run's margins.
/// </summary>
public sealed class WizardOptions
{
    public const string SectionName = "Wizard";

    public static readonly TimeSpan SandboxRetentionMargin = TimeSpan.FromSeconds(30);

    public static readonly TimeSpan SandboxStrayWriteWindow = TimeSpan.FromSeconds(30);

    public void ForSandbox()
    {
        RetentionMargin = SandboxRetentionMargin;
        StrayWriteWindow = SandboxStrayWriteWindow;
        Timings = PlanTimings.Sandbox;
    }

    /// <summary>How long Heroku's side of each step takes where plans run; not a setting (the mode decides it).</summary>
    public PlanTimings Timings { get; private set; } = PlanTimings.Heroku;

    /// <summary>Added to the largest topic retention before consumers switch in double-write.</summary>
    public TimeSpan RetentionMargin { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>How long the old cluster must receive no write before it counts as abandoned.</summary>
    public TimeSpan StrayWriteWindow { get; set; } = TimeSpan.FromMinutes(10);
}
