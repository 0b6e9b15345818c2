using KafkaMigrationPortal.Features.Connections;
using KafkaMigrationPortal.Features.Migrations;
using KafkaMigrationPortal.Engine.Execution;
using KafkaMigrationPortal.Engine.Planning;
using KafkaMigrationPortal.Heroku;
using KafkaMigrationPortal.Heroku.Kafka;
using KafkaMigrationPortal.TestSupport;
using KafkaMigrationPortal.Tests.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace KafkaMigrationPortal.Tests.Execution;

/// <summary>
/// Resume against the real engine and the sandbox's clusters: a Kafka check that used up its retries paused the run; a
/// person resumes it, and the check starts over with every retry it had the first time.
/// </summary>
[Collection(PortalHostCollection.Name)]
public sealed class ResumeTests : IAsyncLifetime
{
    private const int CheckRetries = 2;
    private const string MissingTopic = "audit-log";

    private readonly string databaseFile = Path.Combine(Path.GetTempPath(), $"kmp-resume-{Guid.NewGuid():N}.db");
    private EngineHost host = null!;

    public Task InitializeAsync()
    {
        host = EngineHost.OnSqlite(databaseFile, extra: new Dictionary<string, string?> { ["Execution:CheckRetries"] = $"{CheckRetries}" });
        _ = host.Services; // start
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await host.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        File.Delete(databaseFile);
    }

    [Fact]
    public async Task A_check_that_paused_the_run_gets_its_full_retry_budget_again_after_resume()
    {
        var source = await host.SourceAsync();
        var plan = EngineHost.HandPlan(source,
            EngineHost.Step(new WatchStrayWrites([MissingTopic], TimeSpan.FromSeconds(1))),
            EngineHost.Step(new SetMaintenance(true)));
        var runId = await host.Runs.StartAsync(plan, EngineHost.Starter);

        var paused = await host.DriveAsync(runId, r => r.Run.Status == MigrationRunStatus.Paused, "the check gives up and pauses the run");
        Assert.Equal(RunStepStatus.Failed, paused.Steps[0].Status);
        Assert.Equal(CheckRetries + 1, paused.Steps[0].Attempts);
        Assert.Contains(MissingTopic, paused.Run.LastError);

        var resumed = await host.Runs.ResumeAsync(runId, EngineHost.Starter);
        Assert.True(resumed.Succeeded, resumed.Message);
        var pausedAgain = await host.DriveAsync(runId, r => r.Run.Status == MigrationRunStatus.Paused, "the resumed check gives up again");

        // As many attempts as the first time: the failures that paused the run were not counted against the resumed check.
        Assert.Equal(2 * (CheckRetries + 1), pausedAgain.Steps[0].Attempts);
        var sinceResume = pausedAgain.Events.SkipWhile(e => e.Kind != RunEventKinds.Resumed).ToList();
        Assert.Contains(sinceResume, e => e.Kind == RunEventKinds.StepWaiting && e.Summary.Contains("trying again"));
        Assert.Single(sinceResume, e => e.Kind == RunEventKinds.StepFailed);
        Assert.False((await host.Platform.GetAppAsync("mackerel")).Maintenance);

        // With the cause fixed, resuming lets the check pass and the run go on.
        var kafka = host.Services.GetRequiredService<IHerokuClientFactory>().Kafka(host.Services.GetRequiredService<HerokuConnection>().Credential);
        await kafka.CreateTopicAsync(source.Id.ToString(), new KafkaTopicCreate(MissingTopic, 1, null, null, false));
        // Heroku creates topics asynchronously: the cause is fixed once the topic is listed with its partition.
        await Deadline.PollAsync(async () => (await kafka.ListTopicsAsync(source.Id.ToString())).Topics.Any(t => t is { Name: MissingTopic, Partitions: 1 }),
            TimeSpan.FromSeconds(30), "the new topic is ready");
        Assert.True((await host.Runs.ResumeAsync(runId, EngineHost.Starter)).Succeeded);
        var done = await host.DriveAsync(runId, r => r.Run.Status is MigrationRunStatus.Succeeded or MigrationRunStatus.Paused, "the run goes on");

        Assert.Equal(MigrationRunStatus.Succeeded, done.Run.Status);
        Assert.True((await host.Platform.GetAppAsync("mackerel")).Maintenance);
    }
}
