using System.Collections.Concurrent;
using System.Text;
using System.Threading.Channels;
using KafkaMigrationPortal.AppClient;
using KafkaMigrationPortal.Sandbox.Kafka;
using Microsoft.Extensions.Logging;

namespace KafkaMigrationPortal.Sandbox.Dynos;

/// <summary>
/// One app's dynos and what outlives them: the message counter and, for an app that keeps a durable duplicate filter
/// (<see cref="DynoOptions.DurableDuplicateFilter"/>), each consumer group's processed ids.
/// </summary>
internal sealed class AppDynos
{
    public const string ProducerType = "producer";
    public const string ConsumerType = "consumer";
    private static readonly string[] RunnableTypes = [ProducerType, ConsumerType];
    private const int CustomerKeys = 36;

    private readonly string _app;
    private readonly Ledger _ledger;
    private readonly DynoOptions _options;
    private readonly SandboxKafkaClusters? _clusters;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Channel<(IReadOnlyList<DynoSpec> Desired, TaskCompletionSource Applied)> _requests =
        Channel.CreateUnbounded<(IReadOnlyList<DynoSpec>, TaskCompletionSource)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly List<RunningDyno> _running = [];
    private readonly Lock _runningGate = new();
    // Survives restarts like an app's database would: ids stay unique (and, with a durable filter, processed ids stay known).
    private readonly ConcurrentDictionary<string, InMemoryProcessedMessageIds> _durableProcessedIds = new(StringComparer.Ordinal);
    private long _lastMessageNumber;
    private int _producerQuantity;

    public AppDynos(string app, Ledger ledger, DynoOptions options, SandboxKafkaClusters? clusters, ILogger logger, TimeProvider time)
    {
        _app = app;
        _ledger = ledger;
        _options = options;
        _clusters = clusters;
        _logger = logger;
        _time = time;
        _ = Task.Run(ApplyRequestsAsync);
    }

    public Task Post(IReadOnlyList<DynoSpec> desired)
    {
        var applied = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _requests.Writer.TryWrite((desired, applied));
        return applied.Task;
    }

    public IReadOnlyList<DynoStatus> Status()
    {
        lock (_runningGate)
            return [.. _running.OrderBy(d => d.ProcessType, StringComparer.Ordinal).ThenBy(d => d.Index).Select(d => d.Status(_app))];
    }

    private async Task ApplyRequestsAsync()
    {
        await foreach (var first in _requests.Reader.ReadAllAsync())
        {
            var applied = new List<TaskCompletionSource> { first.Applied };
            var desired = first.Desired;
            while (_requests.Reader.TryRead(out var newer))
            {
                desired = newer.Desired;
                applied.Add(newer.Applied);
            }
            try
            {
                await ApplyAsync(desired);
            }
            catch (Exception exception)
            {
                _logger.LogError(exception, "Could not bring the dynos of {App} to the desired state", _app);
            }
            foreach (var request in applied) request.TrySetResult();
        }
    }

    private async Task ApplyAsync(IReadOnlyList<DynoSpec> desired)
    {
        var toStop = new List<RunningDyno>();
        var toStart = new List<(DynoSpec Spec, int Index)>();
        lock (_runningGate)
        {
            foreach (var type in RunnableTypes)
            {
                var spec = desired.FirstOrDefault(s => string.Equals(s.ProcessType, type, StringComparison.OrdinalIgnoreCase));
                var wanted = Math.Max(spec?.Quantity ?? 0, 0);
                var running = _running.Where(d => d.ProcessType == type).ToList();
                var restart = spec is not null && running.Any(d => d.ReleaseVersion != spec.ReleaseVersion || !SameVars(d.ConfigVars, spec.ConfigVars));
                var stopping = restart ? running : running.Where(d => d.Index > wanted).ToList();
                toStop.AddRange(stopping);
                var kept = running.Except(stopping).Select(d => d.Index).ToHashSet();
                for (var index = 1; index <= wanted; index++)
                    if (!kept.Contains(index)) toStart.Add((spec!, index));
                if (type == ProducerType) Volatile.Write(ref _producerQuantity, wanted);
            }
        }

        // As on Heroku, a restart stops the old dynos before their replacements boot.
        await Task.WhenAll(toStop.Select(StopAsync));
        lock (_runningGate)
        {
            _running.RemoveAll(toStop.Contains);
            foreach (var (spec, index) in toStart) _running.Add(Start(spec, index));
        }
        if (toStop.Count > 0 || toStart.Count > 0)
            _logger.LogInformation("{App}: stopped {Stopped} dynos, started {Started}", _app, toStop.Count, toStart.Count);
    }

    private static bool SameVars(IReadOnlyDictionary<string, string> left, IReadOnlyDictionary<string, string> right) =>
        left.Count == right.Count && left.All(pair => right.TryGetValue(pair.Key, out var value) && value == pair.Value);

    private RunningDyno Start(DynoSpec spec, int index)
    {
        var type = spec.ProcessType.ToLowerInvariant();
        var dyno = new RunningDyno(type, index, spec.ReleaseVersion, spec.ConfigVars, _time.GetUtcNow());
        dyno.Run = Task.Run(() => SuperviseAsync(dyno, type == ProducerType ? RunProducerAsync : RunConsumerAsync));
        return dyno;
    }

    private async Task StopAsync(RunningDyno dyno)
    {
        dyno.State = "stopping";
        await dyno.Stopping.CancelAsync();
        try
        {
            await dyno.Run.WaitAsync(_options.StopTimeout);
        }
        catch (TimeoutException)
        {
            _logger.LogWarning("{App}: {Dyno} did not stop within {Timeout}; abandoned", _app, dyno.Name, _options.StopTimeout);
        }
    }

    /// <summary>Heroku restarts a crashed dyno; so does the sandbox, and nothing a dyno does can take the host down.</summary>
    private async Task SuperviseAsync(RunningDyno dyno, Func<RunningDyno, CancellationToken, Task> body)
    {
        var token = dyno.Stopping.Token;
        while (!token.IsCancellationRequested)
        {
            try
            {
                await body(dyno, token);
                return;
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                dyno.State = "crashed";
                dyno.Problem = exception.GetType().Name;
                _logger.LogWarning(exception, "{App}: {Dyno} crashed; restarting", _app, dyno.Name);
                try { await Task.Delay(_options.CrashRestartDelay, token); }
                catch (OperationCanceledException) { return; }
            }
        }
    }

    private async Task IdleAsync(RunningDyno dyno, string problem, CancellationToken token)
    {
        dyno.State = "idle";
        dyno.Problem = problem;
        _logger.LogWarning("{App}: {Dyno} idles: {Problem}", _app, dyno.Name, problem);
        await Task.Delay(Timeout.Infinite, token).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    private TimeSpan ProducerInterval()
    {
        var perDyno = _options.ProducerMessagesPerSecond / Math.Max(Volatile.Read(ref _producerQuantity), 1);
        return TimeSpan.FromSeconds(1 / Math.Max(perDyno, 0.01));
    }

    private async Task RunProducerAsync(RunningDyno dyno, CancellationToken token)
    {
        var vars = dyno.ConfigVars;
        var topics = SandboxAppVars.TopicsOf(vars);
        if (topics.Count == 0)
        {
            await IdleAsync(dyno, $"config var {SandboxAppVars.Topics} is not set", token);
            return;
        }

        MultiAddonProducer producer;
        try
        {
            producer = MultiAddonProducer.FromConfigVars(vars,
                config => config.MessageTimeoutMs = (int)_options.StopTimeout.TotalMilliseconds * 3,
                (addon, error) => _logger.LogDebug("{App}: {Dyno} → {Addon}: {Error}", _app, dyno.Name, addon, error.Reason), _time);
        }
        catch (HerokuKafkaConfigurationException exception)
        {
            await IdleAsync(dyno, exception.Message, token);
            return;
        }

        using (producer)
        {
            var clusterKeys = producer.Attachments.ToDictionary(a => a.Name, a => ClusterKey(a.Name, vars));
            dyno.State = "up";
            using var timer = new PeriodicTimer(ProducerInterval());
            try
            {
                while (await timer.WaitForNextTickAsync(token))
                {
                    timer.Period = ProducerInterval();
                    var number = Interlocked.Increment(ref _lastMessageNumber);
                    var id = $"{_app}-{number}";
                    var topic = topics[(int)(number % topics.Count)];
                    // Like an app keying by customer: a few dozen keys per topic spread the messages over the partitions,
                    // and a customer's messages stay in order in one of them.
                    var customer = $"customer-{number / topics.Count % CustomerKeys}";
                    var payload = Encoding.UTF8.GetBytes(
                        $"{{\"id\":\"{id}\",\"customer\":\"{customer}\",\"dyno\":\"{dyno.Name}\",\"release\":{dyno.ReleaseVersion}}}");
                    producer.Produce(topic, id, payload, report =>
                    {
                        if (report.Delivered) _ledger.RecordProduced(_app, topic, clusterKeys[report.AddonName], id);
                    }, key: customer);
                }
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
            }
            finally
            {
                var undelivered = producer.Flush(_options.StopTimeout);
                if (undelivered > 0)
                    _logger.LogWarning("{App}: {Dyno} stopped with {Count} messages unacknowledged", _app, dyno.Name, undelivered);
            }
        }
    }

    private async Task RunConsumerAsync(RunningDyno dyno, CancellationToken token)
    {
        var vars = dyno.ConfigVars;
        var topics = SandboxAppVars.TopicsOf(vars);
        var group = SandboxAppVars.ConsumerGroupOf(vars);
        if (topics.Count == 0 || group is null)
        {
            await IdleAsync(dyno, $"config vars {SandboxAppVars.Topics} and {SandboxAppVars.ConsumerGroup} must be set", token);
            return;
        }

        DedupingConsumer consumer;
        try
        {
            // Without a durable filter, each consumer process starts with an empty one, as an app's in-memory filter does.
            IProcessedMessageIds processed = _options.DurableDuplicateFilter
                ? _durableProcessedIds.GetOrAdd(group, _ => new InMemoryProcessedMessageIds())
                : new InMemoryProcessedMessageIds();
            consumer = DedupingConsumer.FromConfigVars(vars, group, topics, processed, config =>
                {
                    config.AutoCommitIntervalMs = (int)_options.ConsumerCommitInterval.TotalMilliseconds;
                    config.FetchWaitMaxMs = 100;
                    // The mock lets a group rebalance only once a departed member's session expires, even after
                    // it left cleanly: a short session keeps restarts quick.
                    config.SessionTimeoutMs = (int)_options.ConsumerSessionTimeout.TotalMilliseconds;
                    config.HeartbeatIntervalMs = Math.Max(100, config.SessionTimeoutMs.Value / 6);
                },
                error => _logger.LogDebug("{App}: {Dyno}: {Error}", _app, dyno.Name, error.Reason));
        }
        catch (HerokuKafkaConfigurationException exception)
        {
            await IdleAsync(dyno, exception.Message, token);
            return;
        }

        dyno.State = "up";
        // Consume blocks: give the dyno a thread of its own rather than a pool thread.
        await Task.Factory.StartNew(() =>
        {
            using (consumer) consumer.Run(message => Record(message, handled: true), token, onDuplicate: message => Record(message, handled: false));
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

        void Record(ConsumedMessage message, bool handled)
        {
            if (message.MessageId is not null)
                _ledger.RecordConsumed(_app, message.Topic, group, message.MessageId, handled, _time.GetUtcNow());
        }
    }

    private string ClusterKey(string attachmentName, IReadOnlyDictionary<string, string> vars) =>
        vars.TryGetValue($"{attachmentName}_URL", out var url) && _clusters?.FindByUrl(url) is { } cluster
            ? cluster.AddonId.ToString()
            : attachmentName;

    private sealed class RunningDyno(string processType, int index, int releaseVersion, IReadOnlyDictionary<string, string> configVars,
        DateTimeOffset startedAt)
    {
        public string ProcessType { get; } = processType;
        public int Index { get; } = index;
        public string Name => $"{ProcessType}.{Index}";
        public int ReleaseVersion { get; } = releaseVersion;
        public IReadOnlyDictionary<string, string> ConfigVars { get; } = configVars;
        public DateTimeOffset StartedAt { get; } = startedAt;
        public CancellationTokenSource Stopping { get; } = new();
        public Task Run { get; set; } = Task.CompletedTask;
        public volatile string State = "starting";
        public volatile string? Problem;

        public DynoStatus Status(string app) => new(app, Name, ProcessType, ReleaseVersion, StartedAt, State, Problem);
    }
}
