using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Confluent.Kafka;
using KafkaMigrationPortal.AppClient;
using KafkaMigrationPortal.Engine.KafkaChecks;

namespace KafkaMigrationPortal.Engine.Mirroring;

/// <summary>A partition to mirror; the topic is unprefixed, as the app names it.</summary>
public sealed record MirrorPartition(string Topic, int Partition)
{
    public override string ToString() => $"{Topic}[{Partition}]";
}

/// <param name="NextSourceOffset">The source offset after the last record copied and acknowledged by the target.</param>
/// <param name="SourceHighWatermark">The source's end offset, when the consumer knows it.</param>
/// <param name="RecordsCopied">Acknowledged records, since this copier started.</param>
public sealed record MirrorProgress(MirrorPartition Partition, long NextSourceOffset, long? SourceHighWatermark,
    long RecordsCopied, long BytesCopied, bool Idle);

/// <summary>The source record at <paramref name="SourceOffset"/> is the target's record at <paramref name="TargetOffset"/>.</summary>
public sealed record OffsetSyncPoint(MirrorPartition Partition, long SourceOffset, long TargetOffset);

/// <summary>What a copier tells its owner. Called on the copier's own thread: keep it quick, never block.</summary>
public interface IMirrorObserver
{
    void OnProgress(MirrorProgress progress) { }

    void OnSyncPoint(OffsetSyncPoint sync) { }

    /// <summary>A session ended on an error and restarts from the target tails; the message names no broker host.</summary>
    void OnProblem(string message) { }
}

public sealed record MirrorCopierOptions
{
    /// <summary>A sync point every this many acknowledged records of a partition.</summary>
    public int SyncEvery { get; init; } = 1000;

    /// <summary>The target plan's produce quota; null for none (dedicated plans).</summary>
    public ProduceQuota? Quota { get; init; }

    public TimeSpan OperationTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a failed session waits before reading the target tails again.</summary>
    public TimeSpan RestartDelay { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    public TimeProvider Time { get; init; } = TimeProvider.System;
}

/// <summary>
/// Copies partitions of the old cluster to the same partitions of the new one until cancelled, every record with
/// its key, value, headers and timestamp, plus <see cref="SourceOffsetHeader"/>. The target is the copier's
/// bookmark: each session starts after the source offset of each target partition's last record, so neither a crash
/// nor a restart loses or repeats a record. The target partitions must be written by this copier only.
/// </summary>
public sealed class MirrorCopier(KafkaAttachmentVars source, KafkaAttachmentVars target,
    IReadOnlyList<MirrorPartition> partitions, IMirrorObserver? observer = null, MirrorCopierOptions? options = null)
{
    public const string SourceOffsetHeader = "kmp-source-offset";

    private readonly MirrorCopierOptions _options = options ?? new MirrorCopierOptions();
    private readonly IMirrorObserver _observer = observer ?? new NoObserver();
    private readonly PartitionState[] _states = [.. partitions.Distinct().Select(p => new PartitionState(p))];

    /// <summary>Copies until <paramref name="ct"/> is cancelled; then flushes what it has produced and returns.</summary>
    public Task RunAsync(CancellationToken ct)
    {
        var from = Attachment(source);
        var to = Attachment(target);
        return Task.Factory.StartNew(() => Run(from, to, ct), CancellationToken.None, TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
    }

    private static HerokuKafkaAttachment Attachment(KafkaAttachmentVars vars) =>
        HerokuKafkaAttachment.TryFromConfigVars(vars.AttachmentName, vars.ConfigVars, out var attachment, out var problem)
            ? attachment
            : throw new KafkaCheckFailedException(KafkaCheckOutcome.Misconfigured, problem);

    private void Run(HerokuKafkaAttachment from, HerokuKafkaAttachment to, CancellationToken ct)
    {
        if (_states.Length == 0) return;
        while (!ct.IsCancellationRequested)
        {
            string? problem;
            try
            {
                problem = RunSession(from, to, ct);
            }
            catch (KafkaException e)
            {
                problem = $"Mirror session failed ({e.Error.Code}).";
            }
            catch (MirrorException e)
            {
                problem = e.Message;
            }
            if (problem is null) return;
            _observer.OnProblem(problem + " Restarting from the target's last copied records.");
            try
            {
                Task.Delay(_options.RestartDelay, _options.Time, ct).GetAwaiter().GetResult();
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <returns>Null when cancelled; otherwise why the session ended.</returns>
    private string? RunSession(HerokuKafkaAttachment from, HerokuKafkaAttachment to, CancellationToken ct)
    {
        var resume = ReadTargetTails(to, ct);
        if (resume is null) return null;

        var consumerConfig = from.ConsumerConfig("kmp-mirror");
        consumerConfig.EnableAutoCommit = false;
        consumerConfig.EnableAutoOffsetStore = false;
        consumerConfig.EnablePartitionEof = true;
        consumerConfig.AutoOffsetReset = AutoOffsetReset.Earliest;
        using var consumer = new ConsumerBuilder<byte[], byte[]>(consumerConfig).SetLogHandler((_, _) => { })
            .SetErrorHandler((_, _) => { }).Build();

        var assignment = new List<TopicPartitionOffset>();
        var byWire = new Dictionary<TopicPartition, int>();
        for (var i = 0; i < _states.Length; i++)
        {
            var state = _states[i];
            var wire = new TopicPartition(from.Topic(state.Partition.Topic), state.Partition.Partition);
            byWire[wire] = i;
            var low = consumer.QueryWatermarkOffsets(wire, _options.OperationTimeout).Low.Value;
            var next = resume[i] ?? low;
            if (next < low)
            {
                // Not a crash's doing: the source deleted them (retention) while no copier ran. Say so, carry on.
                _observer.OnProblem($"{low - next} offset(s) of {state.Partition} from {next} on left the source before " +
                    "they were copied (retention); copying resumes at its oldest record.");
                next = low;
            }
            state.StartSession(next);
            assignment.Add(new TopicPartitionOffset(wire, next));
        }

        var producerConfig = to.ProducerConfig();
        producerConfig.EnableIdempotence = true;
        producerConfig.Acks = Acks.All;
        var failure = new SessionFailure();
        var acks = new ConcurrentQueue<Ack>();
        var producer = new ProducerBuilder<byte[], byte[]>(producerConfig).SetLogHandler((_, _) => { })
            .SetErrorHandler((_, e) =>
            {
                if (e.IsFatal) failure.Set($"The target producer failed fatally ({e.Code}).");
            }).Build();
        try
        {
            consumer.Assign(assignment);
            var targetWire = _states.Select(s => new TopicPartition(to.Topic(s.Partition.Topic), s.Partition.Partition)).ToArray();
            var sinceReport = 0;
            while (!ct.IsCancellationRequested && failure.Message is null)
            {
                var result = consumer.Consume(_options.PollInterval);
                if (result is null)
                {
                    Drain(acks, failure);
                    Report(consumer, assignment);
                    continue;
                }
                var index = byWire[result.TopicPartition];
                var state = _states[index];
                if (result.IsPartitionEOF)
                {
                    state.ReachedEnd(result.Offset.Value);
                    Drain(acks, failure);
                    continue;
                }

                var message = result.Message;
                var headers = new Headers();
                if (message.Headers is { } sourceHeaders)
                    foreach (var header in sourceHeaders)
                        headers.Add(header.Key, header.GetValueBytes());
                var sourceOffset = result.Offset.Value;
                headers.Add(SourceOffsetHeader, Encoding.ASCII.GetBytes(sourceOffset.ToString(CultureInfo.InvariantCulture)));
                var copy = new Message<byte[], byte[]>
                {
                    Key = message.Key,
                    Value = message.Value,
                    Headers = headers,
                    Timestamp = message.Timestamp.Type == TimestampType.NotAvailable
                        ? Timestamp.Default
                        : new Timestamp(message.Timestamp.UnixTimestampMs, TimestampType.CreateTime),
                };
                var bytes = (long)(message.Key?.Length ?? 0) + (message.Value?.Length ?? 0)
                    + headers.Sum(h => h.Key.Length + (h.GetValueBytes()?.Length ?? 0));
                try
                {
                    _options.Quota?.Take(bytes, ct);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
                state.Produced(sourceOffset);
                Produce(producer, targetWire[index], copy, e => acks.Enqueue(new Ack(index, sourceOffset, e.Offset.Value, bytes, e.Error)));
                if (++sinceReport >= 500)
                {
                    sinceReport = 0;
                    Drain(acks, failure);
                    Report(consumer, assignment);
                }
            }

            producer.Flush(_options.OperationTimeout);
            Drain(acks, failure);
            foreach (var state in _states)
                if (state.LastAcked is { } last && state.LastSync != last.Source)
                    Sync(state, last.Source, last.Target);
            Report(consumer, assignment, force: true);
            return failure.Message;
        }
        finally
        {
            // Disposing waits for nothing in flight: a failed session flushed above, so a next session's tail read
            // sees every record this producer will ever write (whatever is still queued is dropped, not written).
            producer.Dispose();
            consumer.Close();
        }
    }

    private void Produce(IProducer<byte[], byte[]> producer, TopicPartition wire, Message<byte[], byte[]> copy,
        Action<DeliveryReport<byte[], byte[]>> delivered)
    {
        while (true)
        {
            try
            {
                producer.Produce(wire, copy, delivered);
                return;
            }
            catch (ProduceException<byte[], byte[]> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
            {
                producer.Flush(_options.PollInterval);
            }
        }
    }

    private void Drain(ConcurrentQueue<Ack> acks, SessionFailure failure)
    {
        while (acks.TryDequeue(out var ack))
        {
            var state = _states[ack.Index];
            if (ack.Error.IsError)
            {
                // Later records of the partition may follow on the target only if this one did: restarting from the
                // target tail is the one safe answer to any failed delivery.
                failure.Set($"A record to {state.Partition} was not delivered ({ack.Error.Code}).");
                state.Failed();
                continue;
            }
            if (state.HasFailed) continue;
            state.Acked(ack.Source, ack.Target, ack.Bytes);
            if (state.SinceSync >= _options.SyncEvery) Sync(state, ack.Source, ack.Target);
        }
        foreach (var state in _states)
        {
            if (!state.IsIdle) continue;
            state.CaughtUp();
            if (state.LastAcked is { } last && state.LastSync != last.Source) Sync(state, last.Source, last.Target);
        }
    }

    private void Sync(PartitionState state, long sourceOffset, long targetOffset)
    {
        state.Synced(sourceOffset);
        _observer.OnSyncPoint(new OffsetSyncPoint(state.Partition, sourceOffset, targetOffset));
    }

    private void Report(IConsumer<byte[], byte[]> consumer, List<TopicPartitionOffset> assignment, bool force = false)
    {
        for (var i = 0; i < _states.Length; i++)
        {
            var state = _states[i];
            var high = consumer.GetWatermarkOffsets(assignment[i].TopicPartition)?.High;
            long? known = high is { } h && h != Offset.Unset ? h.Value : state.EndOffset;
            var progress = new MirrorProgress(state.Partition, state.NextAcked, known, state.Records, state.Bytes, state.IsIdle);
            if (!force && progress == state.LastReport) continue;
            state.LastReport = progress;
            _observer.OnProgress(progress);
        }
    }

    /// <returns>Per partition, the source offset after the last copied record (null: the target partition is empty);
    /// null when cancelled.</returns>
    private long?[]? ReadTargetTails(HerokuKafkaAttachment to, CancellationToken ct)
    {
        var config = to.ConsumerConfig("kmp-mirror");
        config.EnableAutoCommit = false;
        config.EnableAutoOffsetStore = false;
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(config).SetLogHandler((_, _) => { })
            .SetErrorHandler((_, _) => { }).Build();
        var resume = new long?[_states.Length];
        var lastOffsets = new Dictionary<TopicPartition, (int Index, long Offset)>();
        for (var i = 0; i < _states.Length; i++)
        {
            var wire = new TopicPartition(to.Topic(_states[i].Partition.Topic), _states[i].Partition.Partition);
            var marks = consumer.QueryWatermarkOffsets(wire, _options.OperationTimeout);
            if (marks.High.Value > marks.Low.Value) lastOffsets[wire] = (i, marks.High.Value - 1);
        }
        if (lastOffsets.Count == 0) return resume;

        consumer.Assign(lastOffsets.Select(p => new TopicPartitionOffset(p.Key, p.Value.Offset)));
        var deadline = _options.Time.GetUtcNow() + _options.OperationTimeout;
        var pending = lastOffsets.Count;
        while (pending > 0)
        {
            if (ct.IsCancellationRequested) return null;
            if (_options.Time.GetUtcNow() > deadline)
                throw new MirrorException($"The last records of {pending} target partition(s) could not be read in time.");
            var result = consumer.Consume(_options.PollInterval);
            if (result is null || result.IsPartitionEOF) continue;
            var (index, last) = lastOffsets[result.TopicPartition];
            if (result.Offset.Value != last || resume[index] is not null) continue;
            if (!TryReadSourceOffset(result.Message.Headers, out var copied))
                throw new MirrorException(
                    $"The last record of {_states[index].Partition} on the target carries no {SourceOffsetHeader} header: " +
                    "something other than the mirror writes to it.");
            resume[index] = copied + 1;
            pending--;
        }
        consumer.Close();
        return resume;
    }

    /// <summary>The source offset a mirrored record carries (its last such header).</summary>
    public static bool TryReadSourceOffset(Headers? headers, out long sourceOffset)
    {
        sourceOffset = -1;
        return headers is not null && headers.TryGetLastBytes(SourceOffsetHeader, out var bytes) && bytes is not null
            && long.TryParse(Encoding.ASCII.GetString(bytes), NumberStyles.None, CultureInfo.InvariantCulture, out sourceOffset);
    }

    private readonly record struct Ack(int Index, long Source, long Target, long Bytes, Error Error);

    private sealed class NoObserver : IMirrorObserver;

    /// <summary>The first reason a session must end; set from librdkafka's threads too.</summary>
    private sealed class SessionFailure
    {
        private string? _message;

        public string? Message => Volatile.Read(ref _message);

        public void Set(string message) => Interlocked.CompareExchange(ref _message, message, null);
    }

    private sealed class PartitionState(MirrorPartition partition)
    {
        private int _inFlight;

        public MirrorPartition Partition { get; } = partition;
        public long NextAcked { get; private set; }
        public (long Source, long Target)? LastAcked { get; private set; }
        public long? LastSync { get; private set; }
        public int SinceSync { get; private set; }
        public long Records { get; private set; }
        public long Bytes { get; private set; }
        public long? EndOffset { get; private set; }
        public bool HasFailed { get; private set; }
        public MirrorProgress? LastReport { get; set; }

        private bool _atEnd;

        public bool IsIdle => _atEnd && _inFlight == 0 && !HasFailed;

        public void StartSession(long next)
        {
            NextAcked = next;
            LastAcked = null;
            LastSync = null;
            SinceSync = 0;
            _inFlight = 0;
            _atEnd = false;
            HasFailed = false;
        }

        public void Produced(long sourceOffset)
        {
            _inFlight++;
            _atEnd = false;
        }

        public void ReachedEnd(long endOffset)
        {
            _atEnd = true;
            EndOffset = endOffset;
        }

        public void Acked(long source, long target, long bytes)
        {
            _inFlight--;
            NextAcked = source + 1;
            LastAcked = (source, target);
            SinceSync++;
            Records++;
            Bytes += bytes;
        }

        /// <summary>Idle at the end: everything below the end was copied, even if the end is past a gap (a
        /// transaction marker, say).</summary>
        public void CaughtUp()
        {
            if (EndOffset > NextAcked) NextAcked = EndOffset.Value;
        }

        public void Failed()
        {
            _inFlight--;
            HasFailed = true;
        }

        public void Synced(long source)
        {
            LastSync = source;
            SinceSync = 0;
        }
    }
}

internal sealed class MirrorException(string message) : Exception(message);
