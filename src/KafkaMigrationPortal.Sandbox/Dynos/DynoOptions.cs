namespace KafkaMigrationPortal.Sandbox.Dynos;

public sealed class DynoOptions
{
    /// <summary>Messages per second an app's producer dynos write together (each message to every producer add-on).</summary>
    public double ProducerMessagesPerSecond { get; set; } = 20;

    /// <summary>How long a stopping dyno may take to flush or commit before it is abandoned.</summary>
    public TimeSpan StopTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Pause before a crashed dyno starts again, as Heroku's restart back-off (much shortened).</summary>
    public TimeSpan CrashRestartDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How often consumer dynos commit the offsets of processed messages.</summary>
    public TimeSpan ConsumerCommitInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Consumers' <c>session.timeout.ms</c>; after a restart the group resumes about this much later.</summary>
    public TimeSpan ConsumerSessionTimeout { get; set; } = TimeSpan.FromSeconds(3);
}
