using Confluent.Kafka;
using KafkaMigrationPortal.AppClient;
using KafkaMigrationPortal.Engine.KafkaChecks;

namespace KafkaMigrationPortal.Engine.Mirroring;

/// <summary>Why a position cannot be carried exactly; nothing was committed.</summary>
public sealed class MirrorTranslationRefusedException(string message) : Exception(message);

/// <summary>
/// Translates committed source offsets through a copy MirrorMaker 2 made, once it has copied every record (producers
/// stopped, the drain done). A group at C has m records of the old cluster still to read (counted, read committed,
/// so gaps in the offsets do not count); on the new cluster those are its last m records, so the group goes to
/// end − m. That holds only if the new cluster's record there is the old one's first record at or after C (same key,
/// value and timestamp, which MirrorMaker 2 keeps): records copied twice or left out after C would move it, and then
/// nothing is committed. MirrorMaker 2's own checkpoints are not used: they translate to a sync point at or before
/// the group's offset, so consumers would re-read up to <c>offset.lag.max</c> records.
/// </summary>
public sealed class MirrorMaker2OffsetTranslator(TimeSpan? timeout = null)
{
    private readonly TimeSpan _timeout = timeout ?? TimeSpan.FromMinutes(2);

    public Task<IReadOnlyList<MirrorTranslation>> TranslateAsync(KafkaAttachmentVars source, KafkaAttachmentVars target,
        IReadOnlyList<MirrorTranslationRequest> requests, CancellationToken ct = default)
    {
        var from = MirrorMaker2Watch.Attachment(source);
        var to = MirrorMaker2Watch.Attachment(target);
        return Task.Factory.StartNew(() => Translate(from, to, requests, ct), CancellationToken.None,
            TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    private IReadOnlyList<MirrorTranslation> Translate(HerokuKafkaAttachment from, HerokuKafkaAttachment to,
        IReadOnlyList<MirrorTranslationRequest> requests, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + _timeout;
        using var sourceReader = MirrorMaker2Watch.Reader(from, IsolationLevel.ReadCommitted);
        using var targetReader = MirrorMaker2Watch.Reader(to, IsolationLevel.ReadUncommitted);
        var answers = new List<MirrorTranslation>(requests.Count);
        foreach (var partition in requests.Select(r => r.Partition).Distinct())
        {
            var asked = requests.Where(r => r.Partition == partition).Select(r => r.SourceOffset).Distinct().Order().ToList();
            var sourceWire = new TopicPartition(from.Topic(partition.Topic), partition.Partition);
            var targetWire = new TopicPartition(to.Topic(partition.Topic), partition.Partition);
            var sourceMarks = sourceReader.QueryWatermarkOffsets(sourceWire, _timeout);
            var targetEnd = targetReader.QueryWatermarkOffsets(targetWire, _timeout).High.Value;

            // One pass from the smallest position: the records from each position on, and the first of them.
            var first = new Dictionary<long, Message<byte[], byte[]>?>();
            var countFrom = new Dictionary<long, long>();
            long seen = 0;
            var start = Math.Max(asked[0], sourceMarks.Low.Value);
            var waiting = new Queue<long>(asked);
            if (start < sourceMarks.High.Value)
            {
                sourceReader.Assign(new TopicPartitionOffset(sourceWire, start));
                while (true)
                {
                    var result = Next(sourceReader, deadline, ct);
                    if (result.IsPartitionEOF) break;
                    while (waiting.Count > 0 && waiting.Peek() <= result.Offset.Value)
                    {
                        var c = waiting.Dequeue();
                        first[c] = result.Message;
                        countFrom[c] = seen;
                    }
                    seen++;
                    if (result.Offset.Value + 1 >= sourceMarks.High.Value) break;
                }
                sourceReader.Unassign();
            }
            foreach (var c in asked)
            {
                var left = countFrom.TryGetValue(c, out var before) ? seen - before : 0;
                var translated = targetEnd - left;
                if (translated < 0)
                    throw new MirrorTranslationRefusedException(
                        $"{partition}: the old add-on holds {left} record(s) from offset {c} on, the new add-on only {targetEnd}: MirrorMaker 2 has not copied them.");
                if (left > 0 && first.GetValueOrDefault(c) is { } expected)
                {
                    var copy = ReadAt(targetReader, targetWire, translated, deadline, ct);
                    if (copy is null || !Same(expected, copy))
                        throw new MirrorTranslationRefusedException(
                            $"{partition}: the new add-on's record at {translated} is not the old add-on's first record from offset {c} on, so MirrorMaker 2 copied records after it twice or left some out; the position cannot be carried exactly.");
                }
                answers.Add(new MirrorTranslation(partition, c, translated, translated));
            }
        }
        return [.. requests.Select(r => answers.First(a => a.Partition == r.Partition && a.SourceOffset == r.SourceOffset))];
    }

    private static Message<byte[], byte[]>? ReadAt(IConsumer<byte[], byte[]> reader, TopicPartition wire, long offset, DateTime deadline, CancellationToken ct)
    {
        reader.Assign(new TopicPartitionOffset(wire, offset));
        try
        {
            var result = Next(reader, deadline, ct);
            return result.IsPartitionEOF || result.Offset.Value != offset ? null : result.Message;
        }
        finally
        {
            reader.Unassign();
        }
    }

    private static ConsumeResult<byte[], byte[]> Next(IConsumer<byte[], byte[]> reader, DateTime deadline, CancellationToken ct)
    {
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            if (DateTime.UtcNow > deadline)
                throw new KafkaCheckFailedException(KafkaCheckOutcome.Failed, "Reading the records to translate the consumer groups' positions took too long.");
            if (reader.Consume(TimeSpan.FromMilliseconds(100)) is { } result) return result;
        }
    }

    private static bool Same(Message<byte[], byte[]> a, Message<byte[], byte[]> b) =>
        a.Timestamp.UnixTimestampMs == b.Timestamp.UnixTimestampMs
        && (a.Key ?? []).AsSpan().SequenceEqual(b.Key ?? []) && (a.Value ?? []).AsSpan().SequenceEqual(b.Value ?? []);
}
