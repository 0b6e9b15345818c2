using KafkaMigrationPortal.Engine;
using KafkaMigrationPortal.Features.AccessTokens;
using Microsoft.AspNetCore.Http.HttpResults;

namespace KafkaMigrationPortal.Features.Api;

/// <summary>
/// The API's refusals as RFC 9457 problem details: one stable <c>type</c> per refusal, named after the service's
/// <see cref="Refusals"/> (or the API's own below), so scripts key on it rather than on the wording.
/// </summary>
public static class ApiProblems
{
    public const string TypeBase = "https://kafka-migration-portal/problems/";

    // The API's own refusals, beside the services' Refusals and AccessTokenRefusals.
    public const string WrongScope = "wrong-scope";
    public const string StaleETag = "stale-etag";
    public const string IdempotencyKeyReused = "idempotency-key-reused";
    public const string IdempotencyKeyInProgress = "idempotency-key-in-progress";
    public const string NotFound = "not-found";
    public const string RateLimited = "rate-limited";
    public const string OtherRefusal = "refused";

    /// <summary>Every problem type the API answers, with its status and title (the README's table lists the same).</summary>
    public static IReadOnlyDictionary<string, (int Status, string Title)> Catalogue { get; } = new Dictionary<string, (int, string)>(StringComparer.Ordinal)
    {
        [AccessTokenRefusals.Missing] = (401, "An access token is required"),
        [AccessTokenRefusals.Invalid] = (401, "The access token is not valid"),
        [AccessTokenRefusals.Revoked] = (401, "The access token was revoked"),
        [AccessTokenRefusals.Expired] = (401, "The access token has expired"),
        [WrongScope] = (403, "The access token's scopes do not allow this"),
        [Refusals.NotAMember] = (403, "The token's owner is no longer a user of the portal"),
        [Refusals.RoleRequired] = (403, "The token's owner lacks the role this needs"),
        [Refusals.SelfApproval] = (403, "Nobody decides on a run they started"),
        [Refusals.HerokuGrantNeeded] = (403, "The owner's Heroku grant has too narrow a scope"),
        [Refusals.NoAppAccess] = (403, "The owner's Heroku account cannot access the app"),
        [Refusals.RunNotFound] = (404, "No such run"),
        [NotFound] = (404, "No such resource"),
        [Refusals.StepNotAwaitingApproval] = (409, "The step is not waiting for a decision"),
        [Refusals.StepNotAwaitingConfirmation] = (409, "The step is not waiting for a manual confirmation"),
        [Refusals.LiveChecksFailed] = (409, "Live checks do not allow the approval yet"),
        [Refusals.RunBusy] = (409, "The run is busy with a step"),
        [Refusals.RunNotActive] = (409, "The run is not active"),
        [Refusals.RunNotResumable] = (409, "The run cannot be resumed"),
        [Refusals.PastPointOfNoReturn] = (409, "The run is past its point of no return"),
        [Refusals.AnotherRunActive] = (409, "Another migration of the app is not finished"),
        [Refusals.PlanChanged] = (409, "The plan changed since it was reviewed"),
        [IdempotencyKeyInProgress] = (409, "A request with this Idempotency-Key is still being carried out"),
        [StaleETag] = (412, "The run changed since the If-Match version"),
        [Refusals.PlanRefused] = (422, "The migration cannot be planned"),
        [IdempotencyKeyReused] = (422, "The Idempotency-Key was used with another request"),
        [OtherRefusal] = (409, "Refused"),
        [RateLimited] = (429, "Too many requests with this token"),
        [Refusals.InvalidRequest] = (400, "The request is not valid"),
        [Refusals.HerokuUnavailable] = (502, "Heroku did not answer"),
        [Refusals.Unavailable] = (503, "The portal could not carry this out now"),
    };

    public static ProblemHttpResult For(string code, string detail, IDictionary<string, object?>? extensions = null)
    {
        var (status, title) = Catalogue.TryGetValue(code, out var known) ? known : Catalogue[OtherRefusal];
        return TypedResults.Problem(detail, statusCode: status, title: title, type: TypeBase + code, extensions: extensions);
    }

    /// <summary>A service's refusal; a refusal it did not name is a conflict with the run's state.</summary>
    public static ProblemHttpResult Refused(string? code, string message, IDictionary<string, object?>? extensions = null) =>
        For(code ?? OtherRefusal, message, extensions);
}
