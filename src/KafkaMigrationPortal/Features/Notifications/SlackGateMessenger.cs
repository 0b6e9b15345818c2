using System.Net.Http.Json;

namespace KafkaMigrationPortal.Features.Notifications;

/// <summary>Posts a gate's message to the Slack incoming webhook of <see cref="ApproverNotificationSettings.SlackWebhook"/>.</summary>
public sealed class SlackGateMessenger(IHttpClientFactory clients, ApproverNotificationSettings settings)
{
    public const string HttpClientName = "slack-webhook";

    public async Task SendAsync(GateMessage message, CancellationToken ct)
    {
        var webhook = settings.SlackWebhook ?? throw new InvalidOperationException($"{ApproverNotificationSettings.SlackWebhookKey} is not set");
        var text = $"*{Escape(message.App)}*: “{Escape(message.StepTitle)}” waits for approval (run started by {Escape(message.StartedBy)}).\n"
            + $"<{message.Link}|Open the gate>"
            + (message.Approvers.Count == 0 ? "\nNobody but the starter has the approver role yet." : $"\nMay approve: {Escape(string.Join(", ", message.Approvers))}");
        using var response = await clients.CreateClient(HttpClientName).PostAsJsonAsync(webhook, new { text }, ct);
        if (!response.IsSuccessStatusCode)
        {
            // Slack names the problem in a short body (invalid_payload, no_service, …); the URL stays out.
            var body = await response.Content.ReadAsStringAsync(ct);
            throw new HttpRequestException($"Slack answered {(int)response.StatusCode}: {(body.Length > 200 ? body[..200] : body)}", null, response.StatusCode);
        }
    }

    /// <summary>Slack's mrkdwn gives &amp;, &lt; and &gt; meaning; names from Heroku and people could hold them.</summary>
    private static string Escape(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");
}
