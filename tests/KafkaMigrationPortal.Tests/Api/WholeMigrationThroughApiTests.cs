using System.Net;
using System.Text.Json.Nodes;
using KafkaMigrationPortal.Engine;
using KafkaMigrationPortal.Features.AccessTokens;
using KafkaMigrationPortal.Features.Api;
using KafkaMigrationPortal.Features.Identity;
using KafkaMigrationPortal.TestSupport;
using KafkaMigrationPortal.Tests.Execution;
using KafkaMigrationPortal.Tests.Execution.Proofs;
using KafkaMigrationPortal.Tests.Hosting;

namespace KafkaMigrationPortal.Tests.Api;

/// <summary>
/// A whole double-write migration of the demo app driven through the API alone, as a pipeline and a chat-op would:
/// alice's token plans, starts and follows the run's event stream; bob's token polls cheaply and approves every gate.
/// </summary>
[Collection(PortalHostCollection.Name)]
public sealed class WholeMigrationThroughApiTests : IAsyncLifetime
{
    private readonly string databaseFile = Path.Combine(Path.GetTempPath(), $"kmp-api-whole-{Guid.NewGuid():N}.db");
    private EngineHost host = null!;

    public Task InitializeAsync()
    {
        host = EngineHost.OnSqlite(databaseFile, manualScheduling: false, extra: new Dictionary<string, string?>
        {
            ["Sandbox:DemoTopicRetention"] = "00:00:15",
            ["Wizard:RetentionMargin"] = "00:00:02",
            ["Wizard:StrayWriteWindow"] = "00:00:03",
        });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await host.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        File.Delete(databaseFile);
    }

    private static readonly object ToBasic1 = new
    {
        app = "mackerel", targetPlan = "heroku-kafka:basic-1", strategy = MigrationRequestBody.DoubleWrite,
        producerProcessTypes = new[] { "producer" }, consumerProcessTypes = new[] { "consumer" },
    };

    [Fact]
    public async Task Alice_plans_starts_and_follows_a_double_write_run_and_bob_approves_every_gate_through_the_API_alone()
    {
        var alice = await host.PersonAsync("alice@example.com", HerokuScopes.Global);
        var bob = await host.PersonAsync("bob@example.com", HerokuScopes.Read, TeamRole.Viewer, TeamRole.Approver);
        var aliceApi = host.Client(await host.TokenAsync(alice, AccessTokenScopes.Read, AccessTokenScopes.Operate));
        var bobApi = host.Client(await host.TokenAsync(bob, AccessTokenScopes.Read, AccessTokenScopes.Approve));
        var source = (await host.SourceAsync()).Id;
        await Deadline.PollAsync(() => Task.FromResult(host.Ledger.Report("mackerel")),
            r => r.Topics.Count > 0 && r.Topics.All(t => t.Consumed > 0), TimeSpan.FromMinutes(1), "the demo consumer reads every topic");

        using var planned = await aliceApi.PostJsonAsync("/api/v1/plans", ToBasic1);
        var plan = await planned.JsonAsync();
        Assert.True((bool)plan["canStart"]!, plan.ToJsonString());
        var startBody = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(ToBasic1, ApiCalls.Json))!.AsObject();
        startBody["planVersion"] = (string?)plan["planVersion"];
        using var started = await aliceApi.PostJsonAsync("/api/v1/runs", startBody, idempotencyKey: "pipeline-42");
        using var repeated = await aliceApi.PostJsonAsync("/api/v1/runs", startBody, idempotencyKey: "pipeline-42");
        using var reused = await aliceApi.PostJsonAsync("/api/v1/runs", new { app = "mackerel", targetPlan = "heroku-kafka:basic-2", strategy = MigrationRequestBody.DoubleWrite,
            producerProcessTypes = new[] { "producer" }, consumerProcessTypes = new[] { "consumer" } }, idempotencyKey: "pipeline-42");

        Assert.True(HttpStatusCode.Created == started.StatusCode, await started.Content.ReadAsStringAsync());
        var runId = Guid.Parse((string)(await started.JsonAsync())["id"]!);
        Assert.Equal($"/api/v1/runs/{runId}", started.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.Created, repeated.StatusCode);
        Assert.Equal(runId.ToString(), (string?)(await repeated.JsonAsync())["id"]);
        await reused.AssertProblemAsync(HttpStatusCode.UnprocessableContent, ApiProblems.IdempotencyKeyReused);

        // Alice's script follows the run's events as they happen; bob's polls the run and decides each gate.
        var stream = await aliceApi.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"/api/v1/runs/{runId}/events/stream"), HttpCompletionOption.ResponseHeadersRead);
        var following = ServerSentEvents.ReadToEndAsync(stream);
        var approver = new Approver(bobApi, runId);
        var finished = await approver.DecideEveryGateAsync(TimeSpan.FromMinutes(4));

        Assert.True("succeeded" == (string?)finished["status"], finished.ToJsonString());
        var gates = plan["gates"]!.AsArray().Select(g => (int)g!).ToList();
        var decisions = finished["decisions"]!.AsArray();
        Assert.Equal(gates, decisions.Select(d => (int)d!["stepSequence"]!).Distinct());
        Assert.All(decisions, d => Assert.Equal(("bob@example.com", "approve"), ((string?)d!["person"], (string?)d["decision"])));
        Assert.True(approver.NotModified > 0, "bob's polls were answered 304 while the run had not changed");
        var events = await following.WaitAsync(TimeSpan.FromSeconds(30));
        using var afterwards = await bobApi.GetAsync($"/api/v1/runs/{runId}");
        Assert.Equal(Enumerable.Range(1, (int)(await afterwards.JsonAsync())["lastEventId"]!), events.Select(e => e.Id));
        Assert.Equal("run-succeeded", events[^1].Kind);
        stream.Dispose();

        var run = (await host.Runs.GetAsync(runId))!;
        await RunScenarios.AssertAppRunsOnAsync(host.Platform, "mackerel", run.Run.TargetAddonId!.Value, "heroku-kafka:basic-1", destroyed: source);
    }

    /// <summary>Bob's script: polls the run with If-None-Match, approves each gate with If-Match, retries while live checks say not yet.</summary>
    private sealed class Approver(HttpClient api, Guid runId)
    {
        private JsonNode? run;
        private string? etag;

        public int NotModified { get; private set; }

        private string Url => $"/api/v1/runs/{runId}";

        private async Task<JsonNode> LookAsync()
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, Url);
            if (etag is not null) request.Headers.TryAddWithoutValidation("If-None-Match", etag);
            using var response = await api.SendAsync(request);
            if (response.StatusCode == HttpStatusCode.NotModified)
            {
                NotModified++;
                return run!;
            }

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            (run, etag) = (await response.JsonAsync(), response.Headers.ETag!.ToString());
            return run;
        }

        public async Task<JsonNode> DecideEveryGateAsync(TimeSpan within)
        {
            var deadline = DateTime.UtcNow + within;
            while (true)
            {
                var now = await Deadline.PollAsync(LookAsync, r => (bool)r["finished"]! || r["pendingGate"] is JsonObject || (string?)r["status"] == "paused",
                    Remaining(deadline), "the run needs a person or ends");
                if ((bool)now["finished"]! || (string?)now["status"] == "paused") return now;
                var gate = now["pendingGate"]!;
                await Deadline.PollAsync(async () =>
                {
                    using var approval = await api.PostJsonAsync((string)gate["approveUrl"]!, new { comment = "checked from the pipeline" }, ifMatch: etag);
                    if (approval.StatusCode == HttpStatusCode.OK) return true;
                    // Live checks may lag the step that just passed by a moment; a refused approval is an event, so the version moved.
                    var problem = await approval.JsonAsync();
                    Assert.True((string?)problem["type"] is ApiProblems.TypeBase + Refusals.LiveChecksFailed or ApiProblems.TypeBase + ApiProblems.StaleETag, problem.ToJsonString());
                    etag = null;
                    await LookAsync();
                    return false;
                }, ok => ok, Remaining(deadline), $"bob's approval of “{gate["title"]}” is accepted");
            }
        }

        private static TimeSpan Remaining(DateTime deadline) => deadline - DateTime.UtcNow is { TotalSeconds: > 1 } left ? left : TimeSpan.FromSeconds(1);
    }
}
