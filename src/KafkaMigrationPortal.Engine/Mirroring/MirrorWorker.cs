using System.Collections.Concurrent;
using KafkaMigrationPortal.Engine.Execution;
using KafkaMigrationPortal.Engine.KafkaChecks;
using KafkaMigrationPortal.Engine.Planning;
using KafkaMigrationPortal.Engine.Storage;
using KafkaMigrationPortal.Heroku.Kafka;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace KafkaMigrationPortal.Engine.Mirroring;

/// <summary>
/// Runs in every job process. For each active run whose mirror is started and not stopped, it takes the leases of
/// partitions nobody holds (or whose holder's lease ran out), copies them with a <see cref="MirrorCopier"/>, and writes
/// progress and sync points. It lets go of a run once its mirror is stopped or the run has ended, and stops copying
/// before its leases can run out when it cannot renew them.
/// </summary>
public sealed class MirrorWorker(
    IDbContextFactory<PortalDbContext> contexts,
    MirrorLeases leases,
    IMirrorEndpointResolver endpoints,
    TimeProvider time,
    IOptions<MirrorOptions> options,
    ILogger<MirrorWorker> logger,
    IKafkaInspector inspector,
    RunEventLog? events = null) : BackgroundService
{
    /// <summary>The same problem (a copier restarting on it every second, say) goes to a run's event log once per this.</summary>
    public static readonly TimeSpan ProblemRepeatInterval = TimeSpan.FromMinutes(5);

    // Read by Held from other threads while the worker's own loop changes it.
    private readonly ConcurrentDictionary<Guid, RunMirror> mirrors = new();

    public string Owner { get; } = RunLease.NewOwner("mirror");

    /// <summary>Whether a copier of this worker runs for the run now.</summary>
    public bool IsCopying(Guid runId) => mirrors.TryGetValue(runId, out var mirror) && mirror.IsCopying;

    /// <summary>The runs this worker copies partitions of now, and how many.</summary>
    public IReadOnlyDictionary<Guid, int> Held => mirrors.ToDictionary(m => m.Key, m => m.Value.Copying.Count);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    await RunOnceAsync(stoppingToken);
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    logger.LogWarning("Mirror worker pass failed ({Error}); trying again", ErrorText.Describe(e));
                }
                await Task.Delay(options.Value.PollInterval, time, stoppingToken);
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            await LetGoOfAllAsync();
        }
    }

    /// <summary>Stops every copier of this worker and releases its leases.</summary>
    public async Task LetGoOfAllAsync()
    {
        foreach (var runId in mirrors.Keys.ToList()) await LetGoAsync(runId);
        try
        {
            await leases.RetireAsync(Owner);
        }
        catch (Exception e)
        {
            logger.LogWarning("Mirror worker could not sign off ({Error}); the others stop counting it within a lease", ErrorText.Describe(e));
        }
    }

    /// <summary>One pass: let go of runs no longer mirrored, renew and take leases, (re)start copiers, write progress.</summary>
    public async Task RunOnceAsync(CancellationToken ct)
    {
        List<MigrationRun> active;
        await using (var db = await contexts.CreateDbContextAsync(ct))
        {
            active = await db.MigrationRuns.AsNoTracking()
                .Where(r => r.MirrorStartedAt != null && r.MirrorStoppedAt == null && MigrationRunStatuses.Active.Contains(r.Status))
                .ToListAsync(ct);
        }
        active = active.Where(r => Follows(r, mirrors.TryGetValue(r.Id, out var known) ? known.Plan : RunMirror.PlanOf(r))).ToList();
        foreach (var runId in mirrors.Keys.Except(active.Select(r => r.Id)).ToList()) await LetGoAsync(runId);
        if (active.Count == 0) return;
        var workers = await leases.AnnounceAsync(Owner, ct);
        foreach (var run in active)
        {
            try
            {
                if (!mirrors.TryGetValue(run.Id, out var mirror)) mirrors[run.Id] = mirror = new RunMirror(run, time.GetUtcNow());
                await TendAsync(mirror, workers, ct);
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                logger.LogWarning("Mirroring run {Run} failed this pass ({Error})", run.Id, ErrorText.Describe(e));
            }
        }
    }

    /// <param name="workers">Workers alive now, this one included: each takes at most its share of the run's partitions.</param>
    private async Task TendAsync(RunMirror mirror, int workers, CancellationToken ct)
    {
        var (run, plan) = (mirror.Run, mirror.Plan);
        if (!mirror.PartitionsEnsured)
        {
            await leases.EnsurePartitionsAsync(run.Id, mirror.Partitions, ct);
            mirror.PartitionsEnsured = true;
        }

        var held = (await leases.RenewAsync(run.Id, Owner, ct)).ToHashSet();
        mirror.LastRenewed = time.GetUtcNow();
        var now = time.GetUtcNow();
        var share = Math.Min(options.Value.MaxPartitionsPerWorker, (mirror.Partitions.Count + workers - 1) / Math.Max(1, workers));
        if (held.Count > share)
        {
            // Another worker came: the copier stops, its progress is written, and what is over this worker's share lapses to it.
            var surplus = held.OrderBy(p => p.Topic, StringComparer.Ordinal).ThenBy(p => p.Partition).Skip(share).ToList();
            await mirror.StopCopierAsync();
            await FlushAsync(mirror, ct);
            await leases.LetLapseAsync(run.Id, Owner, surplus, ct);
            held.ExceptWith(surplus);
        }
        foreach (var row in await leases.PartitionsAsync(run.Id, ct))
        {
            if (held.Count >= share) break;
            if (held.Contains(row.Key) || (row.Owner is not null && row.ExpiresAt >= now)) continue;
            if (await leases.TryAcquireAsync(run.Id, row.Key, Owner, ct)) held.Add(row.Key);
        }

        if (!held.SetEquals(mirror.Copying) || (held.Count > 0 && !mirror.IsCopying))
        {
            await mirror.StopCopierAsync();
            await FlushAsync(mirror, ct);
            if (held.Count > 0)
            {
                var ends = await endpoints.ResolveAsync(run, plan, ct);
                mirror.Start(ends, held, new MirrorCopierOptions
                {
                    SyncEvery = options.Value.SyncEvery,
                    Quota = ProduceQuota.For(QuotaShare(KafkaPlanLimits.ForPlan(plan.TargetPlan).ProduceQuotaBytesPerSecond, held.Count, mirror.Partitions.Count), time),
                    // A cancelled copier flushes within this, well before a lease it could not renew runs out.
                    OperationTimeout = options.Value.LeaseDuration / 4,
                    Time = time,
                }, options.Value.LeaseDuration / 2, logger, inspector);
            }
        }
        await FlushAsync(mirror, ct);
    }

    private async Task FlushAsync(RunMirror mirror, CancellationToken ct)
    {
        // Progress first, sync points second: the copier reports a sync point before the progress past it, so every
        // progress row written here has its sync points stored with it.
        var latest = mirror.Observer.Latest.Values.Where(p => mirror.Copying.Contains(p.Partition) || mirror.Stopped.Contains(p.Partition)).ToList();
        var syncs = mirror.Observer.TakeSyncPoints();
        if (syncs.Count > 0) await leases.AddSyncPointsAsync(mirror.Run.Id, syncs, ct);
        var now = time.GetUtcNow();
        foreach (var problem in mirror.Observer.TakeProblems().Distinct(StringComparer.Ordinal))
        {
            if (mirror.ProblemsLogged.TryGetValue(problem, out var logged) && now - logged < ProblemRepeatInterval) continue;
            mirror.ProblemsLogged[problem] = now;
            if (events is not null)
                await events.AppendAsync(mirror.Run.Id, RunEvent.EngineActor, RunEventKinds.KafkaCheck, $"Mirror: {problem}", succeeded: false, ct: ct);
        }
        foreach (var progress in latest)
        {
            var rate = mirror.Rate(progress, now);
            if (!await leases.RecordProgressAsync(mirror.Run.Id, Owner, progress.Partition, progress.NextSourceOffset, progress.SourceHighWatermark, rate, ct))
                mirror.Observer.Latest.TryRemove(progress.Partition, out _);
        }
        mirror.Stopped.Clear();
    }

    private async Task LetGoAsync(Guid runId)
    {
        if (!mirrors.TryRemove(runId, out var mirror)) return;
        await mirror.StopCopierAsync();
        try
        {
            await FlushAsync(mirror, CancellationToken.None);
            await leases.ReleaseAsync(runId, Owner);
        }
        catch (Exception e)
        {
            logger.LogWarning("Letting go of run {Run}'s mirror failed ({Error}); its leases run out by themselves", runId, ErrorText.Describe(e));
        }
    }

    /// <summary>
    /// The portal's copier copies until the mirror is stopped. MirrorMaker 2 is followed only until the groups' positions
    /// are carried: after that the app writes to the new cluster, whose records are no longer all copies to count.
    /// </summary>
    private static bool Follows(MigrationRun run, MigrationPlan plan) =>
        plan.MirrorEngine != MirrorEngine.MirrorMaker2
        || (run.Phase == RunPhase.Forward && run.CurrentStep <= (plan.Steps.FirstOrDefault(s => s.Action is CommitMirroredOffsets)?.Index ?? int.MaxValue));

    /// <summary>
    /// A worker's part of the target's produce quota: its share of the run's partitions. Leases never overlap, so the
    /// workers' parts never add up to more than the quota, however the partitions are spread.
    /// </summary>
    public static long? QuotaShare(long? quota, int held, int total) =>
        quota is { } bytes && total > 0 ? Math.Max(1, bytes * Math.Min(held, total) / total) : null;

    /// <summary>Every partition of the topics the plan's mirror copies.</summary>
    public static IReadOnlyList<MirrorPartition> Partitions(MigrationPlan plan)
    {
        var topics = plan.Steps.Select(s => s.Action).OfType<StartMirror>().FirstOrDefault()?.Topics.ToHashSet(StringComparer.Ordinal);
        return plan.Topics.Where(t => topics is null || topics.Contains(t.Name)).Where(t => !KafkaInternalTopics.IsInternal(t.Name))
            .SelectMany(t => Enumerable.Range(0, t.Partitions).Select(p => new MirrorPartition(t.Name, p))).ToList();
    }

    /// <summary>One run's copier in this process, and what it has reported since the last write.</summary>
    private sealed class RunMirror(MigrationRun run, DateTimeOffset now)
    {
        private readonly Dictionary<MirrorPartition, (DateTimeOffset At, long Records, double Rate)> samples = [];
        private CancellationTokenSource? stop;
        private Task? copying;

        public MigrationRun Run { get; } = run;

        /// <summary>The run's plan, read once: a run's plan never changes.</summary>
        public MigrationPlan Plan { get; } = PlanOf(run);

        public static MigrationPlan PlanOf(MigrationRun run) =>
            PlanSerialization.DeserializePlan(run.PlanJson ?? throw new InvalidOperationException("The run has no plan."));

        public IReadOnlyList<MirrorPartition> Partitions => field ??= MirrorWorker.Partitions(Plan);

        public bool PartitionsEnsured { get; set; }
        private long lastRenewedTicks = now.UtcTicks;
        private ITimer? fence;

        /// <summary>When this worker last renewed its leases of the run (read by the fence's timer thread).</summary>
        public DateTimeOffset LastRenewed
        {
            get => new(Interlocked.Read(ref lastRenewedTicks), TimeSpan.Zero);
            set => Interlocked.Exchange(ref lastRenewedTicks, value.UtcTicks);
        }

        /// <summary>A copier runs (it ends only when stopped, or fenced).</summary>
        public bool IsCopying => copying is { IsCompleted: false };
        public HashSet<MirrorPartition> Copying { get; private set; } = [];

        /// <summary>Partitions whose copier stopped since the last write: their final progress is still written.</summary>
        public HashSet<MirrorPartition> Stopped { get; } = [];

        public BufferingObserver Observer { get; } = new();

        /// <summary>When each problem last went to the run's event log.</summary>
        public Dictionary<string, DateTimeOffset> ProblemsLogged { get; } = new(StringComparer.Ordinal);

        /// <param name="fenceAfter">How long after the last renewal the copier is stopped, whatever the worker's own loop
        /// is doing (a database call that hangs): early enough that its flush ends before the leases run out.</param>
        public void Start(MirrorEndpoints ends, IReadOnlySet<MirrorPartition> partitions, MirrorCopierOptions copierOptions, TimeSpan fenceAfter, ILogger logger,
            IKafkaInspector inspector)
        {
            Copying = [.. partitions];
            Observer.Logger = logger;
            var cancel = stop = new CancellationTokenSource();
            var clock = copierOptions.Time;
            fence = clock.CreateTimer(_ =>
            {
                if (clock.GetUtcNow() - LastRenewed <= fenceAfter) return;
                logger.LogWarning("Mirror of run {Run}: leases not renewed for {Seconds:0.#} s; copying stops before they run out", Run.Id, fenceAfter.TotalSeconds);
                try
                {
                    cancel.Cancel();
                }
                catch (ObjectDisposedException)
                {
                }
            }, null, fenceAfter / 4, fenceAfter / 4);
            IReadOnlyList<MirrorPartition> ordered = [.. partitions.OrderBy(p => p.Topic, StringComparer.Ordinal).ThenBy(p => p.Partition)];
            // With MirrorMaker 2 the lease holder follows its copy instead of copying: the same progress, written the same way.
            copying = Plan.MirrorEngine == MirrorEngine.MirrorMaker2
                ? new MirrorMaker2Watch(ends.Source, ends.Target, ordered, inspector, Observer,
                    new MirrorMaker2WatchOptions { OperationTimeout = copierOptions.OperationTimeout }, clock).RunAsync(stop.Token)
                : new MirrorCopier(ends.Source, ends.Target, ordered, Observer, copierOptions).RunAsync(stop.Token);
        }

        public async Task StopCopierAsync()
        {
            if (stop is null || copying is null) return;
            if (fence is not null) await fence.DisposeAsync();
            fence = null;
            await stop.CancelAsync();
            try
            {
                await copying;
            }
            catch (Exception)
            {
                // Its session's problems were reported; the next copier reads the target tails again.
            }
            stop.Dispose();
            (stop, copying) = (null, null);
            Stopped.UnionWith(Copying);
            Copying = [];
        }

        /// <summary>Records per second since the previous sample of the partition (the last rate when too little time passed).</summary>
        public double Rate(MirrorProgress progress, DateTimeOffset now)
        {
            if (!samples.TryGetValue(progress.Partition, out var last) || progress.RecordsCopied < last.Records)
            {
                samples[progress.Partition] = (now, progress.RecordsCopied, 0);
                return 0;
            }
            var seconds = (now - last.At).TotalSeconds;
            if (seconds < 0.5) return last.Rate;
            var rate = (progress.RecordsCopied - last.Records) / seconds;
            samples[progress.Partition] = (now, progress.RecordsCopied, rate);
            return rate;
        }
    }

    private sealed class BufferingObserver : IMirrorObserver
    {
        private readonly ConcurrentQueue<OffsetSyncPoint> syncs = new();

        public ConcurrentDictionary<MirrorPartition, MirrorProgress> Latest { get; } = new();

        public ILogger? Logger { get; set; }

        public void OnProgress(MirrorProgress progress) => Latest[progress.Partition] = progress;

        public void OnSyncPoint(OffsetSyncPoint sync) => syncs.Enqueue(sync);

        private readonly ConcurrentQueue<string> problems = new();

        public void OnProblem(string message)
        {
            Logger?.LogWarning("Mirror: {Problem}", message);
            problems.Enqueue(message);
        }

        public List<string> TakeProblems()
        {
            var taken = new List<string>();
            while (problems.TryDequeue(out var problem)) taken.Add(problem);
            return taken;
        }

        public List<OffsetSyncPoint> TakeSyncPoints()
        {
            var taken = new List<OffsetSyncPoint>();
            while (syncs.TryDequeue(out var sync)) taken.Add(sync);
            return taken;
        }
    }
}
