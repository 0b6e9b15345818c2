using System.Globalization;
using KafkaMigrationPortal.Engine.Audit;
using KafkaMigrationPortal.Features.Identity;

namespace KafkaMigrationPortal.Features.Audit;

public static class AuditEndpoints
{
    public const string ExportPath = "/audit/export";
    public const string VerifyPath = "/audit/verify";

    /// <summary><c>/audit/export?format=csv|jsonl&amp;app=&amp;run=&amp;user=&amp;action=&amp;from=&amp;to=</c> and <c>/audit/verify</c>, for signed-in viewers.</summary>
    public static IEndpointRouteBuilder MapAuditEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(ExportPath, async (HttpContext context, AuditExport export, TimeProvider time, string? format, string? app, Guid? run, string? user, string? action, DateTimeOffset? from, DateTimeOffset? to) =>
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
        }).RequireAuthorization(PortalPolicies.CanView);

        endpoints.MapGet(VerifyPath, async (AuditLog log, CancellationToken cancellationToken) => Results.Ok(await log.VerifyAsync(cancellationToken)))
            .RequireAuthorization(PortalPolicies.CanView);
        return endpoints;
    }
}
