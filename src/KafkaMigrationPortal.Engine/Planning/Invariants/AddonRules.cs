using static KafkaMigrationPortal.Engine.Planning.Invariants.SimulatedApp;

namespace KafkaMigrationPortal.Engine.Planning.Invariants;

/// <summary>Creating the new add-on takes its attachment name; only one new add-on may be created.</summary>
public sealed class ProvisionAddonRule : ActionRule<ProvisionAddon>
{
    public override void Apply(ProvisionAddon action, int step, SimulatedApp app)
    {
        if (app.Provisioned.Contains(AddonRole.Target)) app.Report(step, InvariantRules.ImpossibleStep, "A second new add-on is provisioned.");
        if (app.Attachments.TryGetValue(action.AttachmentName, out var holder))
            app.Report(step, InvariantRules.AttachmentCollision, $"The new add-on is created as {action.AttachmentName}, a name the {Describe(holder)} add-on still holds: Heroku refuses it, or, as its text assumes, moves the name to the new, empty add-on under a running app.");
        app.Provisioned.Add(AddonRole.Target);
        app.Attachments[action.AttachmentName] = AddonRole.Target;
    }
}

/// <summary>An add-on that exists becomes ready; waiting for one that does not is a wait that never ends.</summary>
public sealed class WaitForProvisioningRule : ActionRule<WaitForProvisioning>
{
    public override void Apply(WaitForProvisioning action, int step, SimulatedApp app)
    {
        if (!app.IsAlive(action.Addon)) app.Report(step, InvariantRules.ImpossibleStep, $"Waits for the {Describe(action.Addon)} add-on, which does not exist.");
        else app.Ready.Add(action.Addon);
    }
}

/// <summary>Destroying an add-on drops every attachment to it; destroying the cluster consumers read loses what they have not read.</summary>
public sealed class DestroyAddonRule : ActionRule<DestroyAddon>
{
    public override void Apply(DestroyAddon action, int step, SimulatedApp app)
    {
        if (!app.IsAlive(action.Addon))
        {
            app.Report(step, InvariantRules.ImpossibleStep, $"Destroys the {Describe(action.Addon)} add-on, which does not exist.");
            return;
        }
        if (app.MirrorRunning)
            app.Report(step, InvariantRules.ImpossibleStep, $"Destroys the {Describe(action.Addon)} add-on while the mirror still copies between the two.");
        if (app.LastRead == action.Addon)
            app.Report(step, InvariantRules.DestroysLiveCluster, $"Destroys the {Describe(action.Addon)} add-on while it is the cluster the consumers read.");
        foreach (var name in app.Attachments.Where(a => a.Value == action.Addon).Select(a => a.Key).ToList()) app.Attachments.Remove(name);
        app.Destroyed.Add(action.Addon);
        app.Ready.Remove(action.Addon);
    }
}
