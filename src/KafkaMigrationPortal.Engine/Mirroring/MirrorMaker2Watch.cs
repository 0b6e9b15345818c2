using System.Buffers.Binary;
using System.Text;
using Confluent.Kafka;
using KafkaMigrationPortal.AppClient;
using KafkaMigrationPortal.Engine.KafkaChecks;

namespace KafkaMigrationPortal.Engine.Mirroring;

/// <summary>MirrorMaker 2's latest offset sync of a partition: its record at <paramref name="Upstream"/> on the old
/// cluster is the new cluster's record at <paramref name="Downstream"/>.</summary>
public sealed record MirrorMaker2Sync(MirrorPartition Partition, long Upstream, long Downstream)
{
    /// <summary>Reads one record of MirrorMaker 2's offset-syncs topic (Kafka's protocol types, big-endian): key
    /// topic (INT16 length, UTF-8) and partition (INT32); value upstream offset and downstream offset (INT64 each).</summary>
    public static bool TryRead(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, out MirrorMaker2Sync? sync)
    {
        sync = null;
        if (key.Length < 2 || value.Length < 16) return false;
        var length = BinaryPrimitives.ReadInt16BigEndian(key);
        if (length < 0 || key.Length != 2 + length + 4) return false;
        var topic = Encoding.UTF8.GetString(key.Slice(2, length));
        var partition = BinaryPrimitives.ReadInt32BigEndian(key[(2 + length)..]);
        sync = new MirrorMaker2Sync(new MirrorPartition(topic, partition), BinaryPrimitives.ReadInt64BigEndian(value),
            BinaryPrimitives.ReadInt64BigEndian(value[8..]));
        return true;
    }

    public (byte[] Key, byte[] Value) Write()
    {
        var topic = Encoding.UTF8.GetBytes(Partition.Topic);
        var key = new byte[2 + topic.Length + 4];
        BinaryPrimitives.WriteInt16BigEndian(key, (short)topic.Length);
        topic.CopyTo(key, 2);
        BinaryPrimitives.WriteInt32BigEndian(key.AsSpan(2 + topic.Length), Partition.Partition);
        var value = new byte[16];
        BinaryPrimitives.WriteInt64BigEndian(value, Upstream);
        BinaryPrimitives.WriteInt64BigEndian(value.AsSpan(8), Downstream);
        return (key, value);
    }
}

public sealed record MirrorMaker2WatchOptions
{
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan OperationTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Up to this many offsets past a partition's last sync, the old cluster's records there are read and
    /// counted, so the progress is exact near the end; further behind, it is estimated from the offsets.</summary>
    public int ExactTail { get; init; } = 10_000;
}

/// <summary>
/// Follows MirrorMaker 2's copy of a run's partitions on the two clusters and reports it as a copier would
/// (<see cref="IMirrorObserver.OnProgress"/>), so the portal's mirror steps, live checks and run page read the same
/// progress whoever copies. Per partition it takes MirrorMaker 2's latest offset sync (u → d), the new cluster's end
/// and, near the end, the old cluster's records after u: the k records written after d are the first k records after
/// u, so the copy has reached the (k+1)-th. A new cluster that gains more records between two syncs than the old one has
/// offsets between them, or more records after d than after u, means
/// records were copied twice (a restart without exactly-once), which it reports as a problem. It never writes to either cluster.
/// </summary>
public sealed class MirrorMaker2Watch(KafkaAttachmentVars source, KafkaAttachmentVars target, IReadOnlyList<MirrorPartition> partitions,
    IKafkaInspector inspector, IMirrorObserver observer, MirrorMaker2WatchOptions? options = null, TimeProvider? time = null)
{
    private readonly MirrorMaker2WatchOptions _options = options ?? new MirrorMaker2WatchOptions();
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly Dictionary<MirrorPartition, MirrorMaker2Sync> _latest = [];

    public Task RunAsync(CancellationToken ct)
    {
        var from = Attachment(source);
        var to = Attachment(target);
        return Task.Factory.StartNew(() => Run(from, to, ct), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    internal static HerokuKafkaAttachment Attachment(KafkaAttachmentVars vars) =>
        HerokuKafkaAttachment.TryFromConfigVars(vars.AttachmentName, vars.ConfigVars, out var attachment, out var problem)
            ? attachment
            : throw new KafkaCheckFailedException(KafkaCheckOutcome.Misconfigured, problem);

    private void Run(HerokuKafkaAttachment from, HerokuKafkaAttachment to, CancellationToken ct)
    {
        if (partitions.Count == 0) return;
        using var syncs = Reader(to, IsolationLevel.ReadUncommitted);
        using var records = Reader(from, IsolationLevel.ReadCommitted);
        syncs.Assign(new TopicPartitionOffset(to.Topic(MirrorMaker2Config.OffsetSyncsTopic), 0, Offset.Beginning));
        var topics = partitions.Select(p => p.Topic).Distinct().ToList();
        while (!ct.IsCancellationRequested)
        {
            try
            {
                ReadSyncs(syncs, ct);
                // The new cluster's ends first: every record copied by then was on the old cluster before its ends are
                // read, so the records counted there include every copy (the other order would take copies for repeats).
                var targetMarks = inspector.GetWatermarksAsync(target, topics, ct).GetAwaiter().GetResult();
                var sourceMarks = targetMarks.IsOk ? inspector.GetWatermarksAsync(source, topics, ct).GetAwaiter().GetResult() : targetMarks;
                if (!sourceMarks.IsOk || !targetMarks.IsOk)
                    observer.OnProblem($"MirrorMaker 2's progress could not be read ({(targetMarks.IsOk ? sourceMarks : targetMarks).Message}).");
                else
                    Report(records, from, Index(sourceMarks.Value), Index(targetMarks.Value), ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (KafkaException e)
            {
                observer.OnProblem($"MirrorMaker 2's progress could not be read ({e.Error.Code}).");
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                observer.OnProblem($"MirrorMaker 2's progress could not be read ({e.GetType().Name}: {e.Message}).");
            }
            try
            {
                Task.Delay(_options.PollInterval, _time, ct).GetAwaiter().GetResult();
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private static Dictionary<(string, int), PartitionWatermarks> Index(WatermarkSnapshot marks) =>
        marks.Partitions.ToDictionary(p => (p.Topic, p.Partition));

    internal static IConsumer<byte[], byte[]> Reader(HerokuKafkaAttachment attachment, IsolationLevel isolation)
    {
        var config = attachment.ConsumerConfig("kmp-mirror");
        config.EnableAutoCommit = false;
        config.EnableAutoOffsetStore = false;
        config.EnablePartitionEof = true;
        config.AutoOffsetReset = AutoOffsetReset.Earliest;
        config.IsolationLevel = isolation;
        return new ConsumerBuilder<byte[], byte[]>(config).SetLogHandler((_, _) => { }).SetErrorHandler((_, _) => { }).Build();
    }

    /// <summary>Everything MirrorMaker 2 has written to its offset-syncs topic since the last pass.</summary>
    private void ReadSyncs(IConsumer<byte[], byte[]> syncs, CancellationToken ct)
    {
        var deadline = _time.GetUtcNow() + _options.OperationTimeout;
        while (!ct.IsCancellationRequested && _time.GetUtcNow() < deadline)
        {
            var result = syncs.Consume(TimeSpan.FromMilliseconds(200));
            if (result is null || result.IsPartitionEOF) return;
            if (result.Message.Key is not { } key || result.Message.Value is not { } value || !MirrorMaker2Sync.TryRead(key, value, out var sync)
                || !partitions.Contains(sync!.Partition)) continue;
            // Between two syncs the new cluster cannot gain more records than the old one has offsets: more means a
            // restart resumed behind what it had copied (no exactly-once), and the difference was copied twice at least.
            if (_latest.TryGetValue(sync.Partition, out var before) && sync.Downstream - before.Downstream > sync.Upstream - before.Upstream)
                observer.OnProblem($"MirrorMaker 2 copied at least {sync.Downstream - before.Downstream - (sync.Upstream - before.Upstream)} record(s) of {sync.Partition} twice " +
                    $"between source offsets {before.Upstream} and {sync.Upstream} (a restart without exactly-once); consumers of the new add-on would read them twice. " +
                    "A consumer group before them cannot be carried exactly.");
            _latest[sync.Partition] = sync;
        }
    }

    private void Report(IConsumer<byte[], byte[]> records, HerokuKafkaAttachment from,
        Dictionary<(string, int), PartitionWatermarks> sourceMarks, Dictionary<(string, int), PartitionWatermarks> targetMarks, CancellationToken ct)
    {
        var exact = new List<(MirrorPartition Partition, MirrorMaker2Sync Sync, long Copied, long High, long Written)>();
        foreach (var partition in partitions)
        {
            if (!sourceMarks.TryGetValue((partition.Topic, partition.Partition), out var from_)
                || !targetMarks.TryGetValue((partition.Topic, partition.Partition), out var to_)) continue;
            var (low, high, written) = (from_.EarliestOffset, from_.LatestOffset, to_.LatestOffset);
            if (!_latest.TryGetValue(partition, out var sync))
            {
                // Nothing copied yet, or the first sync is on its way: an estimate from the offsets.
                observer.OnProgress(new MirrorProgress(partition, Math.Min(high, low + written), high, written, 0, written == 0 && high == low));
                continue;
            }
            var copiedAfterSync = Math.Max(0, written - sync.Downstream - 1);
            if (high - (sync.Upstream + 1) <= _options.ExactTail)
                exact.Add((partition, sync, copiedAfterSync, high, written));
            else
                observer.OnProgress(new MirrorProgress(partition, Math.Min(high, sync.Upstream + 1 + copiedAfterSync), high, written, 0, false));
        }
        if (exact.Count == 0) return;

        // The records after each partition's last sync, read in one pass over all of them.
        var after = exact.ToDictionary(e => new TopicPartition(from.Topic(e.Partition.Topic), e.Partition.Partition), _ => new List<long>());
        var open = exact.Where(e => e.High > e.Sync.Upstream + 1)
            .Select(e => new TopicPartitionOffset(from.Topic(e.Partition.Topic), e.Partition.Partition, e.Sync.Upstream + 1)).ToList();
        if (open.Count > 0)
        {
            var ends = exact.ToDictionary(e => new TopicPartition(from.Topic(e.Partition.Topic), e.Partition.Partition), e => e.High);
            records.Assign(open);
            var pending = open.Select(o => o.TopicPartition).ToHashSet();
            var deadline = _time.GetUtcNow() + _options.OperationTimeout;
            while (pending.Count > 0)
            {
                ct.ThrowIfCancellationRequested();
                if (_time.GetUtcNow() > deadline) throw new KafkaException(ErrorCode.Local_TimedOut);
                var result = records.Consume(TimeSpan.FromMilliseconds(100));
                if (result is null || !pending.Contains(result.TopicPartition)) continue;
                if (!result.IsPartitionEOF) after[result.TopicPartition].Add(result.Offset.Value);
                if (result.IsPartitionEOF || result.Offset.Value + 1 >= ends[result.TopicPartition])
                {
                    pending.Remove(result.TopicPartition);
                    records.Pause([result.TopicPartition]);
                }
            }
            // A paused partition stays paused through a new assignment: the next pass reads it again.
            records.Resume(open.Select(o => o.TopicPartition));
            records.Unassign();
        }
        foreach (var (partition, sync, copied, high, written) in exact)
        {
            var offsets = after[new TopicPartition(from.Topic(partition.Topic), partition.Partition)];
            if (copied > offsets.Count)
                observer.OnProblem($"MirrorMaker 2 has written {copied} record(s) to {partition} after its last offset sync, where the old add-on holds " +
                    $"{offsets.Count}: it copied {copied - offsets.Count} record(s) twice (a restart without exactly-once). Consumers on the new add-on would read them twice.");
            var next = copied < offsets.Count ? offsets[(int)copied] : high;
            observer.OnProgress(new MirrorProgress(partition, next, high, written, 0, next >= high));
        }
    }
}
