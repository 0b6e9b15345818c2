using Hangfire;
using KafkaMigrationPortal.Engine.Audit;
using KafkaMigrationPortal.Engine.Execution;
using KafkaMigrationPortal.Engine.Storage;
using KafkaMigrationPortal.Features.Identity;
using Microsoft.EntityFrameworkCore;

namespace KafkaMigrationPortal.Features.Notifications;

/// <summary>
/// Tells the possible approvers of an opened gate: one Slack message, one e-mail to each approver (everyone with the
/// approver role but the run's starter). Each send is tried a few times, then given up; each outcome is an audit entry
/// naming the recipient and the channel.
/// </summary>
public sealed class ApproverNotificationJob(
    IDbContextFactory<PortalDbContext> contexts,
    ApproverNotificationSettings settings,
    SlackGateMessenger slack,
    EmailGateMessenger email,
    AuditLog audit,
    TimeProvider time,
    ILogger<ApproverNotificationJob> logger)
{
    public const int AttemptsPerSend = 3;
    public const string Slack = "Slack";
    public const string Email = "e-mail";

    /// <summary>Not retried by Hangfire: a retry of the whole job would tell again everyone already told.</summary>
    [AutomaticRetry(Attempts = 0)]
    public async Task NotifyAsync(Guid runId, int stepSequence, CancellationToken ct)
    {
        if (!settings.TellsAnyone) return;
        await using var db = await contexts.CreateDbContextAsync(ct);
        var run = await db.MigrationRuns.AsNoTracking().Include(r => r.Steps).FirstOrDefaultAsync(r => r.Id == runId, ct);
        if (run?.Steps.FirstOrDefault(s => s.Sequence == stepSequence) is not { Status: RunStepStatus.AwaitingApproval } step)
        {
            logger.LogDebug("Run {RunId}: step {Step} no longer waits for approval; nobody told", runId, stepSequence);
            return;
        }

        var approvers = (await db.Set<UserAccount>().AsNoTracking().Where(u => u.AccessRevokedAt == null).ToListAsync(ct))
            .Where(u => u.HasRole(TeamRole.Approver) && !new RunActor(u.Id, u.Email).StartedRun(run))
            .OrderBy(u => u.Email, StringComparer.OrdinalIgnoreCase)
            .ToList();
        var message = new GateMessage(run.App, run.Id, step.Sequence, step.Title, run.StartedBy, settings.LinkTo(run.Id, step.Sequence),
            [.. approvers.Select(a => a.Email)]);

        if (settings.SlackWebhook is not null)
        {
            await SendAsync(message, Slack, $"Slack channel ({settings.SlackShown})", token => slack.SendAsync(message, token), ct);
        }

        if (settings.Smtp is not null)
        {
            foreach (var approver in approvers)
            {
                await SendAsync(message, Email, approver.Email, token => email.SendAsync(message, approver.Email, token), ct);
            }
        }
    }

    private async Task SendAsync(GateMessage message, string channel, string recipient, Func<CancellationToken, Task> send, CancellationToken ct)
    {
        var delay = settings.RetryDelay;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await send(ct);
                await audit.AppendAsync(new AuditRecord("portal", "notification.sent",
                    $"Told {recipient} by {channel} that “{message.StepTitle}” waits for approval", message.App, message.RunId), ct);
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                var why = $"{e.GetType().Name}: {settings.Redact(e.Message)}";
                logger.LogWarning("Telling {Recipient} by {Channel} that step {Step} of run {RunId} waits failed (attempt {Attempt} of {Attempts}; {Error})",
                    recipient, channel, message.StepSequence, message.RunId, attempt, AttemptsPerSend, why);
                if (attempt == AttemptsPerSend)
                {
                    await audit.AppendAsync(new AuditRecord("portal", "notification.failed",
                        $"Could not tell {recipient} by {channel} that “{message.StepTitle}” waits for approval ({AttemptsPerSend} attempts; {why})",
                        message.App, message.RunId), ct);
                    return;
                }
            }

            await Task.Delay(delay, time, ct);
            delay *= 2;
        }
    }
}

/// <summary>Queues <see cref="ApproverNotificationJob"/> on Hangfire, so the step that opened the gate goes on at once.</summary>
public sealed class QueuedGateNotifier(IBackgroundJobClient jobs, ApproverNotificationSettings settings) : IGateNotifier
{
    public Task GateOpenedAsync(GateOpened gate, CancellationToken ct)
    {
        if (settings.TellsAnyone) jobs.Enqueue<ApproverNotificationJob>(job => job.NotifyAsync(gate.RunId, gate.StepSequence, CancellationToken.None));
        return Task.CompletedTask;
    }
}
