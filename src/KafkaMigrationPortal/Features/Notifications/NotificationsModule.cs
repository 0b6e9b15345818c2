using KafkaMigrationPortal.Engine.Execution;

namespace KafkaMigrationPortal.Features.Notifications;

public static class NotificationsModule
{
    /// <summary>
    /// Approvers told of opened gates by Slack and e-mail, in every role (the gate opens in whichever process runs the
    /// step). Before the engine is added, whose default tells nobody.
    /// </summary>
    public static IHostApplicationBuilder AddApproverNotifications(this IHostApplicationBuilder builder)
    {
        var settings = ApproverNotificationSettings.From(builder.Configuration);
        builder.Services.AddSingleton(settings);
        builder.Services.AddHttpClient(SlackGateMessenger.HttpClientName, client => client.Timeout = TimeSpan.FromSeconds(15));
        builder.Services.AddSingleton<SlackGateMessenger>();
        builder.Services.AddSingleton<EmailGateMessenger>();
        builder.Services.AddTransient<ApproverNotificationJob>();
        builder.Services.AddSingleton<IGateNotifier, QueuedGateNotifier>();
        return builder;
    }
}
