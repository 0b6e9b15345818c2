using System.Net;
using KafkaMigrationPortal.Engine.Audit;
using KafkaMigrationPortal.Engine.Execution;
using KafkaMigrationPortal.Engine.Planning;
using KafkaMigrationPortal.Engine.Storage;
using KafkaMigrationPortal.Features.Identity;
using KafkaMigrationPortal.Features.Notifications;
using KafkaMigrationPortal.TestSupport;
using KafkaMigrationPortal.Tests.Execution;
using KafkaMigrationPortal.Tests.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using netDumbster.smtp;

namespace KafkaMigrationPortal.Tests.Notifications;

/// <summary>
/// The portal with its engine on SQLite, a local HTTP receiver in Slack's place and an in-process SMTP server
/// (netDumbster): a gate that opens tells its possible approvers, each send is audited, and failures are given up
/// after a bounded number of attempts without holding the run or leaking the webhook.
/// </summary>
[Collection(PortalHostCollection.Name)]
public sealed class GateNotificationTests : IAsyncLifetime
{
    private const string PortalBaseUrl = "https://portal.example.com";
    private const string Carol = "carol@example.com";

    private readonly string databaseFile = Path.Combine(Path.GetTempPath(), $"kmp-notify-{Guid.NewGuid():N}.db");
    private readonly SlackStandIn slack = new();
    private readonly SimpleSmtpServer smtp = SimpleSmtpServer.Start(SlackStandIn.FreePort());
    private EngineHost host = null!;

    public Task InitializeAsync()
    {
        var notifications = new Dictionary<string, string?>
        {
            [ApproverNotificationSettings.SlackWebhookKey] = slack.WebhookUrl,
            [ApproverNotificationSettings.SmtpUrlKey] = $"smtp://portal:smtp-password@127.0.0.1:{smtp.Configuration.Port}",
            [ApproverNotificationSettings.MailFromKey] = "portal@example.com",
            [ApproverNotificationSettings.BaseUrlKey] = PortalBaseUrl,
        };
        // As configured, but a failed send is tried again after 50 ms rather than 2 s.
        var settings = ApproverNotificationSettings.From(new ConfigurationBuilder().AddInMemoryCollection(notifications).Build()) with { RetryDelay = TimeSpan.FromMilliseconds(50) };
        host = EngineHost.OnSqlite(databaseFile, extra: notifications, replaceServices: services => services.AddSingleton(settings));
        _ = host.Services; // start
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await host.DisposeAsync();
        smtp.Stop();
        slack.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        File.Delete(databaseFile);
    }

    [Fact]
    public async Task An_opened_gate_tells_every_approver_but_the_starter_by_Slack_and_e_mail_with_a_link_to_the_gate_and_failures_are_bounded()
    {
        await AddUserAsync(EngineHost.Starter, TeamRole.Operator, TeamRole.Approver);
        var bob = await AddUserAsync(EngineHost.Approver, TeamRole.Approver);
        await AddUserAsync(Carol, TeamRole.Viewer, TeamRole.Operator);
        var source = await host.SourceAsync();
        var plan = EngineHost.HandPlan(source,
            EngineHost.Step(new SetMaintenance(true), approval: true),
            EngineHost.Step(new SetMaintenance(false), approval: true));
        var runId = await host.Runs.StartAsync(plan, EngineHost.Starter);

        await host.DriveAsync(runId, r => r.Run.Status == MigrationRunStatus.AwaitingApproval, "the run waits at its first gate");

        var post = await Deadline.PollAsync(() => Task.FromResult(slack.Posts.ToArray()), p => p.Length == 1, TimeSpan.FromSeconds(30), "Slack is told");
        Assert.Equal("/services/T0001/B0002/secret-webhook-token", post[0].Path);
        var link = $"{PortalBaseUrl}/migrations/{runId}#step-0";
        var text = System.Text.Json.JsonDocument.Parse(post[0].Body).RootElement.GetProperty("text").GetString()!;
        Assert.Contains($"<{link}|Open the gate>", text);
        Assert.Contains("*mackerel*", text);
        Assert.Contains($"started by {EngineHost.Starter}", text);
        Assert.Contains($"May approve: {EngineHost.Approver}", text);

        var mail = (await Deadline.PollAsync(() => Task.FromResult(smtp.ReceivedEmail), m => m.Length == 1, TimeSpan.FromSeconds(30), "bob is e-mailed")).Single();
        Assert.Equal([EngineHost.Approver], mail.ToAddresses.Select(a => a.ToString()));
        Assert.Contains("mackerel", mail.Headers["Subject"]);
        Assert.Contains(link, mail.MessageParts[0].BodyData);
        Assert.Contains($"started by {EngineHost.Starter}", mail.MessageParts[0].BodyData);

        var sent = await AuditEntriesAsync("notification.sent", 2);
        Assert.Contains(sent, e => e.Summary.StartsWith($"Told {EngineHost.Approver} by e-mail", StringComparison.Ordinal) && e.RunId == runId);
        Assert.Contains(sent, e => e.Summary.StartsWith("Told Slack channel (127.0.0.1/…) by Slack", StringComparison.Ordinal));

        // The second gate opens while Slack refuses and the mail server is gone: each send is tried a bounded number of
        // times, then given up and audited; the run waits at its gate all the same.
        slack.Status = HttpStatusCode.NotFound;
        smtp.Stop();
        var approved = await host.Runs.ApproveAsync(runId, 0, new RunActor(bob.Id, bob.Email), null);
        Assert.True(approved.Succeeded, approved.Message);
        var second = await host.DriveAsync(runId, r => r.Run.Status == MigrationRunStatus.AwaitingApproval && r.Run.CurrentStep == 1, "the run waits at its second gate");
        Assert.Equal(RunStepStatus.AwaitingApproval, second.Steps[1].Status);

        var failed = await AuditEntriesAsync("notification.failed", 2);
        Assert.Contains(failed, e => e.Summary.StartsWith($"Could not tell {EngineHost.Approver} by e-mail", StringComparison.Ordinal));
        Assert.Contains(failed, e => e.Summary.Contains("Slack answered 404", StringComparison.Ordinal));
        Assert.All(failed, e => Assert.Contains($"{ApproverNotificationJob.AttemptsPerSend} attempts", e.Summary));
        Assert.Equal(1 + ApproverNotificationJob.AttemptsPerSend, slack.Posts.Count);

        await using var db = await host.Databases.CreateDbContextAsync();
        var audit = await db.AuditEntries.AsNoTracking().Select(e => e.Summary + " " + e.Details).ToListAsync();
        Assert.DoesNotContain(audit, text => text.Contains("secret-webhook-token", StringComparison.Ordinal) || text.Contains("smtp-password", StringComparison.Ordinal));
    }

    private async Task<UserAccount> AddUserAsync(string email, params string[] roles)
    {
        await using var db = await host.Databases.CreateDbContextAsync();
        var user = new UserAccount { Id = Guid.NewGuid(), HerokuUserId = $"heroku-{email}", Email = email, Roles = string.Join(',', roles) };
        db.Add(user);
        await db.SaveChangesAsync();
        return user;
    }

    private Task<List<AuditEntry>> AuditEntriesAsync(string action, int count) =>
        Deadline.PollAsync(async () =>
        {
            await using var db = await host.Databases.CreateDbContextAsync();
            return await db.AuditEntries.AsNoTracking().Where(e => e.Action == action).ToListAsync();
        }, entries => entries.Count >= count, TimeSpan.FromSeconds(30), $"{count} audit entries {action}");
}
