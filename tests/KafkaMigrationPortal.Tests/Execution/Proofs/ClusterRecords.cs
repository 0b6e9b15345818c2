using System.Text;
using Confluent.Kafka;
using KafkaMigrationPortal.AppClient;
using KafkaMigrationPortal.Engine.Mirroring;
using KafkaMigrationPortal.Engine.Planning;
using KafkaMigrationPortal.Heroku.Platform;

namespace KafkaMigrationPortal.Tests.Execution.Proofs;

/// <summary>A record as read: its offset, what it carries (key, value, headers but the mirror's, timestamp), the source offset if it is a copy.</summary>
public sealed record ClusterRecord(long Offset, string Content, long? SourceOffset);

/// <summary>
/// Whole clusters read record by record from the test, through an app's config vars as the app reaches them (so it works
/// whether the sandbox runs in this process or in its own), and a mirror's copies compared with their sources.
/// </summary>
public static class ClusterRecords
{
    /// <summary>Every record of every partition of the add-on's topics, keyed "topic[partition]" without any prefix.</summary>
    public static async Task<Dictionary<string, List<ClusterRecord>>> ReadAllAsync(IHerokuPlatformApi platform, string app, Guid addonId)
    {
        var kafka = await AttachmentAsync(platform, app, addonId);
        return await Task.Run(() => ReadAll(kafka));
    }

    /// <summary>The end offset (high watermark) of every partition of the add-on's topics, keyed as <see cref="ReadAllAsync"/> keys them.</summary>
    public static async Task<Dictionary<string, long>> EndOffsetsAsync(IHerokuPlatformApi platform, string app, Guid addonId)
    {
        var kafka = await AttachmentAsync(platform, app, addonId);
        return await Task.Run(() =>
        {
            using var consumer = new ConsumerBuilder<Ignore, Ignore>(kafka.ConsumerConfig("kmp-test-cluster-reader")).Build();
            return Partitions(kafka).ToDictionary(p => Key(kafka, p), p => consumer.QueryWatermarkOffsets(p, TimeSpan.FromSeconds(10)).High.Value,
                StringComparer.Ordinal);
        });
    }

    /// <summary>How the test reaches the add-on's cluster: through whichever name it is attached under now.</summary>
    private static async Task<HerokuKafkaAttachment> AttachmentAsync(IHerokuPlatformApi platform, string app, Guid addonId)
    {
        var attachments = await platform.ListAttachmentsAsync(app);
        var name = AttachmentNames.ToInspect(AttachmentNames.Primary, attachments, addonId)
                   ?? throw new InvalidOperationException($"Add-on {addonId} is not attached to {app}.");
        return HerokuKafkaAttachment.FromConfigVars(name, await platform.GetConfigVarsAsync(app));
    }

    /// <summary>Every partition of the attachment's own topics (its prefix, no internal topic).</summary>
    private static List<TopicPartition> Partitions(HerokuKafkaAttachment kafka)
    {
        using var admin = new AdminClientBuilder(kafka.AdminClientConfig()).Build();
        return admin.GetMetadata(TimeSpan.FromSeconds(10)).Topics
            .Where(t => t.Topic.StartsWith(kafka.Prefix, StringComparison.Ordinal) && !kafka.Unprefixed(t.Topic).StartsWith("__", StringComparison.Ordinal)
                        && t.Partitions.Count > 0)
            .SelectMany(t => t.Partitions.Select(p => new TopicPartition(t.Topic, p.PartitionId))).ToList();
    }

    private static string Key(HerokuKafkaAttachment kafka, TopicPartition partition) => $"{kafka.Unprefixed(partition.Topic)}[{partition.Partition.Value}]";

    /// <summary>
    /// Every record of every old partition is on the same partition of the new one, in the same order, with its key,
    /// value, headers and timestamp, and its copy carries its source offset: every offset of the old partition from 0 on,
    /// once each (no gap, no repeat). After the copies come only records the app wrote itself. The old cluster must still
    /// hold every record it ever had (a retention longer than the run).
    /// </summary>
    public static void AssertEveryOldPartitionCopiedInOrder(Dictionary<string, List<ClusterRecord>> oldCluster, Dictionary<string, List<ClusterRecord>> newCluster)
    {
        Assert.NotEmpty(oldCluster);
        foreach (var (partition, old) in oldCluster)
        {
            Assert.True(old.Select(r => r.Offset).SequenceEqual(Enumerable.Range(0, old.Count).Select(o => (long)o)),
                $"{partition} on the old cluster does not hold every offset from 0 on");
            Assert.True(newCluster.TryGetValue(partition, out var there), $"{partition} is not on the new cluster");
            var copies = there.TakeWhile(r => r.SourceOffset is not null).ToList();
            Assert.Equal(old.Select(r => r.Offset), copies.Select(r => r.SourceOffset!.Value));
            Assert.Equal(old.Select(r => r.Content), copies.Select(r => r.Content));
            Assert.All(there.Skip(copies.Count), r => Assert.Null(r.SourceOffset));
        }
    }

    /// <summary>
    /// For a copy that marks nothing (MirrorMaker 2's): every old partition's records, from offset 0 on with no gap, are
    /// the first records of the same new partition, in the same order, key, value, headers and timestamp, none twice.
    /// </summary>
    public static void AssertEveryOldPartitionCopiedInOrderByContent(Dictionary<string, List<ClusterRecord>> oldCluster, Dictionary<string, List<ClusterRecord>> newCluster)
    {
        Assert.NotEmpty(oldCluster);
        foreach (var (partition, old) in oldCluster)
        {
            Assert.True(old.Select(r => r.Offset).SequenceEqual(Enumerable.Range(0, old.Count).Select(o => (long)o)),
                $"{partition} on the old cluster does not hold every offset from 0 on");
            Assert.True(newCluster.TryGetValue(partition, out var there), $"{partition} is not on the new cluster");
            Assert.Equal(old.Select(r => r.Content), there.Take(old.Count).Select(r => r.Content));
            Assert.All(there, r => Assert.Null(r.SourceOffset));
            // The app's own writes after the cutover are new messages: none is a second copy of an old record.
            Assert.Empty(there.Skip(old.Count).Select(r => r.Content).Intersect(old.Select(r => r.Content)));
        }
    }

    private static Dictionary<string, List<ClusterRecord>> ReadAll(HerokuKafkaAttachment kafka)
    {
        var config = kafka.ConsumerConfig("kmp-test-cluster-reader");
        config.EnableAutoCommit = false;
        config.EnablePartitionEof = true;
        using var consumer = new ConsumerBuilder<byte[], byte[]>(config).Build();
        var partitions = Partitions(kafka);
        var all = new Dictionary<string, List<ClusterRecord>>(StringComparer.Ordinal);
        foreach (var partition in partitions)
        {
            var records = new List<ClusterRecord>();
            var marks = consumer.QueryWatermarkOffsets(partition, TimeSpan.FromSeconds(10));
            if (marks.High.Value > marks.Low.Value)
            {
                consumer.Assign(new TopicPartitionOffset(partition, marks.Low));
                var until = DateTime.UtcNow.AddSeconds(30);
                while (records.Count == 0 || records[^1].Offset + 1 < marks.High.Value)
                {
                    Assert.True(DateTime.UtcNow < until, $"reading {partition} took too long");
                    var result = consumer.Consume(TimeSpan.FromMilliseconds(200));
                    if (result?.Message is not { } m) continue;
                    long? source = MirrorCopier.TryReadSourceOffset(m.Headers, out var s) ? s : null;
                    var own = (m.Headers ?? []).Where(h => h.Key != MirrorCopier.SourceOffsetHeader)
                        .Select(h => $"{h.Key}={Encoding.UTF8.GetString(h.GetValueBytes())}");
                    records.Add(new ClusterRecord(result.Offset.Value,
                        $"{Text(m.Key)}|{Text(m.Value)}|{string.Join(";", own)}|{m.Timestamp.UnixTimestampMs}", source));
                }
            }
            all[Key(kafka, partition)] = records;
        }
        return all;
    }

    private static string Text(byte[]? bytes) => bytes is null ? "(null)" : Convert.ToBase64String(bytes);
}
