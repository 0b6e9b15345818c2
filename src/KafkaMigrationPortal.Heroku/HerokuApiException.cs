using System.Net;

namespace KafkaMigrationPortal.Heroku;

/// <summary>
/// A Heroku API call that failed. <see cref="Exception.Message"/> is Heroku's own error message (never the request or
/// response body, which may carry config var values or certificates), fit to show in the UI.
/// </summary>
public sealed class HerokuApiException(HttpStatusCode status, string? id, string message, string? requestId)
    : Exception(message)
{
    /// <summary>Heroku asks for the owning app's name in <c>confirm</c> before it overwrites an attachment name.</summary>
    public const string ConfirmationRequiredId = "confirmation_required";

    public HttpStatusCode Status { get; } = status;

    /// <summary>Heroku's error id, e.g. <c>invalid_params</c>, <c>confirmation_required</c>, <c>rate_limit</c>.</summary>
    public string? Id { get; } = id;

    /// <summary>Heroku's <c>Request-Id</c>, for support tickets.</summary>
    public string? RequestId { get; } = requestId;

    public bool IsConfirmationRequired => Id == ConfirmationRequiredId;

    public bool IsNotFound => Status == HttpStatusCode.NotFound;

    public override string ToString() =>
        $"{nameof(HerokuApiException)}: {(int)Status} {Id ?? "(no id)"}: {Message} (request {RequestId ?? "unknown"}){Environment.NewLine}{StackTrace}";
}
