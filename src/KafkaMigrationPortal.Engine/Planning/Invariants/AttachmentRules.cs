using static KafkaMigrationPortal.Engine.Planning.Invariants.SimulatedApp;

namespace KafkaMigrationPortal.Engine.Planning.Invariants;

/// <summary>Attaching takes a name; taking one another add-on holds needs confirm, or Heroku stops the step.</summary>
public sealed class AttachRule : ActionRule<Attach>
{
    public override void Apply(Attach action, int step, SimulatedApp app)
    {
        if (!app.IsAlive(action.Addon))
        {
            app.Report(step, InvariantRules.ImpossibleStep, $"Attaches the {Describe(action.Addon)} add-on, which does not exist.");
            return;
        }
        if (app.Attachments.TryGetValue(action.As, out var owner) && owner != action.Addon && !action.Confirm)
        {
            app.Report(step, InvariantRules.AttachmentCollision, $"Attaches as {action.As}, which the {Describe(owner)} add-on holds, without confirm: Heroku stops the step with confirmation_required.");
            return;
        }
        app.Attachments[action.As] = action.Addon;
    }
}

/// <summary>Detaching frees a name the add-on holds; a name that is missing or held by the other add-on is left alone.</summary>
public sealed class DetachRule : ActionRule<Detach>
{
    public override void Apply(Detach action, int step, SimulatedApp app)
    {
        if (!app.Attachments.TryGetValue(action.AttachmentName, out var attached))
            app.Report(step, InvariantRules.ImpossibleStep, $"Detaches {action.AttachmentName}, which is not attached.");
        else if (attached != action.Addon)
            app.Report(step, InvariantRules.ImpossibleStep, $"Detaches {action.AttachmentName} from the {Describe(action.Addon)} add-on, but the name belongs to the {Describe(attached)} one.");
        else
            app.Attachments.Remove(action.AttachmentName);
    }
}
