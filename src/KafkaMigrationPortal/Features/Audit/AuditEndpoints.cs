using System.Globalization;
using KafkaMigrationPortal.Engine.Audit;
using KafkaMigrationPortal.Features.Identity;

namespace KafkaMigrationPortal.Features.Audit;

public static class AuditEndpoints
{
    public const string ExportPath = "/audit/export";
    public const string VerifyPath = "/audit/verify";

    /// <summary>Export and verify together, per user: each reads the whole log (or a filtered slice of it).</summary>
    public const int RequestsPerWindow = 10;

    public static readonly TimeSpan RateLimitWindow = TimeSpan.FromMinutes(1);

    public static IServiceCollection AddAuditReaders(this IServiceCollection services) => services.AddSingleton<AuditReaders>();

    /// <summary>
    /// <c>/audit/export?format=csv|jsonl&amp;app=&amp;run=&amp;user=&amp;action=&amp;from=&amp;to=</c> and <c>/audit/verify</c>,
    /// for approvers and admins (a signed-in viewer gets 403), at most <see cref="RequestsPerWindow"/> a minute per user (then 429).
    /// </summary>
    public static IEndpointRouteBuilder MapAuditEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var audit = endpoints.MapGroup("")
            .RequireAuthorization(PortalPolicies.CanView)
            .AddEndpointFilter(OnlyReaders);
        audit.MapGet(ExportPath, async (HttpContext context, AuditExport export, TimeProvider time, string? format, string? app, Guid? run, string? user, string? action, DateTimeOffset? from, DateTimeOffset? to) =>
        {
            var filter = new AuditFilter(app, run, user, action, from, to);
            var stamp = time.GetUtcNow().ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
            switch (format?.ToLowerInvariant() ?? "csv")
            {
                case "csv":
                    context.Response.ContentType = "text/csv; charset=utf-8";
                    context.Response.Headers.ContentDisposition = $"attachment; filename=\"audit-{stamp}.csv\"";
                    await export.WriteCsvAsync(filter, context.Response.Body, context.RequestAborted);
                    return Results.Empty;
                case "jsonl":
                    context.Response.ContentType = "application/jsonl; charset=utf-8";
                    context.Response.Headers.ContentDisposition = $"attachment; filename=\"audit-{stamp}.jsonl\"";
                    await export.WriteJsonLinesAsync(filter, context.Response.Body, context.RequestAborted);
                    return Results.Empty;
                default:
                    return Results.BadRequest("format must be csv or jsonl");
            }
        });

        audit.MapGet(VerifyPath, async (AuditLog log, CancellationToken cancellationToken) => Results.Ok(await log.VerifyAsync(cancellationToken)));
        return endpoints;
    }

    /// <summary>
    /// The role and rate check as a filter rather than a policy: a failed policy makes the cookie handler redirect to
    /// the access-denied page, and a download or script should get a plain 403 (or 429).
    /// </summary>
    private static async ValueTask<object?> OnlyReaders(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (await http.RequestServices.GetRequiredService<AuditReaders>().RefusalAsync(http.User, http.RequestAborted) is not { } refusal)
        {
            return await next(context);
        }

        if (refusal.StatusCode == StatusCodes.Status429TooManyRequests)
        {
            http.Response.Headers.RetryAfter = ((int)RateLimitWindow.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        }

        return Results.Problem(statusCode: refusal.StatusCode, detail: refusal.Message);
    }
}
