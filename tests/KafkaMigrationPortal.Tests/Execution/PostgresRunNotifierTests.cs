using System.Collections.Concurrent;
using KafkaMigrationPortal.Engine.Execution;
using KafkaMigrationPortal.Engine.Storage;
using KafkaMigrationPortal.TestSupport;
using KafkaMigrationPortal.TestSupport.Postgres;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace KafkaMigrationPortal.Tests.Execution;

/// <summary>
/// Notifiers on separate connections to one PostgreSQL database, as the web and worker dynos have: what one publishes
/// reaches the others' subscribers, once, and a dropped LISTEN connection is re-established. (Notifiers in one test
/// process; <see cref="Proofs.RunChangesAcrossProcessesTests"/> has a real second process.)
/// </summary>
public sealed class PostgresRunNotifierTests : IAsyncLifetime
{
    private TestDatabase database = null!;
    private readonly List<(PostgresRunNotifier Notifier, CancellationTokenSource Stop, Task Listening)> notifiers = [];

    public async Task InitializeAsync() => database = await TestPostgres.CreateDatabaseAsync();

    public async Task DisposeAsync()
    {
        foreach (var (notifier, stop, listening) in notifiers)
        {
            stop.Cancel();
            await listening;
            notifier.Dispose();
        }

        await database.DisposeAsync();
    }

    private async Task<PostgresRunNotifier> StartAsync()
    {
        var notifier = new PostgresRunNotifier(new StorageSettings(StorageProvider.PostgreSql, database.ConnectionString), TimeProvider.System, NullLoggerFactory.Instance);
        var stop = new CancellationTokenSource();
        notifiers.Add((notifier, stop, notifier.ListenAsync(stop.Token)));
        await Deadline.PollAsync(() => Task.FromResult(notifier.IsListening), TimeSpan.FromSeconds(30), "the notifier listens");
        return notifier;
    }

    private static ConcurrentQueue<RunChange> Record(IRunNotifier notifier, Guid? runId = null)
    {
        var seen = new ConcurrentQueue<RunChange>();
        notifier.Subscribe(runId, seen.Enqueue);
        return seen;
    }

    [Fact]
    public async Task A_change_published_on_one_connection_reaches_the_others_once_and_its_own_subscribers_once()
    {
        var (publisher, other, third) = (await StartAsync(), await StartAsync(), await StartAsync());
        var run = Guid.NewGuid();
        var atPublisher = Record(publisher);
        var atOther = Record(other, run);
        var otherRunAtOther = Record(other, Guid.NewGuid());

        publisher.Publish(new RunChange(run, RunEventKinds.StepDone, 7));

        await Deadline.PollAsync(() => Task.FromResult(atOther.Count > 0), TimeSpan.FromSeconds(10), "the other notifier delivers the change");
        Assert.Equal([new RunChange(run, RunEventKinds.StepDone, 7)], atOther);
        Assert.Empty(otherRunAtOther);

        // A later change from a third notifier reaches the publisher only after its own NOTIFY of the first had come back
        // (and was skipped): then it has seen the first exactly once.
        var marker = new RunChange(Guid.NewGuid(), "marker", null);
        third.Publish(marker);
        await Deadline.PollAsync(() => Task.FromResult(atPublisher.Contains(marker)), TimeSpan.FromSeconds(10), "the publisher hears the third notifier");
        Assert.Single(atPublisher, c => c.RunId == run);
    }

    [Fact]
    public async Task A_dropped_listen_connection_is_re_established_and_changes_arrive_again()
    {
        var (publisher, listener) = (await StartAsync(), await StartAsync());
        var run = Guid.NewGuid();
        var seen = Record(listener, run);

        await using (var admin = new NpgsqlConnection(database.ConnectionString))
        {
            await admin.OpenAsync();
            await using var kill = new NpgsqlCommand(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%'", admin);
            Assert.Equal(2L, await kill.ExecuteScalarAsync());
        }

        await Deadline.PollAsync(async () =>
        {
            // Until both listen again a change can be lost (the pages' fallback poll covers that): publish until one arrives.
            publisher.Publish(new RunChange(run, "after-reconnect", null));
            await Task.Yield();
            return seen.Any(c => c.Kind == "after-reconnect");
        }, TimeSpan.FromSeconds(30), "a change arrives after the connection was re-established");
        Assert.True(listener.IsListening);
    }
}
