using KafkaMigrationPortal.Engine.Storage;
using KafkaMigrationPortal.Features.Notifications;
using Microsoft.Extensions.Configuration;

namespace KafkaMigrationPortal.Tests.Notifications;

public sealed class ApproverNotificationSettingsTests
{
    private const string Webhook = "https://hooks.slack.com/services/T0001/B0002/secret-webhook-token";

    private static ApproverNotificationSettings From(params (string Key, string Value)[] values) =>
        ApproverNotificationSettings.From(new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => KeyValuePair.Create(v.Key, (string?)v.Value))).Build());

    [Fact]
    public void Nothing_set_tells_nobody()
    {
        var settings = From();

        Assert.False(settings.TellsAnyone);
    }

    [Fact]
    public void A_webhook_and_a_mail_server_are_read_with_the_link_to_a_gate()
    {
        var settings = From((ApproverNotificationSettings.SlackWebhookKey, Webhook), (ApproverNotificationSettings.SmtpUrlKey, "smtp://mailer:p%40ss@smtp.example.com"),
            (ApproverNotificationSettings.MailFromKey, "portal@example.com"), (ApproverNotificationSettings.BaseUrlKey, "https://kmp.example.com/portal"));

        Assert.Equal(new SmtpServer("smtp.example.com", 587, "mailer", "p@ss", SmtpTls.StartTls), settings.Smtp);
        Assert.Equal("hooks.slack.com/…", settings.SlackShown);
        var run = Guid.NewGuid();
        Assert.Equal($"https://kmp.example.com/portal/migrations/{run}#step-4", settings.LinkTo(run, 4).ToString());
        Assert.Equal("smtp://mailer@smtp.example.com:587 (password set)", settings.Smtp!.Shown);
        Assert.Equal("posting to hooks.slack.com/… failed; auth … refused", settings.Redact($"posting to {Webhook} failed; auth p@ss refused"));
    }

    [Fact]
    public void On_Heroku_the_link_defaults_to_the_apps_domain()
    {
        var settings = From((ApproverNotificationSettings.SlackWebhookKey, Webhook), (ApproverNotificationSettings.HerokuDomainKey, "kmp-demo.herokuapp.com"));

        Assert.Equal(new Uri("https://kmp-demo.herokuapp.com/"), settings.PortalBaseUrl);
    }

    [Theory]
    [InlineData(ApproverNotificationSettings.SlackWebhookKey, "http://hooks.slack.com/services/T/B/secret", "PORTAL_SLACK_WEBHOOK_URL is not a Slack incoming webhook URL")]
    [InlineData(ApproverNotificationSettings.SlackWebhookKey, "hooks.slack.com/services/T/B/secret", "PORTAL_SLACK_WEBHOOK_URL is not a Slack incoming webhook URL")]
    [InlineData(ApproverNotificationSettings.SmtpUrlKey, "mail.example.com:587", "PORTAL_SMTP_URL is not a usable mail server URL")]
    [InlineData(ApproverNotificationSettings.SmtpUrlKey, "smtp://smtp.example.com?tls=maybe", "the only option is ?tls=none")]
    public void A_value_that_cannot_work_stops_start_up_without_repeating_the_secret(string key, string value, string message)
    {
        var refused = Assert.Throws<PortalConfigurationException>(() => From((key, value), (ApproverNotificationSettings.MailFromKey, "portal@example.com"),
            (ApproverNotificationSettings.BaseUrlKey, "https://kmp.example.com")));

        Assert.Contains(message, refused.Message);
        Assert.DoesNotContain("secret", refused.Message);
    }

    [Fact]
    public void A_mail_server_needs_a_from_address_and_any_channel_the_portals_address()
    {
        var noFrom = Assert.Throws<PortalConfigurationException>(() => From((ApproverNotificationSettings.SmtpUrlKey, "smtps://smtp.example.com"),
            (ApproverNotificationSettings.BaseUrlKey, "https://kmp.example.com")));
        var noBase = Assert.Throws<PortalConfigurationException>(() => From((ApproverNotificationSettings.SlackWebhookKey, Webhook)));

        Assert.Equal("PORTAL_SMTP_URL is set but PORTAL_MAIL_FROM is not: say which address the e-mails come from", noFrom.Message);
        Assert.StartsWith("PORTAL_SLACK_WEBHOOK_URL is set but PORTAL_BASE_URL is not", noBase.Message);
    }
}
