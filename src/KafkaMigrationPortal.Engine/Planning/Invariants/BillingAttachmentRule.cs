using static KafkaMigrationPortal.Engine.Planning.Invariants.SimulatedApp;

namespace KafkaMigrationPortal.Engine.Planning.Invariants;

/// <summary>
/// Heroku refuses to remove or replace an add-on's last attachment to its billing app ("… is the last billing
/// attachment …; either remove the add-on entirely or add a new attachment to it"): a step that would leave an add-on
/// that still exists with no attachment fails there. Both add-ons are billed to the app being migrated (the new one is
/// created on it, the old one is destroyed from it), so every attachment the simulation holds is a billing attachment.
/// Checked around every step, forward and in every rollback, rather than inside one action's rule: detaching, attaching
/// with confirm and creating over a name all take names away.
/// </summary>
public static class BillingAttachmentRule
{
    /// <summary>The attachment names of each add-on that exists, to compare with after a step.</summary>
    public static IReadOnlyDictionary<AddonRole, IReadOnlyList<string>> Held(SimulatedApp app) =>
        new[] { AddonRole.Source, AddonRole.Target }
            .Where(app.IsAlive)
            .ToDictionary(role => role, role => (IReadOnlyList<string>)app.Attachments.Where(a => a.Value == role).Select(a => a.Key).Order(StringComparer.Ordinal).ToList());

    /// <summary>Reports each add-on that held an attachment before the step and, still existing, holds none after it.</summary>
    /// <param name="during">Where the step runs, for the message (e.g. a rollback); null for the plan's own steps.</param>
    public static void Check(SimulatedApp app, int step, IReadOnlyDictionary<AddonRole, IReadOnlyList<string>> before, string? during = null)
    {
        foreach (var (role, names) in before)
        {
            if (names.Count == 0 || !app.IsAlive(role) || app.Attachments.ContainsValue(role)) continue;
            app.Report(step, InvariantRules.LastBillingAttachment,
                $"{during}Takes away {string.Join(", ", names)}, the last attachment of the {Describe(role)} add-on to its billing app {app.Plan.App}: Heroku refuses (\"is the last billing attachment; either remove the add-on entirely or add a new attachment to it\").");
        }
    }
}
