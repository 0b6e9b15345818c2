using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace KafkaMigrationPortal.Features.Notifications;

/// <summary>Sends a gate's message to one approver through the mail server of <see cref="ApproverNotificationSettings.Smtp"/> (MailKit).</summary>
public sealed class EmailGateMessenger(ApproverNotificationSettings settings)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public async Task SendAsync(GateMessage message, string to, CancellationToken ct)
    {
        var server = settings.Smtp ?? throw new InvalidOperationException($"{ApproverNotificationSettings.SmtpUrlKey} is not set");
        var mail = new MimeMessage();
        mail.From.Add(MailboxAddress.Parse(settings.MailFrom!));
        mail.To.Add(MailboxAddress.Parse(to));
        mail.Subject = message.Subject;
        mail.Body = new TextPart("plain") { Text = message.Text };

        using var client = new SmtpClient { Timeout = (int)Timeout.TotalMilliseconds };
        await client.ConnectAsync(server.Host, server.Port, server.Tls switch
        {
            SmtpTls.OnConnect => SecureSocketOptions.SslOnConnect,
            SmtpTls.StartTls => SecureSocketOptions.StartTls,
            SmtpTls.StartTlsWhenOffered => SecureSocketOptions.StartTlsWhenAvailable,
            _ => SecureSocketOptions.None,
        }, ct);
        if (server.UserName is not null) await client.AuthenticateAsync(server.UserName, server.Password ?? "", ct);
        await client.SendAsync(mail, ct);
        await client.DisconnectAsync(quit: true, ct);
    }
}
