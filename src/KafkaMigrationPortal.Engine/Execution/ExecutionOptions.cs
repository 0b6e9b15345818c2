namespace KafkaMigrationPortal.Engine.Execution;

/// <summary>Timings of the engine, bound from the configuration section <c>Execution</c>.</summary>
public sealed class ExecutionOptions
{
    public const string SectionName = "Execution";

    /// <summary>How long a claim on a run lasts without renewal; renewed every third of it while a step works.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long a user action (approve, rollback, ...) waits for a running step to release the run.</summary>
    public TimeSpan CommandLeaseWait { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often an add-on's state is read again while it provisions, and while it deprovisions after a destroy.</summary>
    public TimeSpan ProvisioningPollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often the create steps look again for topics and consumer groups Heroku is still creating.</summary>
    public TimeSpan KafkaDataReadyPollInterval { get; set; } = TimeSpan.FromSeconds(5);

    public TimeSpan CatchUpPollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Consecutive passing lag checks before consumers count as caught up.</summary>
    public int CatchUpStableChecks { get; set; } = 2;

    /// <summary>Window over which both clusters' watermarks must grow to prove double-writing.</summary>
    public TimeSpan DoubleWriteVerifyWindow { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How often a failing parity / double-write / stray-write check is tried again before the run pauses.</summary>
    public int CheckRetries { get; set; } = 10;

    public TimeSpan CheckRetryInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long past the retention wait a record from before double-writing may stay on the old cluster: Kafka deletes
    /// whole segments, so a record lives until the newest record of its segment expires, up to one <c>segment.ms</c>
    /// (Kafka's default: 7 days) later. The parity check waits this long for such segments to go before it gives up.
    /// </summary>
    public TimeSpan SegmentRollAllowance { get; set; } = TimeSpan.FromDays(7);

    /// <summary>The longest pause between two parity checks while old segments age out (the pauses double up to it).</summary>
    public TimeSpan ParityRecheckMax { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Transient failures (429, 5xx, timeouts) of one step retried with back-off before the run pauses.</summary>
    public int MaxTransientRetries { get; set; } = 20;

    public TimeSpan TransientRetryBase { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan TransientRetryMax { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Per-partition lag tolerated when an approval is re-checked while producers still run (double-write).</summary>
    public long ApprovalLagTolerancePerPartition { get; set; } = 200;

    /// <summary>How long an approval stays valid if the gated step has not started by then.</summary>
    public TimeSpan ApprovalValidity { get; set; } = TimeSpan.FromHours(24);

    public string ReconcilerCron { get; set; } = "* * * * *";

    /// <summary>
    /// A run's job still queued this long after it was queued, or still scheduled this long after its time, counts as
    /// lost (fetched by a process that died, or stuck behind a dead process's lock): the reconciler queues another.
    /// </summary>
    public TimeSpan PendingJobTimeout { get; set; } = TimeSpan.FromMinutes(1);
}
