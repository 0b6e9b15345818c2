using System.Diagnostics;
using Confluent.Kafka;
using KafkaMigrationPortal.AppClient;

namespace KafkaMigrationPortal.Engine.KafkaChecks;

/// <summary>
/// Commits, for consumer groups about to move from <paramref name="old"/> to <paramref name="target"/>, the offset of the
/// first record each group has not consumed, so that the switch neither replays nor skips. Blocking: run it on its own
/// thread. Both copies of a double-written message share partition key, message id (header) and timestamp, which is
/// what the exact match relies on; where partitioning differs, a time-based position less a clock-skew margin is used.
/// </summary>
internal sealed class PositionCarrier(InspectedCluster old, InspectedCluster target, KafkaChecksOptions options) : IDisposable
{
    private readonly Lazy<RecordReader> oldReader = new(() => new RecordReader(old, options));
    private readonly Lazy<RecordReader> newReader = new(() => new RecordReader(target, options));

    public ConsumerPositionsReport Carry(IReadOnlyCollection<string> groups, IReadOnlyCollection<string> topics, TimeSpan skew, CancellationToken ct)
    {
        var positions = new List<CarriedPosition>();
        var oldPartitions = old.Partitions(topics);
        var newPartitions = target.Partitions(topics);
        var (oldLow, oldHigh) = old.WatermarksAsync(oldPartitions.Wire).GetAwaiter().GetResult();
        var (newLow, newHigh) = target.WatermarksAsync(newPartitions.Wire).GetAwaiter().GetResult();
        foreach (var group in groups.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            var oldCommitted = old.Committed(group, oldPartitions.Wire);
            var newCommitted = target.Committed(group, newPartitions.Wire);
            var toCommit = new List<TopicPartitionOffset>();
            foreach (var topic in topics.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
            {
                ct.ThrowIfCancellationRequested();
                var oldOfTopic = oldPartitions.Pairs.Where(p => p.Topic == topic).Select(p => p.Wire).ToList();
                var newOfTopic = newPartitions.Pairs.Where(p => p.Topic == topic).Select(p => p.Wire).ToList();
                var consumed = oldOfTopic.ToDictionary(p => p.Partition.Value, p => ConsumedUpTo(p, oldCommitted[p], oldLow[p], oldHigh[p], ct));
                var noCommitAnywhere = consumed.Values.All(c => c.Kind == ConsumedKind.NoCommit);
                var known = consumed.Values.Where(c => c.Kind != ConsumedKind.NothingLeft).ToList();
                DateTimeOffset? oldestConsumedUpTo = known.Count > 0 && known.All(c => c.Kind == ConsumedKind.Record) ? known.Min(c => c.Last!.Timestamp) : null;
                var samePartitioning = oldOfTopic.Count == newOfTopic.Count;
                foreach (var partition in newOfTopic)
                {
                    var number = partition.Partition.Value;
                    var position = Position(group, topic, partition, samePartitioning ? consumed.GetValueOrDefault(number) : null,
                        noCommitAnywhere, oldestConsumedUpTo, skew, newLow[partition], newHigh[partition],
                        old.Attachment.Topic(topic), ct);
                    var already = newCommitted[partition];
                    // An earliest start (no offset) is behind any commit.
                    if (already >= 0 && already >= (position.Offset ?? 0))
                        position = position with { Offset = already, Method = PositionMethod.AlreadyAhead, Detail = $"committed {already} already" };
                    else if (position.Offset is { } carried)
                        toCommit.Add(new TopicPartitionOffset(partition, new Offset(carried)));
                    positions.Add(position);
                }
            }
            if (toCommit.Count > 0) Commit(group, toCommit);
        }
        return new ConsumerPositionsReport(skew, positions);
    }

    private CarriedPosition Position(string group, string topic, TopicPartition partition, Consumed? samePartitionOnOld, bool noCommitAnywhere,
        DateTimeOffset? oldestConsumedUpTo, TimeSpan skew, long low, long high, string oldWireTopic, CancellationToken ct)
    {
        var number = partition.Partition.Value;
        if (noCommitAnywhere)
            return new(group, topic, number, null, PositionMethod.LeftAtEarliest, "no commit on the old add-on: starts at the earliest record");

        string? notExact = null;
        if (samePartitionOnOld is { Kind: ConsumedKind.Record, Last: { MessageId: not null } last } consumedThere)
        {
            var (exact, lookUp, why) = ExactAfter(last, ConsumedIds(consumedThere, new TopicPartition(oldWireTopic, number), skew, ct),
                partition, skew, low, high, ct);
            if (exact is { } offset) return new(group, topic, number, offset, PositionMethod.Exact, why ?? "", lookUp);
            notExact = why;
        }

        if (oldestConsumedUpTo is { } upTo)
        {
            var (offset, lookUp) = FirstAtOrAfter(newReader.Value, partition, upTo - skew, low, high, ct);
            return new(group, topic, number, offset, PositionMethod.Conservative,
                $"{(notExact is null ? "" : notExact + "; ")}from {upTo:O} less {skew.TotalSeconds:0.#} s", lookUp);
        }
        return new(group, topic, number, null, PositionMethod.LeftAtEarliest,
            "some partition has no position the old add-on still retains: starts at the earliest record");
    }

    /// <summary>
    /// The offset after the copy of <paramref name="last"/> on the same partition of the new cluster, moved back to any
    /// record before it that the group has not consumed on the old one (two producers' writes may interleave differently
    /// on the two clusters).
    /// </summary>
    private (long? Offset, string? LookUp, string? Why) ExactAfter(ConsumedRecord last, IReadOnlySet<string> consumedIds, TopicPartition partition,
        TimeSpan skew, long low, long high, CancellationToken ct)
    {
        var (start, lookUp) = FirstAtOrAfter(newReader.Value, partition, last.Timestamp - skew, low, high, ct);
        long? firstUnconsumed = null;
        foreach (var record in newReader.Value.From(partition, start, high, ct))
        {
            if (record.Timestamp > last.Timestamp + skew) break;
            if (record.MessageId == last.MessageId)
            {
                var after = record.Offset + 1;
                return firstUnconsumed is { } earlier && earlier < after
                    ? (earlier, lookUp, $"moved back to {earlier}: a record the group had not read comes before the copy")
                    : (after, lookUp, null);
            }
            if (firstUnconsumed is null && record.MessageId is { } id && !consumedIds.Contains(id)) firstUnconsumed = record.Offset;
        }
        return (null, lookUp, "its last consumed record was not found on the same partition of the new add-on");
    }

    /// <summary>The first offset whose record is at or after <paramref name="at"/>: the broker's timestamp look-up where the
    /// records confirm its answer, else a binary search reading records (librdkafka's mock cluster answers "end").</summary>
    private (long Offset, string LookUp) FirstAtOrAfter(RecordReader reader, TopicPartition partition, DateTimeOffset at, long low, long high, CancellationToken ct)
    {
        if (low >= high) return (low, "empty partition");
        var answered = reader.OffsetForTime(partition, at);
        if (answered is { } offset && offset >= low && offset <= high
            && (offset == low || reader.At(partition, offset - 1, ct).Timestamp < at)
            && (offset == high || reader.At(partition, offset, ct).Timestamp >= at))
            return (offset, "timestamp look-up");

        var (from, to) = (low, high);
        while (from < to)
        {
            var middle = from + (to - from) / 2;
            var record = reader.At(partition, middle, ct);
            // The record read may lie past `middle` (one before it gone): everything up to it is earlier than `at`.
            if (record.Timestamp < at) from = Math.Min(record.Offset + 1, to);
            else to = middle;
        }
        return (from, "binary search");
    }

    /// <summary>Ids the group read on the old partition from a skew window before its last record up to it.</summary>
    private HashSet<string> ConsumedIds(Consumed consumed, TopicPartition partition, TimeSpan skew, CancellationToken ct)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var (start, _) = FirstAtOrAfter(oldReader.Value, partition, consumed.Last!.Timestamp - skew - skew, consumed.Low, consumed.Committed, ct);
        foreach (var record in oldReader.Value.From(partition, start, consumed.Committed, ct))
            if (record.MessageId is { } id) ids.Add(id);
        return ids;
    }

    private Consumed ConsumedUpTo(TopicPartition partition, long committed, long low, long high, CancellationToken ct)
    {
        if (committed < 0) return low == high ? Consumed.NothingLeftToRead : Consumed.NoCommit;
        if (committed >= high && low == high) return Consumed.NothingLeftToRead;
        if (committed <= low) return Consumed.NotRetained;
        return Consumed.UpTo(oldReader.Value.At(partition, committed - 1, ct), committed, low);
    }

    private void Commit(string group, IReadOnlyList<TopicPartitionOffset> offsets)
    {
        using var consumer = target.BuildConsumer(group);
        try
        {
            consumer.Commit(offsets);
        }
        catch (TopicPartitionOffsetException e)
        {
            var failed = e.Results.FirstOrDefault(r => r.Error.IsError);
            throw new KafkaCheckStepException(failed is null
                ? $"committing the positions of group {group} failed: {e.Error.Code}."
                : $"committing the positions of group {group} failed on {target.Attachment.Unprefixed(failed.Topic)} [{failed.Partition.Value}]: {failed.Error.Code}.");
        }
    }

    public void Dispose()
    {
        if (oldReader.IsValueCreated) oldReader.Value.Dispose();
        if (newReader.IsValueCreated) newReader.Value.Dispose();
    }

    private enum ConsumedKind { Record, NoCommit, NotRetained, NothingLeft }

    private sealed record Consumed(ConsumedKind Kind, ConsumedRecord? Last = null, long Committed = -1, long Low = 0)
    {
        public static readonly Consumed NoCommit = new(ConsumedKind.NoCommit);
        public static readonly Consumed NotRetained = new(ConsumedKind.NotRetained);
        public static readonly Consumed NothingLeftToRead = new(ConsumedKind.NothingLeft);

        public static Consumed UpTo(ConsumedRecord last, long committed, long low) => new(ConsumedKind.Record, last, committed, low);
    }
}

internal sealed record ConsumedRecord(long Offset, DateTimeOffset Timestamp, string? MessageId);

/// <summary>Reads single records and runs of records from a cluster, never joining or committing.</summary>
internal sealed class RecordReader(InspectedCluster cluster, KafkaChecksOptions options) : IDisposable
{
    private readonly IConsumer<Ignore, Ignore> consumer = cluster.BuildConsumer(KafkaInspector.ReaderGroup, reader: true);

    public long? OffsetForTime(TopicPartition partition, DateTimeOffset at)
    {
        try
        {
            var answer = consumer.OffsetsForTimes([new TopicPartitionTimestamp(partition, new Timestamp(at))], options.OperationTimeout).Single();
            return answer.Offset.IsSpecial ? null : answer.Offset.Value;
        }
        catch (KafkaException)
        {
            return null;
        }
    }

    /// <summary>The record at <paramref name="offset"/>, or the next one if that one is gone.</summary>
    public ConsumedRecord At(TopicPartition partition, long offset, CancellationToken ct) =>
        From(partition, offset, long.MaxValue, ct).FirstOrDefault()
        ?? throw new KafkaCheckStepException($"no record could be read at {cluster.Attachment.Unprefixed(partition.Topic)} [{partition.Partition.Value}] offset {offset}.");

    /// <summary>Records from <paramref name="from"/> up to (not including) <paramref name="until"/>, in order.</summary>
    public IEnumerable<ConsumedRecord> From(TopicPartition partition, long from, long until, CancellationToken ct)
    {
        if (from >= until) yield break;
        consumer.Assign(new TopicPartitionOffset(partition, new Offset(from)));
        var deadline = Stopwatch.GetTimestamp() + (long)(options.OperationTimeout.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            ct.ThrowIfCancellationRequested();
            var result = consumer.Consume(TimeSpan.FromMilliseconds(100));
            if (result?.Message is null || !result.TopicPartition.Equals(partition)) continue;
            if (result.Offset.Value >= until) yield break;
            yield return new ConsumedRecord(result.Offset.Value, new DateTimeOffset(result.Message.Timestamp.UtcDateTime, TimeSpan.Zero),
                MessageIds.Read(result.Message.Headers));
            if (result.Offset.Value + 1 >= until) yield break;
            deadline = Stopwatch.GetTimestamp() + (long)(options.OperationTimeout.TotalSeconds * Stopwatch.Frequency);
        }
        throw new KafkaCheckStepException(
            $"no record could be read within {options.OperationTimeout.TotalSeconds:0.#} s from {cluster.Attachment.Unprefixed(partition.Topic)} [{partition.Partition.Value}] at offset {from}.");
    }

    public void Dispose() => consumer.Dispose();
}
