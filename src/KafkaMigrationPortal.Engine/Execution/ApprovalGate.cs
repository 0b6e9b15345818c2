using KafkaMigrationPortal.Engine.Storage;
using Microsoft.EntityFrameworkCore;

namespace KafkaMigrationPortal.Engine.Execution;

internal static class ApprovalGate
{
    /// <summary>
    /// Open when enough distinct people approved the step since it was last rejected, and their approvals have not
    /// expired. A reject closes the gate until new approvals arrive.
    /// </summary>
    public static async Task<bool> IsOpenAsync(PortalDbContext db, MigrationRun run, RunStep step, DateTimeOffset now, CancellationToken ct)
    {
        var decisions = await db.StepApprovals.Where(a => a.RunId == run.Id && a.StepSequence == step.Sequence).ToListAsync(ct);
        var ordered = decisions.OrderBy(a => a.At).ThenBy(a => a.Id).ToList();
        var lastReject = ordered.FindLastIndex(a => a.Decision == ApprovalDecision.Reject);
        var approvers = ordered.Skip(lastReject + 1)
            .Where(a => a.Decision == ApprovalDecision.Approve && (a.ExpiresAt is null || a.ExpiresAt > now))
            .Select(a => a.ApproverUserId?.ToString() ?? a.Approver.ToLowerInvariant())
            .Distinct()
            .Count();
        return approvers >= Math.Max(1, run.RequiredApprovals);
    }
}
