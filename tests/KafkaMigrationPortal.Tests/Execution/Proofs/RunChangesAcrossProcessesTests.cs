using System.Collections.Concurrent;
using KafkaMigrationPortal.Engine.Execution;
using KafkaMigrationPortal.Engine.Planning;
using KafkaMigrationPortal.Engine.Storage;
using KafkaMigrationPortal.Heroku.Platform;
using KafkaMigrationPortal.Tests.Hosting;
using KafkaMigrationPortal.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;

namespace KafkaMigrationPortal.Tests.Execution.Proofs;

/// <summary>
/// A portal worker process executes a run; a notifier in this test process, on its own connection to the same
/// PostgreSQL database, hears each step the worker starts and finishes, as a web dyno's run page does.
/// </summary>
[Collection(PortalProcessCollection.Name)]
public sealed class RunChangesAcrossProcessesTests : IAsyncLifetime
{
    private ProcessCluster cluster = null!;

    public async Task InitializeAsync() => cluster = await ProcessCluster.StartAsync();

    public async Task DisposeAsync() => await cluster.DisposeAsync();

    [Fact]
    public async Task Steps_a_worker_process_executes_reach_a_subscriber_in_another_process()
    {
        await cluster.StartPortalAsync();
        using var page = new PostgresRunNotifier(new StorageSettings(StorageProvider.PostgreSql, cluster.ConnectionString), TimeProvider.System, NullLoggerFactory.Instance);
        using var stop = new CancellationTokenSource();
        var listening = page.ListenAsync(stop.Token);
        await Deadline.PollAsync(() => Task.FromResult(page.IsListening), TimeSpan.FromSeconds(30), "this process listens");

        var kafka = (await cluster.Platform.ListAttachmentsAsync(ProcessCluster.App)).Single(a => a.Name == AttachmentNames.Primary);
        var source = new AddonSnapshot(Guid.Parse(kafka.Addon.Id), kafka.Addon.Name, kafka.Addon.Plan?.Name ?? "heroku-kafka:basic-0", [kafka.Name], null);
        var plan = EngineHost.HandPlan(source, EngineHost.Step(new SetMaintenance(true)), EngineHost.Step(new SetMaintenance(false)));
        var seen = new ConcurrentQueue<RunChange>();
        using var subscription = page.Subscribe(null, seen.Enqueue);
        var runId = await cluster.Runs.StartAsync(plan, RunScenarios.Starter);

        await Deadline.PollAsync(() => Task.FromResult(seen.Count(c => c.RunId == runId && c.Kind == RunEventKinds.StepDone) == 2),
            TimeSpan.FromSeconds(90), "both steps the worker finished are heard here");
        Assert.Contains(seen, c => c.RunId == runId && c.Kind == RunEventKinds.StepStarted && c.EventSequence is not null);
        Assert.Contains(seen, c => c.RunId == runId && c.Kind == "run-updated");

        stop.Cancel();
        await listening;
    }
}
