using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading.Channels;
using KafkaMigrationPortal.Engine.Storage;
using Npgsql;

namespace KafkaMigrationPortal.Engine.Execution;

/// <summary>
/// Run changes shared by every process on the same PostgreSQL database: <see cref="Publish"/> delivers to this process's
/// subscribers at once and sends a <c>NOTIFY</c> on <see cref="Channel"/>; <see cref="ListenAsync"/> (run by
/// <see cref="RunChangeListener"/>) holds one <c>LISTEN</c> connection and delivers what other processes publish.
/// A change published while a connection is down is lost to the other processes: pages keep a slow poll for that.
/// </summary>
public sealed class PostgresRunNotifier : IRunNotifier, IDisposable
{
    public const string Channel = "kmp_run_changes";

    private static readonly TimeSpan FirstReconnectDelay = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan LongestReconnectDelay = TimeSpan.FromSeconds(30);

    private readonly RunNotifier local;
    private readonly NpgsqlDataSource senders;
    private readonly string listenConnectionString;
    private readonly TimeProvider time;
    private readonly ILogger<PostgresRunNotifier> logger;
    private readonly Channel<RunChange> outbox = System.Threading.Channels.Channel.CreateUnbounded<RunChange>(new() { SingleReader = true });
    private readonly CancellationTokenSource disposing = new();
    private Task? sending;
    private volatile bool listening;

    public PostgresRunNotifier(StorageSettings storage, TimeProvider time, ILoggerFactory loggers)
    {
        local = new RunNotifier(loggers.CreateLogger<RunNotifier>());
        logger = loggers.CreateLogger<PostgresRunNotifier>();
        this.time = time;
        senders = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(storage.ConnectionString) { MaxPoolSize = 2 }.ConnectionString);
        // Its own connection, outside any pool, with keep-alives so a dead network is noticed and the LISTEN renewed.
        listenConnectionString = new NpgsqlConnectionStringBuilder(storage.ConnectionString) { Pooling = false, KeepAlive = 15 }.ConnectionString;
    }

    /// <summary>Tells this notifier's own deliveries from those of other processes (and of other notifiers in this one).</summary>
    public string Origin { get; } = Guid.NewGuid().ToString("N");

    /// <summary>Whether the LISTEN connection is up, i.e. changes of other processes arrive now.</summary>
    public bool IsListening => listening;

    public IDisposable Subscribe(Guid? runId, Action<RunChange> onChange) => local.Subscribe(runId, onChange);

    public void Publish(RunChange change)
    {
        local.Publish(change);
        if (disposing.IsCancellationRequested) return;
        outbox.Writer.TryWrite(change);
        if (sending is null && Interlocked.CompareExchange(ref sending, Task.CompletedTask, null) is null)
        {
            sending = Task.Run(() => SendAsync(disposing.Token));
        }
    }

    /// <summary>Sends the outbox in order on a pooled connection; a failed send is logged and dropped, never retried late.</summary>
    private async Task SendAsync(CancellationToken ct)
    {
        try
        {
            await foreach (var change in outbox.Reader.ReadAllAsync(ct))
            {
                try
                {
                    await using var command = senders.CreateCommand("SELECT pg_notify(@channel, @payload)");
                    command.Parameters.AddWithValue("channel", Channel);
                    command.Parameters.AddWithValue("payload", RunChangePayload.Write(change, Origin));
                    await command.ExecuteNonQueryAsync(ct);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogWarning("Run change {Kind} of run {RunId} was not sent to the other processes ({Error}: {Message})",
                        change.Kind, change.RunId, e.GetType().Name, e.Message);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    /// <summary>Holds the LISTEN connection until <paramref name="ct"/> ends, reconnecting with back-off when it drops.</summary>
    public async Task ListenAsync(CancellationToken ct)
    {
        var delay = FirstReconnectDelay;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(listenConnectionString);
                await connection.OpenAsync(ct);
                connection.Notification += (_, notification) => Deliver(notification.Payload);
                await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(ct);
                }

                listening = true;
                delay = FirstReconnectDelay;
                logger.LogDebug("Listening for run changes of other processes on {Channel}", Channel);
                while (true) await connection.WaitAsync(ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                listening = false;
                logger.LogWarning("The connection listening for run changes of other processes failed ({Error}: {Message}); listening again in {Delay}",
                    e.GetType().Name, e.Message, delay);
                try
                {
                    await Task.Delay(delay, time, ct);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, LongestReconnectDelay.Ticks));
            }
            finally
            {
                listening = false;
            }
        }
    }

    private void Deliver(string payload)
    {
        if (RunChangePayload.Read(payload) is not { } received)
        {
            logger.LogWarning("Ignored a malformed notification on {Channel}", Channel);
            return;
        }

        // Our own NOTIFY comes back too: its subscribers here had it at Publish.
        if (received.Origin == Origin) return;
        local.Publish(received.Change);
    }

    public void Dispose()
    {
        if (disposing.IsCancellationRequested) return;
        disposing.Cancel();
        outbox.Writer.TryComplete();
        senders.Dispose();
    }
}

/// <summary>What goes over the wire: ids and the kind only (never a summary or secret), far under NOTIFY's 8000 bytes.</summary>
internal static class RunChangePayload
{
    private const int MaxKindLength = 100;

    public static string Write(RunChange change, string origin) =>
        JsonSerializer.Serialize(new Wire(origin, change.RunId, change.Kind.Length > MaxKindLength ? change.Kind[..MaxKindLength] : change.Kind, change.EventSequence));

    public static (string Origin, RunChange Change)? Read(string payload)
    {
        try
        {
            return JsonSerializer.Deserialize<Wire>(payload) is { Origin: { } origin, Kind: { } kind } wire && wire.RunId != Guid.Empty
                ? (origin, new RunChange(wire.RunId, kind, wire.EventSequence))
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private sealed record Wire(
        [property: JsonPropertyName("o")] string? Origin,
        [property: JsonPropertyName("r")] Guid RunId,
        [property: JsonPropertyName("k")] string? Kind,
        [property: JsonPropertyName("s")] int? EventSequence);
}

/// <summary>Runs <see cref="PostgresRunNotifier.ListenAsync"/> for the host's lifetime when the portal's notifier is that one.</summary>
internal sealed class RunChangeListener(IRunNotifier notifier) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        notifier is PostgresRunNotifier shared ? shared.ListenAsync(stoppingToken) : Task.CompletedTask;
}
