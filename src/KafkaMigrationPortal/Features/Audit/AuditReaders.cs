using System.Security.Claims;
using System.Threading.RateLimiting;
using KafkaMigrationPortal.Features.Identity;

namespace KafkaMigrationPortal.Features.Audit;

public sealed record AuditReadRefusal(int StatusCode, string Message);

/// <summary>
/// Who may take the audit log away or have its chain checked — approvers and admins, as the database knows them now —
/// and how often: <see cref="AuditEndpoints.RequestsPerWindow"/> a minute per person, exports and verifications
/// together, whether asked over HTTP or from the History page.
/// </summary>
public sealed class AuditReaders(PortalMembers members) : IDisposable
{
    public static readonly string[] Roles = [TeamRole.Approver, TeamRole.Admin];

    private readonly PartitionedRateLimiter<Guid> limiter = PartitionedRateLimiter.Create<Guid, Guid>(id =>
        RateLimitPartition.GetFixedWindowLimiter(id, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = AuditEndpoints.RequestsPerWindow,
            Window = AuditEndpoints.RateLimitWindow,
            QueueLimit = 0,
        }));

    /// <summary>Null when <paramref name="user"/> may read the whole log now (and counts it); otherwise why not.</summary>
    public async Task<AuditReadRefusal?> RefusalAsync(ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (await members.CurrentAsync(user, cancellationToken) is not { } member || !Roles.Any(member.Has))
        {
            return new(StatusCodes.Status403Forbidden, "Exporting or verifying the audit log needs the approver or admin role.");
        }

        using var lease = limiter.AttemptAcquire(member.Id);
        return lease.IsAcquired
            ? null
            : new(StatusCodes.Status429TooManyRequests, $"At most {AuditEndpoints.RequestsPerWindow} exports or verifications a minute: try again in a minute.");
    }

    public void Dispose() => limiter.Dispose();
}
