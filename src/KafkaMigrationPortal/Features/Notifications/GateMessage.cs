namespace KafkaMigrationPortal.Features.Notifications;

/// <summary>What approvers are told when a gate opens.</summary>
public sealed record GateMessage(string App, Guid RunId, int StepSequence, string StepTitle, string StartedBy, Uri Link, IReadOnlyList<string> Approvers)
{
    public string Subject => $"{App}: “{StepTitle}” waits for your approval";

    public string Text =>
        $"The migration of {App} started by {StartedBy} waits for approval of step {StepSequence}, “{StepTitle}” (run {RunId}).\n"
        + $"Open the gate: {Link}\n"
        + (Approvers.Count == 0
            ? "Nobody but the starter has the approver role yet: an admin grants it in Settings.\n"
            : $"Who may approve it: {string.Join(", ", Approvers)} (not {StartedBy}, who started the run).\n");
}
