using System.Net;
using System.Text.Json.Nodes;
using KafkaMigrationPortal.Engine;
using KafkaMigrationPortal.Engine.Planning;
using KafkaMigrationPortal.Features.Api;
using KafkaMigrationPortal.Features.Identity;
using KafkaMigrationPortal.TestSupport;
using KafkaMigrationPortal.Tests.Hosting;

namespace KafkaMigrationPortal.Tests.Api;

/// <summary>Every run endpoint against the embedded sandbox, with the UI's rules: roles, four eyes, the caller's own
/// Heroku access, versions.</summary>
[Collection(PortalHostCollection.Name)]
public sealed class RunApiTests(RunApiPortal portal) : IClassFixture<RunApiPortal>
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(60);

    private static object DoubleWriteTo(string plan, string? strategy = MigrationRequestBody.DoubleWrite) => new
    {
        app = "mackerel", sourceAttachment = "KAFKA", targetPlan = plan, strategy, producerProcessTypes = new[] { "producer" }, consumerProcessTypes = new[] { "consumer" },
    };

    private static async Task<(JsonNode Run, string ETag)> ReadAsync(HttpClient client, Guid runId)
    {
        using var response = await client.GetAsync($"/api/v1/runs/{runId}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.JsonAsync(), response.Headers.ETag!.ToString());
    }

    private static Task<(JsonNode Run, string ETag)> UntilAsync(HttpClient client, Guid runId, Func<JsonNode, bool> done, string what) =>
        Deadline.PollAsync(() => ReadAsync(client, runId), r => done(r.Run), Within, what);

    [Fact]
    public async Task A_plan_is_a_dry_run_with_every_CLI_line_the_gates_and_the_point_of_no_return_and_its_refusals()
    {
        await portal.EndActiveRunsAsync();
        var changesBefore = portal.Host.Mutations.Entries().Count;

        using var response = await portal.AliceApi.PostJsonAsync("/api/v1/plans", DoubleWriteTo("heroku-kafka:basic-1"));
        using var samePlan = await portal.AliceApi.PostJsonAsync("/api/v1/plans", DoubleWriteTo("heroku-kafka:basic-0-sandbox"));
        using var noStrategy = await portal.AliceApi.PostJsonAsync("/api/v1/plans", DoubleWriteTo("heroku-kafka:basic-1", strategy: null));
        using var byReadOnlyGrant = await portal.CarolApi.PostJsonAsync("/api/v1/plans", DoubleWriteTo("heroku-kafka:basic-1"));
        using var mirror = await portal.AliceApi.PostJsonAsync("/api/v1/plans", DoubleWriteTo("heroku-kafka:standard-0", strategy: MigrationRequestBody.Mirror));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var plan = await response.JsonAsync();
        Assert.True((bool)plan["canStart"]!, plan.ToJsonString());
        Assert.Equal(16, ((string?)plan["planVersion"])!.Length);
        var steps = plan["steps"]!.AsArray();
        Assert.True(steps.Count > 5);
        Assert.All(steps, s => Assert.False(string.IsNullOrWhiteSpace((string?)s!["cliCommand"])));
        Assert.Contains(steps, s => ((string?)s!["cliCommand"])!.StartsWith("heroku addons:create heroku-kafka:basic-1", StringComparison.Ordinal));
        var gates = plan["gates"]!.AsArray().Select(g => (int)g!).ToList();
        Assert.NotEmpty(gates);
        Assert.All(gates, g => Assert.True((bool)steps[g]!["requiresApproval"]!));
        var noReturn = (int)plan["pointOfNoReturn"]!;
        Assert.True((bool)steps[noReturn]!["pointOfNoReturn"]!);
        Assert.Equal(changesBefore, portal.Host.Mutations.Entries().Count);

        var refused = await samePlan.JsonAsync();
        Assert.False((bool)refused["canStart"]!);
        Assert.Contains(refused["refusals"]!.AsArray(), r => (string?)r!["code"] == RefusalCodes.SameTargetPlan);
        await noStrategy.AssertProblemAsync(HttpStatusCode.BadRequest, Refusals.InvalidRequest);
        await byReadOnlyGrant.AssertProblemAsync(HttpStatusCode.Forbidden, Refusals.HerokuGrantNeeded);
        var mirrored = await mirror.JsonAsync();
        Assert.True((bool)mirrored["canStart"]!, mirrored.ToJsonString());
        Assert.Equal("mirror", (string?)mirrored["strategy"]);
        Assert.Contains(mirrored["steps"]!.AsArray(), s => ((string?)s!["cliCommand"])!.StartsWith("# no Heroku CLI equivalent: the portal's mirror copies", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_mirror_engine_is_passed_to_the_planner_and_an_unknown_one_is_refused_before_anything_is_read()
    {
        await portal.EndActiveRunsAsync();
        object Mirror(string? engine) => new
        {
            app = "mackerel", sourceAttachment = "KAFKA", targetPlan = "heroku-kafka:standard-0", strategy = MigrationRequestBody.Mirror,
            producerProcessTypes = new[] { "producer" }, consumerProcessTypes = new[] { "consumer" }, mirrorEngine = engine,
        };

        using var mirrorMaker = await portal.AliceApi.PostJsonAsync("/api/v1/plans", Mirror(MigrationRequestBody.MirrorMaker2));
        using var byPortal = await portal.AliceApi.PostJsonAsync("/api/v1/plans", Mirror(MigrationRequestBody.PortalEngine));
        using var unknownPlan = await portal.AliceApi.PostJsonAsync("/api/v1/plans", Mirror("mm2"));
        using var unknownStart = await portal.AliceApi.PostJsonAsync("/api/v1/runs", Mirror("mm2"));
        using var startRefused = await portal.AliceApi.PostJsonAsync("/api/v1/runs", Mirror(MigrationRequestBody.MirrorMaker2));

        // The sandbox's add-on is a basic plan, which MirrorMaker 2 cannot copy from: the planner, not the parser, refuses it.
        Assert.Equal(HttpStatusCode.OK, mirrorMaker.StatusCode);
        var refused = await mirrorMaker.JsonAsync();
        Assert.False((bool)refused["canStart"]!);
        Assert.Contains(refused["refusals"]!.AsArray(), r => (string?)r!["code"] == RefusalCodes.MirrorEngineMultiTenant);
        var portalPlan = await byPortal.JsonAsync();
        Assert.True((bool)portalPlan["canStart"]!, portalPlan.ToJsonString());
        Assert.Equal("portal", (string?)portalPlan["mirrorEngine"]);
        Assert.Null(portalPlan["mirrorMaker2"]);
        foreach (var unknown in new[] { unknownPlan, unknownStart })
        {
            var problem = await unknown.AssertProblemAsync(HttpStatusCode.BadRequest, Refusals.InvalidRequest);
            Assert.Contains("'mirrorEngine' must be 'portal' (the default) or 'mirror-maker-2'", (string?)problem["detail"]);
        }

        var notStarted = await startRefused.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, Refusals.PlanRefused);
        Assert.Contains(notStarted["refusals"]!.AsArray(), r => (string?)r!["code"] == RefusalCodes.MirrorEngineMultiTenant);
    }

    [Fact]
    public async Task A_gate_is_decided_only_by_an_approver_who_did_not_start_the_run_and_only_on_its_current_version()
    {
        var runId = await portal.RunAtItsGateAsync();
        var (atGate, etag) = await UntilAsync(portal.BobApi, runId, r => r["pendingGate"] is JsonObject, "the API shows the gate");
        var gate = (int)atGate["pendingGate"]!["stepSequence"]!;
        var approve = $"/api/v1/runs/{runId}/steps/{gate}/approve";

        using var unchanged = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/runs/{runId}");
        unchanged.Headers.TryAddWithoutValidation("If-None-Match", etag);
        using var notModified = await portal.BobApi.SendAsync(unchanged);
        await portal.SetRolesAsync(portal.Bob, TeamRole.Viewer);
        using var byViewer = await portal.BobApi.PostJsonAsync(approve, new { comment = "looks fine" });
        await portal.SetRolesAsync(portal.Bob, TeamRole.Viewer, TeamRole.Approver);
        using var withoutAppAccess = await portal.CarolApi.PostJsonAsync(approve, new { comment = "looks fine" });
        using var byStarter = await portal.AliceApi.PostJsonAsync(approve, new { comment = "my own" });
        using var stale = await portal.BobApi.PostJsonAsync(approve, new { comment = "ok" }, ifMatch: "\"0000000000\"");
        using var rejectWithoutWhy = await portal.BobApi.PostJsonAsync($"/api/v1/runs/{runId}/steps/{gate}/reject", new { });
        var (_, current) = await ReadAsync(portal.BobApi, runId);
        using var approved = await portal.BobApi.PostJsonAsync(approve, new { comment = "checked" }, ifMatch: current);

        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        await byViewer.AssertProblemAsync(HttpStatusCode.Forbidden, Refusals.RoleRequired);
        await withoutAppAccess.AssertProblemAsync(HttpStatusCode.Forbidden, Refusals.NoAppAccess);
        await byStarter.AssertProblemAsync(HttpStatusCode.Forbidden, Refusals.SelfApproval);
        var staleProblem = await stale.AssertProblemAsync(HttpStatusCode.PreconditionFailed, ApiProblems.StaleETag);
        Assert.Equal(etag, (string?)staleProblem["etag"]);
        await rejectWithoutWhy.AssertProblemAsync(HttpStatusCode.BadRequest, Refusals.InvalidRequest);
        Assert.Equal(etag, current);
        Assert.True(HttpStatusCode.OK == approved.StatusCode, await approved.Content.ReadAsStringAsync());
        var decided = await approved.JsonAsync();
        Assert.Equal("bob@example.com", (string?)decided["run"]!["decisions"]![0]!["person"]);
        Assert.NotEqual(etag, approved.Headers.ETag!.ToString());

        var (done, _) = await UntilAsync(portal.BobApi, runId, r => (bool)r["finished"]!, "the run finishes after the approval");
        Assert.Equal("succeeded", (string?)done["status"]);
        using var again = await portal.BobApi.PostJsonAsync(approve, new { comment = "twice" });
        await again.AssertProblemAsync(HttpStatusCode.Conflict, Refusals.StepNotAwaitingApproval);
        using var abortFinished = await portal.AliceApi.PostJsonAsync($"/api/v1/runs/{runId}/abort", new { reason = "too late" });
        await abortFinished.AssertProblemAsync(HttpStatusCode.Conflict, Refusals.RunNotActive);
    }

    [Fact]
    public async Task A_rejection_pauses_the_run_and_rolling_back_and_aborting_need_an_operator_a_reason_and_the_current_version()
    {
        var rolledBack = await portal.RunAtItsGateAsync();
        using var byApprover = await portal.BobApi.PostJsonAsync($"/api/v1/runs/{rolledBack}/rollback", new { reason = "no" });
        using var withoutOperateScope = await portal.BobDecidingOnly.PostJsonAsync($"/api/v1/runs/{rolledBack}/rollback", new { reason = "no" });
        var (atGate, _) = await ReadAsync(portal.BobApi, rolledBack);
        using var rejected = await portal.BobApi.PostJsonAsync((string)atGate["pendingGate"]!["rejectUrl"]!, new { comment = "wrong target plan" });
        using var withoutReason = await portal.AliceApi.PostJsonAsync($"/api/v1/runs/{rolledBack}/rollback", new { });
        using var rollback = await portal.AliceApi.PostJsonAsync($"/api/v1/runs/{rolledBack}/rollback", new { reason = "wrong plan" });

        Assert.True(HttpStatusCode.OK == rejected.StatusCode, await rejected.Content.ReadAsStringAsync());
        var pausedByRejection = (await rejected.JsonAsync())["run"]!;
        Assert.Equal("paused", (string?)pausedByRejection["status"]);
        Assert.Equal(("bob@example.com", "reject", "wrong target plan"),
            ((string?)pausedByRejection["decisions"]![0]!["person"], (string?)pausedByRejection["decisions"]![0]!["decision"], (string?)pausedByRejection["decisions"]![0]!["comment"]));
        await byApprover.AssertProblemAsync(HttpStatusCode.Forbidden, Refusals.RoleRequired);
        await withoutOperateScope.AssertProblemAsync(HttpStatusCode.Forbidden, ApiProblems.WrongScope);
        await withoutReason.AssertProblemAsync(HttpStatusCode.BadRequest, Refusals.InvalidRequest);
        Assert.True(HttpStatusCode.OK == rollback.StatusCode, await rollback.Content.ReadAsStringAsync());
        var (undone, _) = await UntilAsync(portal.AliceApi, rolledBack, r => (bool)r["finished"]!, "the rollback ends");
        Assert.Equal("rolled-back", (string?)undone["status"]);

        var aborted = await portal.RunAtItsGateAsync();
        using var stale = await portal.AliceApi.PostJsonAsync($"/api/v1/runs/{aborted}/abort", new { reason = "stop" }, ifMatch: "\"0000000000\"");
        var (_, etag) = await ReadAsync(portal.AliceApi, aborted);
        using var abort = await portal.AliceApi.PostJsonAsync($"/api/v1/runs/{aborted}/abort", new { reason = "stop" }, ifMatch: etag);

        await stale.AssertProblemAsync(HttpStatusCode.PreconditionFailed, ApiProblems.StaleETag);
        Assert.True(HttpStatusCode.OK == abort.StatusCode, await abort.Content.ReadAsStringAsync());
        var result = await abort.JsonAsync();
        Assert.Equal("aborted", (string?)result["run"]!["status"]);
        Assert.StartsWith("Aborted", (string?)result["message"]);
    }

    [Fact]
    public async Task Runs_are_listed_newest_first_in_pages_and_an_unchanged_page_is_not_sent_again()
    {
        var older = await portal.RunAtItsGateAsync();
        await portal.Host.Runs.AbortAsync(older, "alice@example.com", "listing");
        var newer = await portal.RunAtItsGateAsync();
        await portal.Host.Runs.AbortAsync(newer, "alice@example.com", "listing");

        using var first = await portal.CarolApi.GetAsync("/api/v1/runs?pageSize=1&app=mackerel&status=aborted");
        var page = await first.JsonAsync();
        using var second = await portal.CarolApi.GetAsync((string)page["next"]!);
        using var unchanged = new HttpRequestMessage(HttpMethod.Get, "/api/v1/runs?pageSize=1&app=mackerel&status=aborted");
        unchanged.Headers.TryAddWithoutValidation("If-None-Match", first.Headers.ETag!.ToString());
        using var notModified = await portal.CarolApi.SendAsync(unchanged);
        using var badStatus = await portal.CarolApi.GetAsync("/api/v1/runs?status=finished");
        using var tooLarge = await portal.CarolApi.GetAsync("/api/v1/runs?pageSize=1000");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.True((int)page["total"]! >= 2);
        Assert.Equal(newer.ToString(), (string?)page["items"]![0]!["id"]);
        Assert.Equal($"</api/v1/runs?page=2&pageSize=1&app=mackerel&status=aborted>; rel=\"next\"", first.Headers.GetValues("Link").Single());
        Assert.Equal(older.ToString(), (string?)(await second.JsonAsync())["items"]![0]!["id"]);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        await badStatus.AssertProblemAsync(HttpStatusCode.BadRequest, Refusals.InvalidRequest);
        await tooLarge.AssertProblemAsync(HttpStatusCode.BadRequest, Refusals.InvalidRequest);
    }

    [Fact]
    public async Task Events_come_in_pages_after_a_cursor_and_as_a_stream_that_resumes_from_Last_Event_ID_and_ends_with_the_run()
    {
        var runId = await portal.RunAtItsGateAsync();
        await portal.Host.Runs.AbortAsync(runId, "alice@example.com", "events");
        var (run, _) = await ReadAsync(portal.CarolApi, runId);
        var lastEvent = (int)run["lastEventId"]!;

        using var firstTwo = await portal.CarolApi.GetAsync($"/api/v1/runs/{runId}/events?after=0&limit=2");
        var page = await firstTwo.JsonAsync();
        using var rest = await portal.CarolApi.GetAsync((string)page["next"]!);
        using var streamRequest = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/runs/{runId}/events/stream");
        streamRequest.Headers.Add("Last-Event-ID", "2");
        using var stream = await portal.CarolApi.SendAsync(streamRequest, HttpCompletionOption.ResponseHeadersRead);
        var streamed = await ServerSentEvents.ReadToEndAsync(stream);
        using var unknownRun = await portal.CarolApi.GetAsync($"/api/v1/runs/{Guid.NewGuid()}/events");
        using var unknownStream = await portal.CarolApi.GetAsync($"/api/v1/runs/{Guid.NewGuid()}/events/stream");

        Assert.Equal([1, 2], page["items"]!.AsArray().Select(e => (int)e!["id"]!));
        Assert.Equal(2, (int)page["after"]!);
        var restIds = (await rest.JsonAsync())["items"]!.AsArray().Select(e => (int)e!["id"]!).ToList();
        Assert.Equal(Enumerable.Range(3, lastEvent - 2), restIds);
        Assert.Equal("text/event-stream", stream.Content.Headers.ContentType?.MediaType);
        Assert.Equal(restIds, streamed.Select(e => e.Id));
        Assert.Equal("aborted", streamed[^1].Kind);
        Assert.Equal(lastEvent, (int)streamed[^1].Data["id"]!);
        await unknownRun.AssertProblemAsync(HttpStatusCode.NotFound, Refusals.RunNotFound);
        await unknownStream.AssertProblemAsync(HttpStatusCode.NotFound, Refusals.RunNotFound);
    }

    [Fact]
    public async Task A_poller_of_events_gets_304_until_the_run_has_new_ones()
    {
        var runId = await portal.RunAtItsGateAsync();
        var events = $"/api/v1/runs/{runId}/events?after=0&limit={ApiRunReader.MaxEvents}";
        using var first = await portal.CarolApi.GetAsync(events);
        var seen = (await first.JsonAsync())["items"]!.AsArray().Count;
        var etag = first.Headers.ETag!.ToString();

        using var unchanged = await IfNoneMatchAsync(portal.CarolApi, events, etag);
        using var otherCursor = await IfNoneMatchAsync(portal.CarolApi, $"/api/v1/runs/{runId}/events?after=1&limit={ApiRunReader.MaxEvents}", etag);
        await portal.Host.Runs.AbortAsync(runId, "alice@example.com", "polling");
        using var changed = await IfNoneMatchAsync(portal.CarolApi, events, etag);

        Assert.Equal(HttpStatusCode.NotModified, unchanged.StatusCode);
        Assert.Equal(HttpStatusCode.OK, otherCursor.StatusCode);
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        var items = (await changed.JsonAsync())["items"]!.AsArray();
        Assert.True(items.Count > seen, $"{items.Count} events after the abort, {seen} before");
        Assert.Equal("aborted", (string?)items[^1]!["kind"]);
        Assert.NotEqual(etag, changed.Headers.ETag!.ToString());
    }

    private static async Task<HttpResponseMessage> IfNoneMatchAsync(HttpClient client, string path, string etag)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.TryAddWithoutValidation("If-None-Match", etag);
        return await client.SendAsync(request);
    }

    [Fact]
    public async Task The_approvals_waiting_for_someone_list_only_gates_they_may_decide()
    {
        var runId = await portal.RunAtItsGateAsync();
        try
        {
            using var forBob = await portal.BobApi.GetAsync("/api/v1/approvals");
            using var forAlice = await portal.AliceApi.GetAsync("/api/v1/approvals");

            var pending = Assert.Single((await forBob.JsonAsync()).AsArray());
            Assert.Equal(runId.ToString(), (string?)pending!["runId"]);
            Assert.EndsWith("/approve", (string?)pending["approveUrl"]);
            Assert.Empty((await forAlice.JsonAsync()).AsArray());
        }
        finally
        {
            await portal.Host.Runs.AbortAsync(runId, "alice@example.com", "done");
        }
    }
}
