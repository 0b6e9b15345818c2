using Confluent.Kafka;
using KafkaMigrationPortal.Engine.Audit;
using KafkaMigrationPortal.Engine.Execution;
using KafkaMigrationPortal.Engine.Mirroring;
using KafkaMigrationPortal.Engine.Planning;
using KafkaMigrationPortal.Engine.Storage;
using KafkaMigrationPortal.TestSupport;
using KafkaMigrationPortal.TestSupport.Postgres;
using KafkaMigrationPortal.Tests.Execution;
using KafkaMigrationPortal.Tests.Hosting;
using KafkaMigrationPortal.Tests.KafkaChecks;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using static KafkaMigrationPortal.Tests.Mirroring.MirrorKit;

namespace KafkaMigrationPortal.Tests.Mirroring;

/// <summary>Partition leases and the mirror worker on a real PostgreSQL server and two mock clusters.</summary>
[Collection(PortalHostCollection.Name)]
public sealed class MirrorWorkerTests(KafkaChecksFixture fixture) : IClassFixture<KafkaChecksFixture>, IAsyncLifetime
{
    private static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(30);
    private readonly FakeTimeProvider time = new(Start);
    private TestDatabase database = null!;
    private IDbContextFactory<PortalDbContext> contexts = null!;

    public async Task InitializeAsync()
    {
        database = await TestPostgres.CreateDatabaseAsync();
        contexts = new PostgresContexts(database.ConnectionString);
        await using var db = await contexts.CreateDbContextAsync();
        await db.Database.MigrateAsync();
    }

    public async Task DisposeAsync() => await database.DisposeAsync();

    private IOptions<MirrorOptions> Options(int maxPartitions = 256) =>
        Microsoft.Extensions.Options.Options.Create(new MirrorOptions { LeaseDuration = LeaseDuration, SyncEvery = 10, MaxPartitionsPerWorker = maxPartitions });

    private MirrorLeases Leases() => new(contexts, time, Options());

    private readonly ProblemCountingLogger log = new();

    private MirrorWorker Worker(MirrorEndpoints ends, int maxPartitions = 256) =>
        new(contexts, new MirrorLeases(contexts, time, Options(maxPartitions)), new FixedEndpoints(ends), time, Options(maxPartitions), log, KafkaChecksKit.Inspector(),
            new RunEventLog(contexts, time, new RunNotifier(NullLogger<RunNotifier>.Instance), new AuditLog(contexts, time, NullLogger<AuditLog>.Instance), NullLogger<RunEventLog>.Instance));

    private async Task<Guid> MirroringRunAsync(int partitions)
    {
        var source = new AddonSnapshot(Guid.NewGuid(), "kafka-old-1", "heroku-kafka:basic-0", ["KAFKA"], null);
        var plan = EngineHost.HandPlan(source, EngineHost.Step(new StartMirror(["orders"]))) with { Topics = [new TopicSpec("orders", partitions, 1, null, false)] };
        var run = new MigrationRun
        {
            Id = Guid.NewGuid(), App = "mackerel", SourceAddon = source.Name, TargetPlan = plan.TargetPlan, StartedBy = EngineHost.Starter,
            Strategy = MigrationStrategy.Mirror, Status = MigrationRunStatus.Running, CreatedAt = time.GetUtcNow(), PlanJson = PlanSerialization.Serialize(plan),
            SourceAddonId = source.Id, TargetAddonId = Guid.NewGuid(), MirrorStartedAt = time.GetUtcNow(), Version = Guid.NewGuid(),
        };
        await using var db = await contexts.CreateDbContextAsync();
        db.MigrationRuns.Add(run);
        await db.SaveChangesAsync();
        return run.Id;
    }

    [Fact]
    public async Task Workers_racing_for_a_partition_leave_it_to_exactly_one_until_its_lease_runs_out()
    {
        var runId = await MirroringRunAsync(partitions: 2);
        var leases = Leases();
        var orders0 = new MirrorPartition("orders", 0);
        await leases.EnsurePartitionsAsync(runId, [orders0, new MirrorPartition("orders", 1)]);

        for (var round = 0; round < 5; round++)
        {
            var partition = new MirrorPartition("orders", round % 2);
            await leases.ReleaseAsync(runId, $"winner-{round - 2}");
            var owners = Enumerable.Range(0, 8).Select(i => $"round{round}-worker{i}").ToList();
            var taken = await Task.WhenAll(owners.Select(owner => Task.Run(() => leases.TryAcquireAsync(runId, partition, owner))));
            var winner = owners[Assert.Single(Enumerable.Range(0, 8), i => taken[i])];
            Assert.Equal(winner, (await leases.PartitionsAsync(runId)).Single(l => l.Key == partition).Owner);
            await ReleaseAsAsync(leases, runId, winner, round);
        }

        Assert.True(await leases.TryAcquireAsync(runId, orders0, "alive"));
        time.Advance(LeaseDuration - TimeSpan.FromSeconds(1));
        Assert.False(await leases.TryAcquireAsync(runId, orders0, "other"));
        Assert.Contains(orders0, await leases.RenewAsync(runId, "alive"));
        time.Advance(LeaseDuration - TimeSpan.FromSeconds(1));
        Assert.False(await leases.TryAcquireAsync(runId, orders0, "other"), "renewed: not yet expired");
        Assert.True(await leases.RecordProgressAsync(runId, "alive", orders0, 5, 9, 1.5));

        time.Advance(TimeSpan.FromSeconds(2));
        Assert.True(await leases.TryAcquireAsync(runId, orders0, "other"), "expired: taken over");
        Assert.DoesNotContain(orders0, await leases.RenewAsync(runId, "alive"));
        Assert.False(await leases.RecordProgressAsync(runId, "alive", orders0, 7, 9, 1.5), "the old owner no longer writes progress");
        var row = (await leases.PartitionsAsync(runId)).Single(l => l.Key == orders0);
        Assert.Equal(("other", 5L, (long?)9), (row.Owner, row.CopiedOffset, row.SourceEnd));
    }

    private static async Task ReleaseAsAsync(MirrorLeases leases, Guid runId, string owner, int round)
    {
        await leases.ReleaseAsync(runId, owner);
        Assert.DoesNotContain(new MirrorPartition("orders", round % 2), await leases.RenewAsync(runId, owner));
    }

    [Fact]
    public async Task Two_workers_share_the_partitions_copy_them_all_and_store_progress_and_sync_points()
    {
        var clusters = TwoClusters(fixture, partitions: 4);
        var counts = new[] { 30, 12, 0, 21 };
        for (var p = 0; p < 4; p++) await WriteAsync(clusters.Source, "orders", p, 0, counts[p]);
        var runId = await MirroringRunAsync(partitions: 4);
        var ends = new MirrorEndpoints(clusters.Source, clusters.Target);
        var first = Worker(ends, maxPartitions: 2);
        var second = Worker(ends, maxPartitions: 2);
        try
        {
            await first.RunOnceAsync(CancellationToken.None);
            await second.RunOnceAsync(CancellationToken.None);
            var rows = await Leases().PartitionsAsync(runId);
            Assert.Equal(2, rows.Count(r => r.Owner == first.Owner));
            Assert.Equal(2, rows.Count(r => r.Owner == second.Owner));
            Assert.Equal(2, first.Held[runId]);
            Assert.Equal(2, second.Held[runId]);

            await Deadline.PollAsync(async () =>
            {
                await first.RunOnceAsync(CancellationToken.None);
                await second.RunOnceAsync(CancellationToken.None);
                var progress = await Leases().PartitionsAsync(runId);
                // The sync point at a partition's last record comes once the copier sees it idle, after its progress.
                var lastSynced = (await Leases().SyncPointsAsync(runId)).Where(s => s.Partition.Partition == 3).Select(s => s.SourceOffset).DefaultIfEmpty().Max();
                return progress.All(r => r.SourceEnd == counts[r.Partition] && r.CopiedOffset == counts[r.Partition]) && lastSynced == 20;
            }, TimeSpan.FromSeconds(60), "every partition's progress at its source end");

            for (var p = 0; p < 4; p++) AssertCopied(ReadAll(clusters.Source, "orders", p), ReadAll(clusters.Target, "orders", p), $"orders[{p}]");
            var syncs = await Leases().SyncPointsAsync(runId);
            Assert.Equal([9L, 19, 29], syncs.Where(s => s.Partition.Partition == 0).Select(s => s.SourceOffset).Distinct().Order());
            Assert.Contains(syncs, s => s.Partition.Partition == 3 && s.SourceOffset == 20 && s.TargetOffset == 20);
        }
        finally
        {
            await first.LetGoOfAllAsync();
            await second.LetGoOfAllAsync();
        }
    }

    [Fact]
    public async Task A_worker_that_joins_gets_an_even_share_once_the_first_has_let_its_surplus_lapse_and_every_record_is_copied_once()
    {
        var clusters = TwoClusters(fixture, partitions: 4);
        var counts = new[] { 25, 14, 9, 30 };
        for (var p = 0; p < 4; p++) await WriteAsync(clusters.Source, "orders", p, 0, counts[p]);
        var runId = await MirroringRunAsync(partitions: 4);
        var ends = new MirrorEndpoints(clusters.Source, clusters.Target);
        var first = Worker(ends);
        var second = Worker(ends);
        try
        {
            await first.RunOnceAsync(CancellationToken.None);
            Assert.Equal(4, first.Held[runId]);

            // A second worker comes: the first gives up half, by letting those leases run out rather than freeing them.
            await second.RunOnceAsync(CancellationToken.None);
            await first.RunOnceAsync(CancellationToken.None);
            Assert.Equal(2, first.Held[runId]);
            var lapsing = (await Leases().PartitionsAsync(runId)).Where(r => r.Owner == MirrorLeases.LapsingOwner(first.Owner)).Select(r => r.Key).ToList();
            Assert.Equal(2, lapsing.Count);
            for (var elapsed = TimeSpan.Zero; elapsed <= LeaseDuration; elapsed += TimeSpan.FromSeconds(10))
            {
                await second.RunOnceAsync(CancellationToken.None);
                Assert.Equal(0, second.Held[runId]); // nobody copies them before their lease has run out
                await first.RunOnceAsync(CancellationToken.None);
                time.Advance(TimeSpan.FromSeconds(10));
            }

            await Deadline.PollAsync(async () =>
            {
                await second.RunOnceAsync(CancellationToken.None);
                await first.RunOnceAsync(CancellationToken.None);
                var rows = await Leases().PartitionsAsync(runId);
                return rows.All(r => r.CopiedOffset == counts[r.Partition]) && second.Held[runId] == 2;
            }, TimeSpan.FromSeconds(60), "both workers copying two partitions each, every partition copied");
            var owners = (await Leases().PartitionsAsync(runId)).ToDictionary(r => r.Key, r => r.Owner);
            Assert.All(lapsing, p => Assert.Equal(second.Owner, owners[p]));
            Assert.Equal(2, owners.Values.Count(o => o == first.Owner));
            for (var p = 0; p < 4; p++) AssertCopied(ReadAll(clusters.Source, "orders", p), ReadAll(clusters.Target, "orders", p), $"orders[{p}]");
        }
        finally
        {
            await first.LetGoOfAllAsync();
            await second.LetGoOfAllAsync();
        }
    }

    [Fact]
    public async Task A_worker_takes_a_dead_workers_partition_only_once_its_lease_has_run_out_and_lets_go_when_the_mirror_stops()
    {
        var clusters = TwoClusters(fixture, partitions: 1);
        await WriteAsync(clusters.Source, "orders", 0, 0, 15);
        var runId = await MirroringRunAsync(partitions: 1);
        var orders0 = new MirrorPartition("orders", 0);
        var leases = Leases();
        await leases.EnsurePartitionsAsync(runId, [orders0]);
        Assert.True(await leases.TryAcquireAsync(runId, orders0, "mirror:dead-dyno"));
        var worker = Worker(new MirrorEndpoints(clusters.Source, clusters.Target));
        try
        {
            // The dead worker's lease has not run out: whatever it still had in flight may land, so nobody copies yet.
            time.Advance(LeaseDuration - TimeSpan.FromSeconds(1));
            await worker.RunOnceAsync(CancellationToken.None);
            Assert.Equal(0, worker.Held[runId]);
            Assert.Equal("mirror:dead-dyno", (await leases.PartitionsAsync(runId)).Single().Owner);
            Assert.Equal(0, EndOffset(clusters.Target, "orders", 0));

            time.Advance(TimeSpan.FromSeconds(2));
            await Deadline.PollAsync(async () =>
            {
                await worker.RunOnceAsync(CancellationToken.None);
                return (await leases.PartitionsAsync(runId)).Single() is { CopiedOffset: 15, SourceEnd: 15 } row && row.Owner == worker.Owner;
            }, TimeSpan.FromSeconds(60), "the partition taken over and copied");
            AssertCopied(ReadAll(clusters.Source, "orders", 0), ReadAll(clusters.Target, "orders", 0), "orders[0]");

            await using (var db = await contexts.CreateDbContextAsync())
            {
                await db.MigrationRuns.Where(r => r.Id == runId).ExecuteUpdateAsync(s => s.SetProperty(r => r.MirrorStoppedAt, time.GetUtcNow()));
            }
            await worker.RunOnceAsync(CancellationToken.None);
            Assert.False(worker.Held.ContainsKey(runId));
            Assert.Null((await leases.PartitionsAsync(runId)).Single().Owner);
            await WriteAsync(clusters.Source, "orders", 0, 15, 5);
            await worker.RunOnceAsync(CancellationToken.None);
            Assert.Equal(15, EndOffset(clusters.Target, "orders", 0));
        }
        finally
        {
            await worker.LetGoOfAllAsync();
        }
    }

    [Fact]
    public async Task A_worker_that_cannot_renew_its_leases_stops_copying_before_they_run_out_and_resumes_once_it_renews()
    {
        var clusters = TwoClusters(fixture, partitions: 1);
        await WriteAsync(clusters.Source, "orders", 0, 0, 10);
        var runId = await MirroringRunAsync(partitions: 1);
        var leases = Leases();
        var worker = Worker(new MirrorEndpoints(clusters.Source, clusters.Target));
        try
        {
            await Deadline.PollAsync(async () =>
            {
                await worker.RunOnceAsync(CancellationToken.None);
                return (await leases.PartitionsAsync(runId)).Single().CopiedOffset == 10;
            }, TimeSpan.FromSeconds(60), "the first records copied");
            Assert.True(worker.IsCopying(runId));

            // No pass renews the leases (its database calls hang, say): half the lease later the copier stops by itself.
            time.Advance(LeaseDuration / 2 + TimeSpan.FromSeconds(1));
            await Deadline.PollAsync(() => Task.FromResult(!worker.IsCopying(runId)), TimeSpan.FromSeconds(30), "the copier fenced");
            Assert.False(await leases.TryAcquireAsync(runId, new MirrorPartition("orders", 0), "other"), "the lease has not run out yet");
            await WriteAsync(clusters.Source, "orders", 0, 10, 5);

            await Deadline.PollAsync(async () =>
            {
                await worker.RunOnceAsync(CancellationToken.None);
                return (await leases.PartitionsAsync(runId)).Single().CopiedOffset == 15;
            }, TimeSpan.FromSeconds(60), "copying resumed after a renewal");
            Assert.True(worker.IsCopying(runId));
            AssertCopied(ReadAll(clusters.Source, "orders", 0), ReadAll(clusters.Target, "orders", 0), "orders[0]");
        }
        finally
        {
            await worker.LetGoOfAllAsync();
        }
    }

    [Fact]
    public async Task A_target_partition_written_by_something_else_is_not_appended_to_and_the_run_is_told_once()
    {
        var clusters = TwoClusters(fixture, partitions: 1);
        await WriteAsync(clusters.Source, "orders", 0, 0, 5);
        var stranger = Connection(clusters.Target);
        using (var producer = new ProducerBuilder<byte[], byte[]>(stranger.ProducerConfig()).Build())
            await producer.ProduceAsync(new TopicPartition(stranger.Topic("orders"), 0), new Message<byte[], byte[]> { Value = [1, 2, 3] });
        var runId = await MirroringRunAsync(partitions: 1);
        var worker = Worker(new MirrorEndpoints(clusters.Source, clusters.Target));
        try
        {
            var problem = await Deadline.PollAsync(async () =>
            {
                await worker.RunOnceAsync(CancellationToken.None);
                await using var db = await contexts.CreateDbContextAsync();
                return await db.RunEvents.Where(e => e.RunId == runId).Select(e => e.Summary).ToListAsync();
            }, summaries => summaries.Count > 0, TimeSpan.FromSeconds(60), "the run is told why the mirror does not copy");

            Assert.Contains("carries no kmp-source-offset header", Assert.Single(problem));
            // The copier restarts after its delay and meets the same record again.
            await Deadline.PollAsync(async () =>
            {
                time.Advance(TimeSpan.FromSeconds(2));
                await worker.RunOnceAsync(CancellationToken.None);
                return log.Problems >= 3;
            }, TimeSpan.FromSeconds(60), "the copier meets the problem again");
            await worker.RunOnceAsync(CancellationToken.None);
            await using (var db = await contexts.CreateDbContextAsync())
                Assert.Equal(1, await db.RunEvents.CountAsync(e => e.RunId == runId));
            Assert.Equal(1, EndOffset(clusters.Target, "orders", 0));
        }
        finally
        {
            await worker.LetGoOfAllAsync();
        }
    }

    /// <summary>Counts the copier problems the worker logs.</summary>
    private sealed class ProblemCountingLogger : ILogger<MirrorWorker>
    {
        private int problems;

        public int Problems => Volatile.Read(ref problems);

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (formatter(state, exception).StartsWith("Mirror: ", StringComparison.Ordinal)) Interlocked.Increment(ref problems);
        }
    }

    private sealed class FixedEndpoints(MirrorEndpoints ends) : IMirrorEndpointResolver
    {
        public Task<MirrorEndpoints> ResolveAsync(MigrationRun run, MigrationPlan plan, CancellationToken ct) => Task.FromResult(ends);
    }

    private sealed class PostgresContexts(string connectionString) : IDbContextFactory<PortalDbContext>
    {
        public PortalDbContext CreateDbContext() =>
            new PostgresPortalDbContext(new DbContextOptionsBuilder<PostgresPortalDbContext>().UseNpgsql(connectionString).Options);
    }
}
