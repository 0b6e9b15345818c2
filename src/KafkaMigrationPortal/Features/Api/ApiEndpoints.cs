using System.Security.Claims;
using KafkaMigrationPortal.Engine;
using KafkaMigrationPortal.Engine.Execution;
using KafkaMigrationPortal.Features.Approvals;
using KafkaMigrationPortal.Features.Identity;
using KafkaMigrationPortal.Features.Migrations;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace KafkaMigrationPortal.Features.Api;

/// <summary>
/// The endpoints under <c>/api/v1</c>. Each calls the service the UI calls for the same thing (the wizard, the run
/// console, the approvals inbox), so roles, four eyes, live checks and the caller's own Heroku grant apply unchanged;
/// an endpoint only translates the service's answer into HTTP.
/// </summary>
internal static class ApiEndpoints
{
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    public static void MapRunEndpoints(this RouteGroupBuilder api)
    {
        api.MapPost("/plans", PlanAsync).RequireAuthorization(ApiPolicies.Operate)
            .WithName("planMigration").WithSummary("Plan a migration (a dry run: nothing changes)")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status502BadGateway);
        api.MapPost("/runs", StartAsync).RequireAuthorization(ApiPolicies.Operate)
            .WithName("startRun").WithSummary("Start a migration (idempotent with an Idempotency-Key header)")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        api.MapGet("/runs", ListAsync).RequireAuthorization(ApiPolicies.Read)
            .WithName("listRuns").WithSummary("List runs, newest first (paged)").Produces(StatusCodes.Status304NotModified);
        api.MapGet("/runs/{runId:guid}", GetAsync).RequireAuthorization(ApiPolicies.Read)
            .WithName("getRun").WithSummary("A run with its steps, waits and decisions").Produces(StatusCodes.Status304NotModified).ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("/runs/{runId:guid}/events", EventsAsync).RequireAuthorization(ApiPolicies.Read)
            .WithName("listRunEvents").WithSummary("A run's events after a cursor, oldest first").Produces(StatusCodes.Status304NotModified).ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("/runs/{runId:guid}/events/stream", RunEventStream.FollowAsync).RequireAuthorization(ApiPolicies.Read)
            .WithName("streamRunEvents").WithSummary("A run's events as Server-Sent Events, until it has finished")
            .Produces<ApiRunEvent>(StatusCodes.Status200OK, "text/event-stream").ProducesProblem(StatusCodes.Status404NotFound);
        api.MapPost("/runs/{runId:guid}/steps/{step:int}/approve", ApproveAsync).RequireAuthorization(ApiPolicies.Approve)
            .WithName("approveStep").WithSummary("Approve a gated step (live checks are made now)").WithDecisionProblems();
        api.MapPost("/runs/{runId:guid}/steps/{step:int}/reject", RejectAsync).RequireAuthorization(ApiPolicies.Approve)
            .WithName("rejectStep").WithSummary("Reject a gated step (a comment is required); the run pauses").WithDecisionProblems();
        api.MapPost("/runs/{runId:guid}/abort", AbortAsync).RequireAuthorization(ApiPolicies.Operate)
            .WithName("abortRun").WithSummary("Abort a run where it is").WithDecisionProblems();
        api.MapPost("/runs/{runId:guid}/rollback", RollbackAsync).RequireAuthorization(ApiPolicies.Operate)
            .WithName("rollBackRun").WithSummary("Roll a run back (before its point of no return)").WithDecisionProblems();
        api.MapGet("/approvals", ApprovalsAsync).RequireAuthorization(ApiPolicies.Read)
            .WithName("listPendingApprovals").WithSummary("Gates waiting for the caller's decision");
    }

    private static RouteHandlerBuilder WithDecisionProblems(this RouteHandlerBuilder endpoint) => endpoint
        .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound)
        .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status412PreconditionFailed);

    private static async Task<Results<Ok<ApiPlan>, ProblemHttpResult>> PlanAsync(
        MigrationRequestBody body, ClaimsPrincipal user, IMigrationWizard wizard, IOptions<WizardOptions> options, CancellationToken ct)
    {
        var (request, invalid) = body.ToRequest(options.Value.RetentionMargin);
        if (request is null) return ApiProblems.For(Refusals.InvalidRequest, invalid!);
        var preview = await wizard.PreviewAsync(user, request, ct);
        return preview.Succeeded ? TypedResults.Ok(ApiPlan.Of(request.App, preview.Value!)) : ApiProblems.Refused(preview.ErrorCode, preview.Error!);
    }

    private static async Task<Results<Created<ApiRun>, ProblemHttpResult>> StartAsync(
        MigrationRequestBody body, ClaimsPrincipal user, HttpRequest http, IMigrationWizard wizard, IRunConsole console,
        IdempotencyKeys idempotency, IOptions<WizardOptions> options, TimeProvider time, CancellationToken ct)
    {
        var (request, invalid) = body.ToRequest(options.Value.RetentionMargin);
        if (request is null) return ApiProblems.For(Refusals.InvalidRequest, invalid!);
        var key = http.Headers[IdempotencyKeyHeader].ToString();
        if (key.Length > IdempotencyKeys.MaxKeyLength) return ApiProblems.For(Refusals.InvalidRequest, $"An {IdempotencyKeyHeader} has at most {IdempotencyKeys.MaxKeyLength} characters.");
        var userId = user.UserId()!.Value;
        if (key.Length > 0)
        {
            switch (await idempotency.ClaimAsync(userId, key, body.Fingerprint(), ct))
            {
                case IdempotencyClaim.Repeat repeat:
                    return await CreatedAsync(repeat.RunId, console, time, ct);
                case IdempotencyClaim.Mismatch:
                    return ApiProblems.For(ApiProblems.IdempotencyKeyReused, $"The {IdempotencyKeyHeader} '{key}' was used with another request; use a new key for a new migration.");
                case IdempotencyClaim.InProgress:
                    return ApiProblems.For(ApiProblems.IdempotencyKeyInProgress, $"A start with the {IdempotencyKeyHeader} '{key}' is still being carried out; repeat it in a moment.");
            }
        }

        var started = await PlanAndStartAsync(body, request, user, wizard, ct);
        if (started.Succeeded)
        {
            if (key.Length > 0) await idempotency.CompleteAsync(userId, key, started.Value, CancellationToken.None);
            return await CreatedAsync(started.Value, console, time, ct);
        }

        if (key.Length > 0) await idempotency.ReleaseAsync(userId, key);
        return started.Problem!;
    }

    private sealed record Start(bool Succeeded, Guid Value, ProblemHttpResult? Problem);

    /// <summary>Plans from live state as the wizard's review does, then starts that plan (the wizard plans once more and compares).</summary>
    private static async Task<Start> PlanAndStartAsync(MigrationRequestBody body, Engine.Planning.MigrationRequest request, ClaimsPrincipal user, IMigrationWizard wizard, CancellationToken ct)
    {
        var preview = await wizard.PreviewAsync(user, request, ct);
        if (!preview.Succeeded) return new(false, default, ApiProblems.Refused(preview.ErrorCode, preview.Error!));
        var plan = ApiPlan.Of(request.App, preview.Value!);
        if (!preview.Value!.CanStart)
            return new(false, default, ApiProblems.For(Refusals.PlanRefused, string.Join(" ", plan.Refusals.Select(r => r.Message)),
                new Dictionary<string, object?> { ["refusals"] = plan.Refusals }));
        if (body.PlanVersion is { Length: > 0 } reviewed && reviewed != plan.PlanVersion)
            return new(false, default, ApiProblems.For(Refusals.PlanChanged,
                $"The plan is now {plan.PlanVersion}, not the reviewed {reviewed}: plan again and review it before starting.",
                new Dictionary<string, object?> { ["planVersion"] = plan.PlanVersion }));
        var started = await wizard.StartAsync(user, request, preview.Value.Plan!, ct);
        return started.Succeeded ? new(true, started.Value, null) : new(false, default, ApiProblems.Refused(started.ErrorCode, started.Error!));
    }

    private static async Task<Results<Created<ApiRun>, ProblemHttpResult>> CreatedAsync(Guid runId, IRunConsole console, TimeProvider time, CancellationToken ct)
    {
        var run = await ReadRunAsync(runId, console, time, ct);
        return run.Succeeded ? TypedResults.Created(ApiRoutes.Run(runId), run.Value) : ApiProblems.Refused(run.ErrorCode, run.Error!);
    }

    private static async Task<Results<Ok<ApiRunPage>, StatusCodeHttpResult, ProblemHttpResult>> ListAsync(
        HttpContext http, ApiRunReader reader, int? page, int? pageSize, string? app, string? status, CancellationToken ct)
    {
        var (number, size) = (page ?? 1, pageSize ?? 20);
        if (number < 1 || size < 1 || size > ApiRunReader.MaxPageSize)
            return ApiProblems.For(Refusals.InvalidRequest, $"'page' counts from 1 and 'pageSize' is 1 to {ApiRunReader.MaxPageSize}.");
        MigrationRunStatus? wanted = null;
        if (!string.IsNullOrEmpty(status))
        {
            wanted = Enum.GetValues<MigrationRunStatus>().Where(s => ApiRun.Name(s) == status).Cast<MigrationRunStatus?>().FirstOrDefault();
            if (wanted is null)
                return ApiProblems.For(Refusals.InvalidRequest, $"'status' is one of {string.Join(", ", Enum.GetValues<MigrationRunStatus>().Select(ApiRun.Name))}.");
        }

        var read = await reader.PageAsync(number, size, app, wanted, ct);
        if (!read.Succeeded) return ApiProblems.Refused(read.ErrorCode, read.Error!);
        var (runs, total) = read.Value;
        var etag = $"\"{MigrationRequestBody.Hash($"{number}:{size}:{app}:{status}:{total}:{string.Join(',', runs.Select(r => r.Fingerprint))}")[..20]}\"";
        if (NotModified(http, etag)) return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        string? next = null;
        if (number * size < total)
        {
            next = $"{ApiRoutes.Base}/runs?page={number + 1}&pageSize={size}" + (app is null ? "" : $"&app={Uri.EscapeDataString(app)}") + (status is null ? "" : $"&status={status}");
            http.Response.Headers.Append(HeaderNames.Link, $"<{next}>; rel=\"next\"");
        }

        var items = runs.Select(r => r.Run).Select(r => new ApiRunSummary(r.Id, r.App, r.SourceAddon, r.TargetPlan, ApiPlan.StrategyName(r.Strategy), ApiRun.Name(r.Status),
            r.StartedBy, r.CreatedAt, r.UpdatedAt, r.FinishedAt, ApiRoutes.Run(r.Id))).ToList();
        return TypedResults.Ok(new ApiRunPage(items, number, size, total, next));
    }

    private static async Task<Results<Ok<ApiRun>, StatusCodeHttpResult, ProblemHttpResult>> GetAsync(
        Guid runId, HttpContext http, ApiRunReader reader, IRunConsole console, TimeProvider time, CancellationToken ct)
    {
        if (http.Request.Headers.IfNoneMatch.Count > 0)
        {
            // A poller that has the current version gets 304 from two small queries, without the run being loaded.
            var version = await reader.VersionAsync(runId, ct);
            if (version is { Succeeded: true, Value: { } current } && NotModified(http, current.ETag))
                return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }

        var run = await ReadRunAsync(runId, console, time, ct);
        if (!run.Succeeded) return ApiProblems.Refused(run.ErrorCode, run.Error!);
        http.Response.Headers.ETag = run.Value!.ETag;
        return TypedResults.Ok(run.Value);
    }

    private static async Task<Results<Ok<ApiEventPage>, StatusCodeHttpResult, ProblemHttpResult>> EventsAsync(
        Guid runId, HttpContext http, ApiRunReader reader, int? after, int? limit, CancellationToken ct)
    {
        var (from, size) = (after ?? 0, limit ?? 100);
        if (from < 0 || size < 1 || size > ApiRunReader.MaxEvents)
            return ApiProblems.For(Refusals.InvalidRequest, $"'after' is an event id (0 for the first) and 'limit' is 1 to {ApiRunReader.MaxEvents}.");
        if (http.Request.Headers.IfNoneMatch.Count > 0)
        {
            var version = await reader.VersionAsync(runId, ct);
            if (version is { Succeeded: true, Value: { } current } && NotModified(http, current.PageETag(from, size)))
                return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }

        var read = await reader.EventsAfterAsync(runId, from, size, ct);
        if (!read.Succeeded) return ApiProblems.Refused(read.ErrorCode, read.Error!);
        if (read.Value is not { } found) return ApiProblems.For(Refusals.RunNotFound, $"There is no migration run {runId}.");
        var last = found.Events.Count == 0 ? from : found.Events[^1].Sequence;
        string? next = null;
        if (last < found.Version.LastEventId)
        {
            next = $"{ApiRoutes.Run(runId)}/events?after={last}&limit={size}";
            http.Response.Headers.Append(HeaderNames.Link, $"<{next}>; rel=\"next\"");
        }

        http.Response.Headers.ETag = found.Version.PageETag(from, size);
        return TypedResults.Ok(new ApiEventPage(found.Events.Select(ApiRunEvent.Of).ToList(), last, next, found.Version.Finished));
    }

    private static Task<Results<Ok<ApiCommandResult>, ProblemHttpResult>> ApproveAsync(
        Guid runId, int step, [FromBody] DecisionBody? body, ClaimsPrincipal user, HttpContext http, IRunConsole console, ApiRunReader reader, TimeProvider time, CancellationToken ct) =>
        CommandAsync(runId, http, console, reader, time, ct, () => console.ApproveAsync(user, runId, step, body?.Comment, ct));

    private static Task<Results<Ok<ApiCommandResult>, ProblemHttpResult>> RejectAsync(
        Guid runId, int step, [FromBody] DecisionBody? body, ClaimsPrincipal user, HttpContext http, IRunConsole console, ApiRunReader reader, TimeProvider time, CancellationToken ct) =>
        CommandAsync(runId, http, console, reader, time, ct, () => console.RejectAsync(user, runId, step, body?.Comment ?? "", ct));

    private static Task<Results<Ok<ApiCommandResult>, ProblemHttpResult>> AbortAsync(
        Guid runId, [FromBody] ReasonBody? body, ClaimsPrincipal user, HttpContext http, IRunConsole console, ApiRunReader reader, TimeProvider time, CancellationToken ct) =>
        CommandAsync(runId, http, console, reader, time, ct, () => console.AbortAsync(user, runId, body?.Reason ?? "", ct));

    private static Task<Results<Ok<ApiCommandResult>, ProblemHttpResult>> RollbackAsync(
        Guid runId, [FromBody] ReasonBody? body, ClaimsPrincipal user, HttpContext http, IRunConsole console, ApiRunReader reader, TimeProvider time, CancellationToken ct) =>
        CommandAsync(runId, http, console, reader, time, ct, () => console.RollbackAsync(user, runId, body?.Reason ?? "", ct));

    /// <summary>
    /// Carries out a command unless <c>If-Match</c> names a version the run has left (412), then answers the run as it is.
    /// </summary>
    private static async Task<Results<Ok<ApiCommandResult>, ProblemHttpResult>> CommandAsync(
        Guid runId, HttpContext http, IRunConsole console, ApiRunReader reader, TimeProvider time, CancellationToken ct, Func<Task<RunCommandResult>> command)
    {
        var ifMatch = http.Request.Headers.IfMatch;
        if (ifMatch.Count > 0)
        {
            var version = await reader.VersionAsync(runId, ct);
            if (!version.Succeeded) return ApiProblems.Refused(version.ErrorCode, version.Error!);
            if (version.Value is not { } current) return ApiProblems.For(Refusals.RunNotFound, $"There is no migration run {runId}.");
            if (!Matches(ifMatch, current.ETag))
                return ApiProblems.For(ApiProblems.StaleETag, $"The run is at version {current.ETag} now, not {ifMatch}: read it again and decide on what it is now.",
                    new Dictionary<string, object?> { ["etag"] = current.ETag });
        }

        var result = await command();
        if (!result.Succeeded)
            return ApiProblems.Refused(result.Refusal, result.Message, result.Checks is null ? null : new Dictionary<string, object?> { ["checks"] = ApiLiveCheck.Of(result.Checks) });
        var run = await ReadRunAsync(runId, console, time, ct);
        if (!run.Succeeded) return ApiProblems.Refused(run.ErrorCode, run.Error!);
        http.Response.Headers.ETag = run.Value!.ETag;
        return TypedResults.Ok(new ApiCommandResult(result.Message, run.Value, ApiLiveCheck.Of(result.Checks)));
    }

    private static async Task<Results<Ok<IReadOnlyList<ApiPendingApproval>>, ProblemHttpResult>> ApprovalsAsync(ClaimsPrincipal user, IApprovalInbox inbox, CancellationToken ct)
    {
        var pending = await inbox.ListAsync(user, ct);
        return pending.Succeeded
            ? TypedResults.Ok<IReadOnlyList<ApiPendingApproval>>(pending.Value!.Select(ApiPendingApproval.Of).ToList())
            : ApiProblems.Refused(pending.ErrorCode ?? Refusals.Unavailable, pending.Error!);
    }

    private static async Task<QueryResult<ApiRun>> ReadRunAsync(Guid runId, IRunConsole console, TimeProvider time, CancellationToken ct)
    {
        var details = await console.GetAsync(runId, ct);
        if (!details.Succeeded) return QueryResult<ApiRun>.Failed(details.Error!, details.ErrorCode);
        var d = details.Value!;
        var version = new RunVersion(runId, d.Run.Version, d.Events.Count == 0 ? 0 : d.Events[^1].Sequence, d.Run.Status);
        return QueryResult<ApiRun>.Ok(ApiRun.Of(d, version.ETag, time.GetUtcNow()));
    }

    private static bool NotModified(HttpContext http, string etag)
    {
        var ifNoneMatch = http.Request.Headers.IfNoneMatch;
        http.Response.Headers.ETag = etag;
        return ifNoneMatch.Count > 0 && Matches(ifNoneMatch, etag);
    }

    private static bool Matches(Microsoft.Extensions.Primitives.StringValues header, string etag) =>
        EntityTagHeaderValue.TryParseList(header, out var tags)
        && tags.Any(t => t.Equals(EntityTagHeaderValue.Any) || t.Tag.Equals(EntityTagHeaderValue.Parse(etag).Tag, StringComparison.Ordinal));
}
