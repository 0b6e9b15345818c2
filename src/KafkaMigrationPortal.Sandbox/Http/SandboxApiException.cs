namespace KafkaMigrationPortal.Sandbox.Http;

/// <summary>An error answered the way Heroku does: an HTTP status and a JSON body <c>{id, message, url}</c>.
/// Messages never carry secrets.</summary>
public sealed class SandboxApiException(int statusCode, string id, string message) : Exception(message)
{
    public int StatusCode { get; } = statusCode;

    public string Id { get; } = id;

    public static SandboxApiException NotFound(string message) => new(404, "not_found", message);

    public static SandboxApiException InvalidParams(string message) => new(422, "invalid_params", message);

    public static SandboxApiException BadRequest(string message) => new(400, "bad_request", message);

    public static SandboxApiException Forbidden(string message) => new(403, "forbidden", message);

    public static SandboxApiException Unauthorized(string message = "Invalid credentials provided.") => new(401, "unauthorized", message);

    public static SandboxApiException RateLimit() =>
        new(429, "rate_limit", "Your account reached the API rate limit. Please wait a few minutes before making new requests.");

    public static SandboxApiException Conflict(string message) => new(409, "conflict", message);

    // Heroku answers a destructive change that needs the app name echoed back with 423 Locked.
    public static SandboxApiException ConfirmationRequired(string message) => new(423, "confirmation_required", message);
}
