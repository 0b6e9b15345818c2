using KafkaMigrationPortal.Features.Jobs;
using KafkaMigrationPortal.Features.Migrations;
using KafkaMigrationPortal.Engine.Planning;
using KafkaMigrationPortal.Sandbox;
using KafkaMigrationPortal.Tests.Hosting;
using System.Net;
using System.Net.Http.Headers;
using KafkaMigrationPortal.Engine.Execution;
using Npgsql;
using Xunit.Abstractions;

namespace KafkaMigrationPortal.Tests.Execution.Proofs;

/// <summary>
/// Several portal processes on one PostgreSQL share the run's jobs; the run's lease makes each step execute once,
/// and the run survives a Heroku that fails a fifth of its calls.
/// </summary>
[Collection(PortalProcessCollection.Name)]
public sealed class ConcurrencyProofTests(ITestOutputHelper output) : IAsyncLifetime
{
    private ProcessCluster cluster = null!;

    public async Task InitializeAsync() => cluster = await ProcessCluster.StartAsync();

    public async Task DisposeAsync() => await cluster.DisposeAsync();

    [Fact]
    public async Task A_web_and_a_worker_process_run_one_migration_and_each_step_runs_once()
    {
        await cluster.StartPortalAsync(PortalRole.Web);
        await cluster.StartPortalAsync(PortalRole.Worker);

        var (run, source) = await MigrateToDedicatedAsync();

        RunScenarios.AssertEachStepStartedAndFinishedOnce(run);
        SideEffects.AssertEachAppliedOnce(run.Plan, await cluster.MutationsAsync());
        await RunScenarios.AssertAppRunsOnAsync(cluster.Platform, ProcessCluster.App, run.Run.TargetAddonId!.Value, "heroku-kafka:standard-0", source);
        Assert.Equal(["web", "worker"], await ProcessesThatAdvancedRunsAsync());
        await SideEffects.AssertNoMessageLostAsync(cluster);
    }

    [Fact]
    public async Task With_a_fifth_of_Heroku_calls_failing_429_or_500_the_run_completes_and_nothing_is_applied_twice()
    {
        await cluster.StartPortalAsync(PortalRole.Worker);
        await cluster.StartPortalAsync(PortalRole.Worker);
        await cluster.SetFaultsAsync(new SandboxFaults(RateLimitShare: 0.1, ServerErrorShare: 0.1, Seed: 20260501));
        var probed = await ProbeStatusesAsync(40);
        Assert.Contains(HttpStatusCode.TooManyRequests, probed);
        Assert.Contains(HttpStatusCode.InternalServerError, probed);

        var (run, source) = await MigrateToDedicatedAsync();
        var mutations = await cluster.MutationsAsync();
        await cluster.SetFaultsAsync(new SandboxFaults());

        output.WriteLine($"{mutations.Count(m => m.Status is 429 or 500)} of {mutations.Count} mutating calls were answered with an injected fault; " +
                         $"{run.Events.Count(e => e.Kind == RunEventKinds.StepRetrying)} step retries");
        RunScenarios.AssertEachStepStartedAndFinishedOnce(run);
        SideEffects.AssertEachAppliedOnce(run.Plan, mutations);
        await RunScenarios.AssertAppRunsOnAsync(cluster.Platform, ProcessCluster.App, run.Run.TargetAddonId!.Value, "heroku-kafka:standard-0", source);
        await SideEffects.AssertNoMessageLostAsync(cluster);
    }

    /// <summary>Plain calls (no client retries) to the Platform API, to show that the sandbox is failing calls.</summary>
    private async Task<List<HttpStatusCode>> ProbeStatusesAsync(int count)
    {
        using var http = new HttpClient { BaseAddress = cluster.SandboxUrl };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", SandboxUsers.Alice.ApiToken);
        http.DefaultRequestHeaders.Accept.ParseAdd("application/vnd.heroku+json; version=3");
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < count; i++) statuses.Add((await http.GetAsync($"apps/{ProcessCluster.App}")).StatusCode);
        return statuses;
    }

    /// <summary>A maintenance-window run from the demo's multi-tenant add-on to a dedicated one, approved by a second person.</summary>
    private async Task<(RunDetails Run, Guid Source)> MigrateToDedicatedAsync()
    {
        var source = Guid.Parse((await cluster.Platform.ListAttachmentsAsync(ProcessCluster.App)).Single(a => a.Name == AttachmentNames.Primary).Addon.Id);
        var plan = await RunScenarios.PlanAsync(cluster.Services, ProcessCluster.App, MigrationStrategy.MaintenanceWindow, "heroku-kafka:standard-0");
        var runId = await cluster.Runs.StartAsync(plan, RunScenarios.Starter);
        return (await RunScenarios.RunToCompletionApprovingAsync(cluster.Runs, runId, TimeSpan.FromMinutes(3)), source);
    }

    /// <summary>The dynos (web, worker) whose Hangfire servers processed the engine's jobs, from Hangfire's state history.</summary>
    private async Task<List<string>> ProcessesThatAdvancedRunsAsync()
    {
        await using var connection = new NpgsqlConnection(cluster.ConnectionString);
        await connection.OpenAsync();
        await using var query = new NpgsqlCommand(
            """
            SELECT DISTINCT split_part(split_part(s.data::json->>'ServerId', ':', 1), '.', 1)
            FROM hangfire.state s JOIN hangfire.job j ON j.id = s.jobid
            WHERE s.name = 'Processing' AND j.invocationdata::text LIKE '%AdvanceRunJob%'
            ORDER BY 1
            """, connection);
        var dynos = new List<string>();
        await using var reader = await query.ExecuteReaderAsync();
        while (await reader.ReadAsync()) dynos.Add(reader.GetString(0));
        return dynos;
    }
}
