using System.Net;
using KafkaMigrationPortal.Engine.Storage;

namespace KafkaMigrationPortal.Features.Notifications;

/// <summary>How the mail server is reached: TLS from the start (<c>smtps://</c>), STARTTLS (<c>smtp://</c>), or none (<c>?tls=none</c>, or STARTTLS only when offered on loopback).</summary>
public enum SmtpTls
{
    OnConnect,
    StartTls,
    StartTlsWhenOffered,
    None,
}

public sealed record SmtpServer(string Host, int Port, string? UserName, string? Password, SmtpTls Tls)
{
    /// <summary>What Settings shows: no password, ever.</summary>
    public string Shown => $"{(Tls == SmtpTls.OnConnect ? "smtps" : "smtp")}://{(UserName is null ? "" : $"{UserName}@")}{Host}:{Port}"
        + (Password is null ? "" : " (password set)") + (Tls is SmtpTls.None ? ", without TLS" : "");
}

/// <summary>
/// Where approvers are told that a gate waits for them, read once at start-up from environment variables; a value
/// that cannot work stops start-up with one line naming the variable.
/// </summary>
public sealed record ApproverNotificationSettings(Uri? PortalBaseUrl, Uri? SlackWebhook, SmtpServer? Smtp, string? MailFrom)
{
    public const string BaseUrlKey = "PORTAL_BASE_URL";
    public const string SlackWebhookKey = "PORTAL_SLACK_WEBHOOK_URL";
    public const string SmtpUrlKey = "PORTAL_SMTP_URL";
    public const string MailFromKey = "PORTAL_MAIL_FROM";

    /// <summary>Set by Heroku's dyno metadata (<c>heroku labs:enable runtime-dyno-metadata</c>): the app's herokuapp.com name.</summary>
    public const string HerokuDomainKey = "HEROKU_APP_DEFAULT_DOMAIN_NAME";

    public static ApproverNotificationSettings None { get; } = new(null, null, null, null);

    /// <summary>How long a failed send waits before its second attempt (doubling before each later one).</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(2);

    public bool TellsAnyone => SlackWebhook is not null || Smtp is not null;

    /// <summary>The webhook as Settings shows it: its host and "…" (the path is the secret).</summary>
    public string? SlackShown => SlackWebhook is null ? null : $"{SlackWebhook.Host}/…";

    public static ApproverNotificationSettings From(IConfiguration configuration)
    {
        var slack = SlackFrom(configuration[SlackWebhookKey]);
        var smtp = SmtpFrom(configuration[SmtpUrlKey]);
        string? from = null;
        if (smtp is not null)
        {
            from = configuration[MailFromKey]?.Trim();
            if (string.IsNullOrEmpty(from))
                throw new PortalConfigurationException($"{SmtpUrlKey} is set but {MailFromKey} is not: say which address the e-mails come from");
            if (!System.Net.Mail.MailAddress.TryCreate(from, out _))
                throw new PortalConfigurationException($"{MailFromKey} is '{from}', which is not an e-mail address");
        }

        var baseUrl = BaseUrlFrom(configuration);
        if (baseUrl is null && (slack is not null || smtp is not null))
        {
            throw new PortalConfigurationException(
                $"{(slack is not null ? SlackWebhookKey : SmtpUrlKey)} is set but {BaseUrlKey} is not: the messages link to the gate, so set it to the portal's public address (https://<app>.herokuapp.com)");
        }

        return new(baseUrl, slack, smtp, from);
    }

    /// <summary>The gate's place on the run page.</summary>
    public Uri LinkTo(Guid runId, int stepSequence) =>
        new(PortalBaseUrl ?? throw new InvalidOperationException($"{BaseUrlKey} is not set"), $"migrations/{runId}#step-{stepSequence}");

    /// <summary>Takes the webhook's path and the SMTP password out of a text (an exception's message) before it is logged.</summary>
    public string Redact(string text)
    {
        if (SlackWebhook is not null)
        {
            text = text.Replace(SlackWebhook.ToString(), SlackShown, StringComparison.OrdinalIgnoreCase)
                .Replace(SlackWebhook.AbsolutePath, "/…", StringComparison.OrdinalIgnoreCase);
        }

        if (Smtp?.Password is { Length: > 0 } password) text = text.Replace(password, "…", StringComparison.Ordinal);
        return text;
    }

    private static Uri? BaseUrlFrom(IConfiguration configuration)
    {
        var value = configuration[BaseUrlKey]?.Trim();
        if (string.IsNullOrEmpty(value))
        {
            return configuration[HerokuDomainKey] is { Length: > 0 } domain && Uri.TryCreate($"https://{domain.Trim()}/", UriKind.Absolute, out var onHeroku)
                ? onHeroku
                : null;
        }

        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http") || !string.IsNullOrEmpty(uri.Query))
            throw new PortalConfigurationException($"{BaseUrlKey} is '{value}': expected the portal's public address, such as https://<app>.herokuapp.com");
        return new Uri(uri.GetLeftPart(UriPartial.Path).TrimEnd('/') + "/");
    }

    private static Uri? SlackFrom(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        if (!Uri.TryCreate(value.Trim(), UriKind.Absolute, out var uri)
            || !(uri.Scheme == "https" || (uri.Scheme == "http" && IsLoopback(uri.Host)))
            || uri.AbsolutePath.Length <= 1)
        {
            // Never the value itself: it is a secret.
            throw new PortalConfigurationException($"{SlackWebhookKey} is not a Slack incoming webhook URL: expected https://hooks.slack.com/services/…");
        }

        return uri;
    }

    private static SmtpServer? SmtpFrom(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        const string expected = SmtpUrlKey + " is not a usable mail server URL: expected smtp://user:password@host:port (STARTTLS) or smtps://user:password@host:port";
        if (!Uri.TryCreate(value.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("smtp" or "smtps") || string.IsNullOrEmpty(uri.Host)
            || uri.AbsolutePath.Length > 1)
        {
            throw new PortalConfigurationException(expected);
        }

        var userInfo = uri.UserInfo.Split(':', 2);
        var user = userInfo[0].Length > 0 ? Uri.UnescapeDataString(userInfo[0]) : null;
        var password = userInfo.Length > 1 ? Uri.UnescapeDataString(userInfo[1]) : null;
        if (user is null && password is not null) throw new PortalConfigurationException(expected);
        var tlsOption = System.Web.HttpUtility.ParseQueryString(uri.Query)["tls"];
        var tls = (uri.Scheme, tlsOption) switch
        {
            ("smtps", null) => SmtpTls.OnConnect,
            ("smtp", "none") => SmtpTls.None,
            ("smtp", null) => IsLoopback(uri.Host) ? SmtpTls.StartTlsWhenOffered : SmtpTls.StartTls,
            _ => throw new PortalConfigurationException($"{SmtpUrlKey}: the only option is ?tls=none, on smtp://"),
        };
        var port = uri.Port > 0 ? uri.Port : uri.Scheme == "smtps" ? 465 : 587;
        return new(uri.Host, port, user, password, tls);
    }

    private static bool IsLoopback(string host) =>
        host == "localhost" || (IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
}
