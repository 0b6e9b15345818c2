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

    /// <summary>
    /// False (default): each consumer dyno starts with an empty in-memory duplicate filter, as an app whose filter lives in
    /// its process, so every restart forgets what was processed and redeliveries are handled again. True: the app's
    /// consumer groups keep their processed ids across restarts and releases, as an app with a durable filter
    /// (<c>PostgresProcessedMessageIds</c>) does, and redeliveries are skipped.
    /// </summary>
    public bool DurableDuplicateFilter { get; set; }
}
