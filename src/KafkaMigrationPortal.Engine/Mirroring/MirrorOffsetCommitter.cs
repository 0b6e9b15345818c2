using Confluent.Kafka;
using KafkaMigrationPortal.AppClient;
using KafkaMigrationPortal.Engine.KafkaChecks;

namespace KafkaMigrationPortal.Engine.Mirroring;

/// <summary>A group's offset to commit on the new cluster (topic unprefixed, group as the app names it).</summary>
public sealed record MirrorGroupOffset(string Group, MirrorPartition Partition, long Offset);

/// <summary>Commits consumer-group offsets on a cluster without joining the group (a commit with no generation).</summary>
public static class MirrorOffsetCommitter
{
    public static Task CommitAsync(KafkaAttachmentVars target, IReadOnlyList<MirrorGroupOffset> offsets, CancellationToken ct) =>
        Task.Factory.StartNew(() => Commit(target, offsets, ct), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private static void Commit(KafkaAttachmentVars target, IReadOnlyList<MirrorGroupOffset> offsets, CancellationToken ct)
    {
        var to = HerokuKafkaAttachment.TryFromConfigVars(target.AttachmentName, target.ConfigVars, out var attachment, out var problem)
            ? attachment
            : throw new KafkaCheckFailedException(KafkaCheckOutcome.Misconfigured, problem);
        foreach (var group in offsets.GroupBy(o => o.Group, StringComparer.Ordinal))
        {
            ct.ThrowIfCancellationRequested();
            var config = to.ConsumerConfig(group.Key);
            config.EnableAutoCommit = false;
            using var consumer = new ConsumerBuilder<Ignore, Ignore>(config).SetLogHandler((_, _) => { }).SetErrorHandler((_, _) => { }).Build();
            try
            {
                consumer.Commit(group.Select(o => new TopicPartitionOffset(to.Topic(o.Partition.Topic), o.Partition.Partition, o.Offset)));
            }
            catch (TopicPartitionOffsetException e)
            {
                throw new KafkaCheckFailedException(KafkaCheckOutcome.Failed, $"Committing the offsets of group {group.Key} failed ({e.Error.Code}).");
            }
            catch (KafkaException e)
            {
                throw new KafkaCheckFailedException(KafkaCheckOutcome.Failed, $"Committing the offsets of group {group.Key} failed ({e.Error.Code}).");
            }
        }
    }
}
