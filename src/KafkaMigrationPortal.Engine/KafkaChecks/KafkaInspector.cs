using System.Diagnostics;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using KafkaMigrationPortal.AppClient;
using Microsoft.Extensions.Options;

namespace KafkaMigrationPortal.Engine.KafkaChecks;

/// <summary>
/// Clients are built from the config vars at hand (certificates rotate, attachments move), shared by everything one
/// check does, and kept for the next check on the same attachment values (<see cref="ClusterConnections"/>). Never calls ListConsumerGroupOffsets/ListConsumerGroups (they
/// crash librdkafka's mock cluster, see kafka-test-broker.md) nor ListOffsets by timestamp (the mock answers "end").
/// </summary>
public sealed class KafkaInspector(IOptions<KafkaChecksOptions> options, TimeProvider time, ILogger<KafkaInspector> logger)
    : IKafkaInspector, IDisposable
{
    private readonly ClusterConnections connections = new(options.Value, time);

    /// <summary>Connections kept for the next check (<see cref="KafkaChecksOptions.IdleConnectionLifetime"/>).</summary>
    internal int IdleConnections => connections.IdleCount;

    public void Dispose() => connections.Dispose();

    /// <summary>Carries no commits: used only to read records, never to join or commit.</summary>
    internal const string ReaderGroup = "kafka-migration-portal-inspector";

    private KafkaChecksOptions Options => options.Value;

    public Task<KafkaCheckResult<ClusterReachability>> CheckReachableAsync(KafkaAttachmentVars attachment, CancellationToken ct = default) =>
        RunAsync(attachment, "reachability", (cluster, _) =>
            Task.FromResult(new ClusterReachability(cluster.Attachment.Name, cluster.Metadata.Brokers.Count,
                cluster.VisibleTopics().Count)), ct);

    public Task<KafkaCheckResult<LagSnapshot>> GetLagAsync(KafkaAttachmentVars attachment, IReadOnlyCollection<string> groups,
        IReadOnlyCollection<string> topics, CancellationToken ct = default)
    {
        var distinctGroups = groups.Distinct(StringComparer.Ordinal).ToList();
        return RunAsync(attachment, "lag", async (cluster, token) =>
        {
            var partitions = cluster.Partitions(topics);
            var committedByGroup = distinctGroups.Select(group => (Group: group, Committed: cluster.CommittedAsync(group, partitions.Wire))).ToList();
            var (earliest, latest) = await cluster.WatermarksAsync(partitions.Wire);
            var rows = new List<PartitionLag>(committedByGroup.Count * partitions.Count);
            foreach (var (group, pending) in committedByGroup)
            {
                var committed = await pending.WaitAsync(token);
                foreach (var (wire, topic) in partitions.Pairs)
                {
                    var offset = committed[wire];
                    rows.Add(PartitionLag.Compute(group, topic, wire.Partition.Value, offset >= 0 ? offset : null,
                        earliest[wire], latest[wire]));
                }
            }
            return new LagSnapshot(cluster.Attachment.Name, time.GetUtcNow(), rows);
        }, ct, beforeConnect: cluster => cluster.OpenGroups(distinctGroups));
    }

    public Task<KafkaCheckResult<WatermarkSnapshot>> GetWatermarksAsync(KafkaAttachmentVars attachment, IReadOnlyCollection<string> topics,
        CancellationToken ct = default) =>
        RunAsync(attachment, "watermarks", async (cluster, _) => await WatermarksOf(cluster, topics), ct);

    public Task<KafkaCheckResult<OldestRetainedSnapshot>> OldestRetainedAsync(KafkaAttachmentVars attachment,
        IReadOnlyCollection<string> topics, CancellationToken ct = default) =>
        RunAsync(attachment, "oldest retained records", async (cluster, token) =>
        {
            var watermarks = await WatermarksOf(cluster, topics);
            var wireNames = cluster.Partitions(topics).Pairs.ToDictionary(p => (p.Topic, p.Wire.Partition.Value), p => p.Wire);
            var nonEmpty = watermarks.Partitions.Where(p => !p.IsEmpty)
                .ToDictionary(p => wireNames[(p.Topic, p.Partition)], p => p);
            var timestamps = nonEmpty.Count == 0
                ? new Dictionary<TopicPartition, DateTimeOffset>()
                : await OnOwnThread(() => cluster.ReadFirstTimestamps(nonEmpty.ToDictionary(p => p.Key, p => p.Value.EarliestOffset), token));
            var rows = watermarks.Partitions.Select(p =>
            {
                DateTimeOffset? oldest = p.IsEmpty ? null : timestamps[wireNames[(p.Topic, p.Partition)]];
                return new PartitionOldestRecord(p.Topic, p.Partition, p.EarliestOffset, p.LatestOffset, oldest);
            }).ToList();
            return new OldestRetainedSnapshot(cluster.Attachment.Name, time.GetUtcNow(), rows);
        }, ct);

    public async Task<KafkaCheckResult<ParityVerdict>> CheckParityAsync(KafkaAttachmentVars oldCluster, IReadOnlyCollection<string> topics,
        DateTimeOffset doubleWriteStartedAt, CancellationToken ct = default)
    {
        var oldest = await OldestRetainedAsync(oldCluster, topics, ct);
        return oldest.IsOk
            ? KafkaCheckResult<ParityVerdict>.Ok(ParityVerdict.Decide(oldest.Value, doubleWriteStartedAt))
            : oldest.WithoutValue<ParityVerdict>();
    }

    public Task<KafkaCheckResult<ConsumerPositionsReport>> CarryConsumerPositionsAsync(KafkaAttachmentVars oldCluster, KafkaAttachmentVars newCluster,
        IReadOnlyCollection<string> groups, IReadOnlyCollection<string> topics, CancellationToken ct = default) =>
        RunAsync(oldCluster, "carrying consumer positions", async (old, token) =>
        {
            var carried = await RunAsync(newCluster, "carrying consumer positions", async (target, innerToken) =>
            {
                using var carrier = new PositionCarrier(old, target, Options);
                return await OnOwnThread(() => carrier.Carry(groups, topics, Options.ClockSkewMargin, innerToken));
            }, token);
            return carried.IsOk ? carried.Value : throw new KafkaCheckStepException(carried.Message ?? "carrying consumer positions failed.");
        }, ct);

    private async Task<WatermarkSnapshot> WatermarksOf(InspectedCluster cluster, IReadOnlyCollection<string> topics)
    {
        var partitions = cluster.Partitions(topics);
        var (earliest, latest) = await cluster.WatermarksAsync(partitions.Wire);
        var rows = partitions.Pairs
            .Select(p => new PartitionWatermarks(p.Topic, p.Wire.Partition.Value, earliest[p.Wire], latest[p.Wire]))
            .ToList();
        return new WatermarkSnapshot(cluster.Attachment.Name, time.GetUtcNow(), rows);
    }

    /// <summary>
    /// Parses the attachment, connects (metadata once) and runs the check, turning every failure into an outcome.
    /// Messages carry attachment and topic names and librdkafka error codes only: librdkafka's error texts name broker
    /// hosts, which are config var values.
    /// </summary>
    /// <param name="beforeConnect">Runs on its own thread while the metadata is read, for clients the check needs anyway.</param>
    private async Task<KafkaCheckResult<T>> RunAsync<T>(KafkaAttachmentVars vars, string what,
        Func<InspectedCluster, CancellationToken, Task<T>> check, CancellationToken ct, Action<InspectedCluster>? beforeConnect = null)
        where T : class
    {
        if (!HerokuKafkaAttachment.TryFromConfigVars(vars.AttachmentName, vars.ConfigVars, out var attachment, out var problem))
            return KafkaCheckResult<T>.NotOk(KafkaCheckOutcome.Misconfigured, problem);

        var started = Stopwatch.GetTimestamp();
        var cluster = connections.Rent(attachment);
        var succeeded = false;
        try
        {
            var value = await ConnectAndCheckAsync(cluster, what, check, ct, beforeConnect);
            succeeded = value.IsOk;
            if (succeeded)
                logger.LogDebug("Kafka check {Check} on {Attachment} took {Elapsed} ms", what, attachment.Name,
                    Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            return value;
        }
        finally
        {
            connections.Return(cluster, keep: succeeded);
        }
    }

    private async Task<KafkaCheckResult<T>> ConnectAndCheckAsync<T>(InspectedCluster cluster, string what,
        Func<InspectedCluster, CancellationToken, Task<T>> check, CancellationToken ct, Action<InspectedCluster>? beforeConnect)
        where T : class
    {
        var attachment = cluster.Attachment;
        var opening = beforeConnect is null ? Task.CompletedTask : OnOwnThread(() => beforeConnect(cluster));
        try
        {
            await OnOwnThread(cluster.Connect).WaitAsync(ct);
        }
        catch (KafkaException e)
        {
            logger.LogWarning("Kafka brokers of {Attachment} unreachable for {Check}: {ErrorCode}", attachment.Name, what, e.Error.Code);
            return KafkaCheckResult<T>.NotOk(KafkaCheckOutcome.Unreachable,
                $"The Kafka brokers of {attachment.Name} could not be reached within {Options.ConnectTimeout.TotalSeconds:0.#} s " +
                $"({e.Error.Code}). Brokers in a Private Space accept connections only from inside the space; " +
                "confirm this check by hand.");
        }

        await opening.WaitAsync(ct);

        try
        {
            return KafkaCheckResult<T>.Ok(await check(cluster, ct));
        }
        catch (UnknownTopicsException e)
        {
            return KafkaCheckResult<T>.NotOk(KafkaCheckOutcome.Failed,
                $"Topic(s) {string.Join(", ", e.Topics)} do not exist on {attachment.Name}.");
        }
        catch (KafkaCheckStepException e)
        {
            logger.LogWarning("Kafka check {Check} on {Attachment} failed: {Problem}", what, attachment.Name, e.Message);
            return KafkaCheckResult<T>.NotOk(KafkaCheckOutcome.Failed, $"{what} on {attachment.Name}: {e.Message}");
        }
        catch (KafkaException e)
        {
            logger.LogWarning("Kafka check {Check} on {Attachment} failed: {ErrorCode}", what, attachment.Name, e.Error.Code);
            return KafkaCheckResult<T>.NotOk(KafkaCheckOutcome.Failed, $"{what} on {attachment.Name} failed: {e.Error.Code}.");
        }
    }

    /// <summary>
    /// librdkafka calls block; a dedicated thread per call keeps them from starving the thread pool (2 cores here,
    /// and a lag snapshot blocks once per group and OffsetFetch request at the same time).
    /// </summary>
    internal static Task<T> OnOwnThread<T>(Func<T> blocking) =>
        Task.Factory.StartNew(blocking, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    internal static Task OnOwnThread(Action blocking) =>
        Task.Factory.StartNew(blocking, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
}

internal sealed class UnknownTopicsException(IReadOnlyList<string> topics) : Exception
{
    public IReadOnlyList<string> Topics { get; } = topics;
}

/// <summary>A broker error during a check, described without librdkafka's free text (it names broker hosts).</summary>
internal sealed class KafkaCheckStepException(string message) : Exception(message);

/// <summary>The requested partitions: wire names (prefixed) paired with the names callers use.</summary>
internal sealed record InspectedPartitions(IReadOnlyList<(TopicPartition Wire, string Topic)> Pairs)
{
    public IReadOnlyList<TopicPartition> Wire { get; } = [.. Pairs.Select(p => p.Wire)];

    public int Count => Pairs.Count;
}

/// <summary>
/// A connection to one cluster, used by one check at a time: the attachment, an admin client, the metadata read at
/// each check's start, and a handle per consumer group, all kept between checks by <see cref="ClusterConnections"/>.
/// </summary>
internal sealed class InspectedCluster(HerokuKafkaAttachment attachment, KafkaChecksOptions options) : IDisposable
{
    private readonly Dictionary<string, IConsumer<Ignore, Ignore>> _opened = new(StringComparer.Ordinal);
    private IAdminClient? _admin;
    private Metadata? _metadata;
    private bool _disposed;

    public HerokuKafkaAttachment Attachment => attachment;

    public Metadata Metadata => _metadata ?? throw new InvalidOperationException("Not connected.");

    private IAdminClient Admin => _admin ?? throw new InvalidOperationException("Not connected.");

    /// <summary>Metadata for all topics in one request; throws <see cref="KafkaException"/> when no broker answers in time.</summary>
    public void Connect()
    {
        if (_admin is null)
        {
            var config = attachment.AdminClientConfig();
            Quiet(config);
            _admin = new AdminClientBuilder(config).SetLogHandler((_, _) => { }).SetErrorHandler((_, _) => { }).Build();
        }
        _metadata = _admin.GetMetadata(options.ConnectTimeout);
        if (_metadata.Brokers.Count == 0)
            throw new KafkaException(ErrorCode.Local_AllBrokersDown);
    }

    /// <summary>Unprefixed names of the topics this attachment sees, without Kafka's internal ones.</summary>
    public IReadOnlyList<string> VisibleTopics() =>
        [.. Metadata.Topics
            .Where(t => !t.Error.IsError && !t.Topic.StartsWith("__", StringComparison.Ordinal))
            .Where(t => attachment.Prefix.Length == 0 || t.Topic.StartsWith(attachment.Prefix, StringComparison.Ordinal))
            .Select(t => attachment.Unprefixed(t.Topic))
            .Order(StringComparer.Ordinal)];

    public InspectedPartitions Partitions(IReadOnlyCollection<string> topics)
    {
        var names = topics.Count == 0 ? VisibleTopics() : topics.Distinct(StringComparer.Ordinal).ToList();
        var byWireName = Metadata.Topics.Where(t => !t.Error.IsError).ToDictionary(t => t.Topic, StringComparer.Ordinal);
        var missing = names.Where(n => !byWireName.ContainsKey(attachment.Topic(n))).ToList();
        if (missing.Count > 0) throw new UnknownTopicsException(missing);
        return new InspectedPartitions([.. names
            .SelectMany(n => byWireName[attachment.Topic(n)].Partitions
                .OrderBy(p => p.PartitionId)
                .Select(p => (new TopicPartition(attachment.Topic(n), p.PartitionId), n)))]);
    }

    /// <summary>Earliest and latest offsets: batched ListOffsets requests of up to <see cref="KafkaChecksOptions.PartitionsPerRequest"/>, all sent together.</summary>
    public async Task<(IReadOnlyDictionary<TopicPartition, long> Earliest, IReadOnlyDictionary<TopicPartition, long> Latest)> WatermarksAsync(
        IReadOnlyList<TopicPartition> partitions)
    {
        if (partitions.Count == 0) return (new Dictionary<TopicPartition, long>(), new Dictionary<TopicPartition, long>());
        var chunks = partitions.Chunk(options.PartitionsPerRequest).ToList();
        var earliest = Task.WhenAll(chunks.Select(chunk => ListOffsetsAsync(chunk, OffsetSpec.Earliest())));
        var latest = Task.WhenAll(chunks.Select(chunk => ListOffsetsAsync(chunk, OffsetSpec.Latest())));
        return (Merge(await earliest), Merge(await latest));
    }

    private static Dictionary<TopicPartition, long> Merge(IEnumerable<IReadOnlyDictionary<TopicPartition, long>> parts)
    {
        var merged = new Dictionary<TopicPartition, long>();
        foreach (var part in parts)
        foreach (var (partition, offset) in part)
            merged[partition] = offset;
        return merged;
    }

    private async Task<IReadOnlyDictionary<TopicPartition, long>> ListOffsetsAsync(IReadOnlyList<TopicPartition> partitions, OffsetSpec spec)
    {
        ListOffsetsResult result;
        try
        {
            result = await Admin.ListOffsetsAsync(
                partitions.Select(p => new TopicPartitionOffsetSpec { TopicPartition = p, OffsetSpec = spec }),
                new ListOffsetsOptions { RequestTimeout = options.OperationTimeout });
        }
        catch (ListOffsetsException e)
        {
            var failed = e.Result.ResultInfos.Select(i => i.TopicPartitionOffsetError).FirstOrDefault(t => t.Error.IsError);
            throw new KafkaCheckStepException(failed is null
                ? $"listing offsets failed: {e.Error.Code}."
                : $"listing offsets failed on {attachment.Unprefixed(failed.Topic)} [{failed.Partition.Value}]: {failed.Error.Code}.");
        }
        var offsets = new Dictionary<TopicPartition, long>(partitions.Count);
        foreach (var info in result.ResultInfos)
            offsets[info.TopicPartitionOffsetError.TopicPartition] = info.TopicPartitionOffsetError.Offset.Value;
        var unanswered = partitions.FirstOrDefault(p => !offsets.ContainsKey(p));
        if (unanswered is not null)
            throw new KafkaCheckStepException($"no offset listed for {attachment.Unprefixed(unanswered.Topic)} [{unanswered.Partition.Value}].");
        return offsets;
    }

    /// <summary>
    /// Builds the handles of groups that have none yet, so that their bootstrap and coordinator lookup (librdkafka
    /// starts both as soon as a handle with a group id exists) overlap with the metadata request instead of following it.
    /// </summary>
    public void OpenGroups(IEnumerable<string> groups)
    {
        foreach (var group in groups)
        {
            lock (_opened)
            {
                if (_disposed || _opened.ContainsKey(group)) continue;
            }
            GroupHandle(group);
        }
    }

    /// <summary>The group's handle: kept from an earlier check, opened by <see cref="OpenGroups"/>, or built now.</summary>
    private IConsumer<Ignore, Ignore> GroupHandle(string group)
    {
        lock (_opened)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_opened.TryGetValue(group, out var open)) return open;
        }
        var built = BuildConsumer(group);
        lock (_opened)
        {
            if (!_disposed && _opened.TryAdd(group, built)) return built;
            var other = _disposed ? null : _opened[group];
            _ = KafkaInspector.OnOwnThread(built.Dispose);
            return other ?? throw new ObjectDisposedException(nameof(InspectedCluster));
        }
    }

    /// <inheritdoc cref="CommittedAsync"/>
    public IReadOnlyDictionary<TopicPartition, long> Committed(string group, IReadOnlyList<TopicPartition> partitions) =>
        CommittedAsync(group, partitions).GetAwaiter().GetResult();

    /// <summary>
    /// The group's committed offsets (OffsetFetch) through a consumer handle that carries the group id and never
    /// subscribes, so the group is neither joined nor rebalanced. Negative values mean "no commit".
    /// One handle per group (<see cref="GroupHandle"/>), its requests split like ListOffsets' and sent together, each
    /// blocking call on its own thread.
    /// </summary>
    public async Task<IReadOnlyDictionary<TopicPartition, long>> CommittedAsync(string group, IReadOnlyList<TopicPartition> partitions)
    {
        if (partitions.Count == 0) return new Dictionary<TopicPartition, long>();
        var consumer = GroupHandle(group);
        var chunks = await Task.WhenAll(partitions.Chunk(options.PartitionsPerRequest)
            .Select(chunk => KafkaInspector.OnOwnThread(() => CommittedChunk(consumer, group, chunk))));
        var committed = new Dictionary<TopicPartition, long>(partitions.Count);
        foreach (var chunk in chunks)
        foreach (var c in chunk)
            committed[c.TopicPartition] = c.Offset.Value;
        return committed;
    }

    private List<TopicPartitionOffset> CommittedChunk(IConsumer<Ignore, Ignore> consumer, string group, TopicPartition[] chunk)
    {
        try
        {
            return consumer.Committed(chunk, options.OperationTimeout);
        }
        catch (TopicPartitionOffsetException e)
        {
            var failed = e.Results.FirstOrDefault(r => r.Error.IsError);
            throw new KafkaCheckStepException(failed is null
                ? $"reading committed offsets of group {group} failed: {e.Error.Code}."
                : $"reading committed offsets of group {group} failed on {attachment.Unprefixed(failed.Topic)} [{failed.Partition.Value}]: {failed.Error.Code}.");
        }
    }

    /// <summary>
    /// Assigns every partition at its earliest offset and reads until each has given one record, pausing a partition
    /// once it has. A record deleted meanwhile resets to the new earliest, which is what "oldest retained" means.
    /// </summary>
    public Dictionary<TopicPartition, DateTimeOffset> ReadFirstTimestamps(IReadOnlyDictionary<TopicPartition, long> earliest, CancellationToken ct)
    {
        var found = new Dictionary<TopicPartition, DateTimeOffset>(earliest.Count);
        using var consumer = BuildConsumer(KafkaInspector.ReaderGroup, reader: true);
        consumer.Assign(earliest.Select(e => new TopicPartitionOffset(e.Key, new Offset(e.Value))));
        var deadline = Stopwatch.GetTimestamp() + (long)(options.OperationTimeout.TotalSeconds * Stopwatch.Frequency);
        while (found.Count < earliest.Count && Stopwatch.GetTimestamp() < deadline)
        {
            ct.ThrowIfCancellationRequested();
            var result = consumer.Consume(TimeSpan.FromMilliseconds(100));
            if (result is null || result.IsPartitionEOF || found.ContainsKey(result.TopicPartition)) continue;
            if (result.Message.Timestamp.Type == TimestampType.NotAvailable)
                throw new KafkaCheckStepException(
                    $"the oldest record of {attachment.Unprefixed(result.Topic)} [{result.Partition.Value}] carries no timestamp.");
            found[result.TopicPartition] = new DateTimeOffset(result.Message.Timestamp.UtcDateTime, TimeSpan.Zero);
            consumer.Pause([result.TopicPartition]);
        }
        var unread = earliest.Keys.Where(p => !found.ContainsKey(p)).ToList();
        if (unread.Count > 0)
            throw new KafkaCheckStepException(
                $"no record could be read within {options.OperationTimeout.TotalSeconds:0.#} s from " +
                string.Join(", ", unread.Take(5).Select(p => $"{attachment.Unprefixed(p.Topic)} [{p.Partition.Value}]")) +
                (unread.Count > 5 ? $" and {unread.Count - 5} more partition(s)." : "."));
        return found;
    }

    internal IConsumer<Ignore, Ignore> BuildConsumer(string group, bool reader = false)
    {
        var config = attachment.ConsumerConfig(group);
        config.EnableAutoCommit = false;
        config.EnableAutoOffsetStore = false;
        if (reader)
        {
            // One record per partition is all a reader wants; keep fetches small.
            config.MaxPartitionFetchBytes = 4096;
            config.FetchWaitMaxMs = 50;
            config.QueuedMaxMessagesKbytes = 1024;
            config.EnablePartitionEof = false;
        }
        Quiet(config);
        return new ConsumerBuilder<Ignore, Ignore>(config).SetLogHandler((_, _) => { }).SetErrorHandler((_, _) => { }).Build();
    }

    /// <summary>librdkafka's own logs and error texts name broker hosts (config var values): keep them out.</summary>
    private void Quiet(ClientConfig config)
    {
        config.LogConnectionClose = false;
        config.SocketConnectionSetupTimeoutMs = (int)Math.Max(1000, options.ConnectTimeout.TotalMilliseconds);
    }

    public void Dispose()
    {
        List<IConsumer<Ignore, Ignore>> unused;
        lock (_opened)
        {
            _disposed = true;
            unused = [.. _opened.Values];
            _opened.Clear();
        }
        // Off the caller's path: AdminClient.Dispose waits for Confluent.Kafka's result poll loop (up to 100 ms) and
        // every handle's destroy joins its librdkafka threads; the answer is already in hand.
        foreach (var consumer in unused) _ = KafkaInspector.OnOwnThread(consumer.Dispose);
        if (_admin is { } admin) _ = KafkaInspector.OnOwnThread(admin.Dispose);
    }
}
