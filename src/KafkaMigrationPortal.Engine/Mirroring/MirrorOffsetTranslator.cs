using Confluent.Kafka;
using KafkaMigrationPortal.AppClient;
using KafkaMigrationPortal.Engine.KafkaChecks;

namespace KafkaMigrationPortal.Engine.Mirroring;

/// <summary>A consumer group's committed source offset (the next record it would read) on one partition.</summary>
public sealed record MirrorTranslationRequest(MirrorPartition Partition, long SourceOffset);

/// <param name="ReadFrom">Where on the target the read started (a sync point's record + 1, or the partition start).</param>
public sealed record MirrorTranslation(MirrorPartition Partition, long SourceOffset, long TargetOffset, long ReadFrom);

/// <summary>
/// Translates a source offset C into the target offset of the first copied record whose source offset is at least C
/// (the target's end if none is), by reading the target forward from the greatest sync point below C. Source
/// offsets have gaps (compaction, transaction markers, aborted records), so no arithmetic on offsets is ever exact;
/// the records' <see cref="MirrorCopier.SourceOffsetHeader"/> is. A group whose offset is past what the copier has
/// copied gets the target's end: translate only once the copier has caught up with the group.
/// </summary>
public sealed class MirrorOffsetTranslator(TimeSpan? timeout = null)
{
    private readonly TimeSpan _timeout = timeout ?? TimeSpan.FromSeconds(30);

    public Task<IReadOnlyList<MirrorTranslation>> TranslateAsync(KafkaAttachmentVars target,
        IReadOnlyList<MirrorTranslationRequest> requests, IReadOnlyCollection<OffsetSyncPoint> syncs, CancellationToken ct = default)
    {
        var to = HerokuKafkaAttachment.TryFromConfigVars(target.AttachmentName, target.ConfigVars, out var attachment, out var problem)
            ? attachment
            : throw new KafkaCheckFailedException(KafkaCheckOutcome.Misconfigured, problem);
        return Task.Factory.StartNew(() => Translate(to, requests, syncs, ct), CancellationToken.None,
            TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    private IReadOnlyList<MirrorTranslation> Translate(HerokuKafkaAttachment to, IReadOnlyList<MirrorTranslationRequest> requests,
        IReadOnlyCollection<OffsetSyncPoint> syncs, CancellationToken ct)
    {
        var config = to.ConsumerConfig("kmp-mirror");
        config.EnableAutoCommit = false;
        config.EnableAutoOffsetStore = false;
        config.EnablePartitionEof = true;
        config.AutoOffsetReset = AutoOffsetReset.Earliest;
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(config).SetLogHandler((_, _) => { })
            .SetErrorHandler((_, _) => { }).Build();

        var answers = new MirrorTranslation?[requests.Count];
        var reading = new Dictionary<TopicPartition, List<Reading>>();
        for (var i = 0; i < requests.Count; i++)
        {
            var (partition, c) = requests[i];
            var wire = new TopicPartition(to.Topic(partition.Topic), partition.Partition);
            var marks = consumer.QueryWatermarkOffsets(wire, _timeout);
            var known = syncs.Where(s => s.Partition == partition).ToList();
            var below = known.Where(s => s.SourceOffset < c).MaxBy(s => s.SourceOffset);
            var atOrAbove = known.Where(s => s.SourceOffset >= c).MinBy(s => s.SourceOffset);
            var from = Math.Max(marks.Low.Value, below is null ? 0 : below.TargetOffset + 1);
            // The first record at or above C is no later than a sync point's record at or above C.
            var until = Math.Min(marks.High.Value, atOrAbove?.TargetOffset ?? long.MaxValue);
            if (from >= until)
            {
                answers[i] = new MirrorTranslation(partition, c, until, from);
                continue;
            }
            if (!reading.TryGetValue(wire, out var list)) reading[wire] = list = [];
            list.Add(new Reading(i, c, from, until));
        }

        // One pass per partition from the earliest start its requests need.
        var deadline = DateTime.UtcNow + _timeout;
        if (reading.Count > 0)
            consumer.Assign(reading.Select(r => new TopicPartitionOffset(r.Key, r.Value.Min(x => x.From))));
        var open = reading.Sum(r => r.Value.Count);
        while (open > 0)
        {
            ct.ThrowIfCancellationRequested();
            if (DateTime.UtcNow > deadline)
                throw new KafkaCheckFailedException(KafkaCheckOutcome.Failed, $"Reading the target to translate offsets took longer than {_timeout.TotalSeconds:0} s.");
            var result = consumer.Consume(TimeSpan.FromMilliseconds(100));
            if (result is null || !reading.TryGetValue(result.TopicPartition, out var list)) continue;
            var offset = result.Offset.Value;
            long? copiedFrom = null;
            if (!result.IsPartitionEOF)
            {
                if (!MirrorCopier.TryReadSourceOffset(result.Message.Headers, out var s))
                    throw new KafkaCheckFailedException(KafkaCheckOutcome.Failed,
                        $"A record of {result.TopicPartition.Topic}[{result.TopicPartition.Partition.Value}] on the target carries no {MirrorCopier.SourceOffsetHeader} header.");
                copiedFrom = s;
            }
            foreach (var r in list)
            {
                if (answers[r.Index] is not null || offset < r.From) continue;
                long? answer = offset >= r.Until || result.IsPartitionEOF ? Math.Min(offset, r.Until)
                    : copiedFrom >= r.SourceOffset ? offset : null;
                if (answer is null) continue;
                answers[r.Index] = new MirrorTranslation(requests[r.Index].Partition, r.SourceOffset, answer.Value, r.From);
                open--;
            }
            if (list.All(r => answers[r.Index] is not null))
            {
                reading.Remove(result.TopicPartition);
                consumer.Pause([result.TopicPartition]);
            }
        }
        return [.. answers.Select(a => a!)];
    }

    private sealed record Reading(int Index, long SourceOffset, long From, long Until);
}
