using System.Globalization;
using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace KafkaMigrationPortal.Features.Api;

/// <summary>
/// How many API requests one token may make in a window (<c>Api:RateLimit:Requests</c>, <c>Api:RateLimit:Window</c>).
/// Each request let through costs database reads and an audit entry (a refused one neither: its use is recorded by
/// <see cref="AccessTokenUseRecorder"/> inside the endpoint), so a runaway script is stopped here, not in the database. A run's event stream counts once however long it stays open.
/// </summary>
public sealed class ApiRateLimit
{
    public const string Section = "Api:RateLimit";
    public const string PolicyName = "api-per-token";

    public int Requests { get; set; } = 600;

    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);
}

internal static class ApiRateLimiting
{
    public static IServiceCollection AddApiRateLimit(this IServiceCollection services)
    {
        services.AddOptions<ApiRateLimit>().BindConfiguration(ApiRateLimit.Section)
            .Validate(o => o.Requests > 0 && o.Window > TimeSpan.Zero, $"{ApiRateLimit.Section}: Requests and Window must be positive").ValidateOnStart();
        return services.AddRateLimiter(limiter =>
        {
            limiter.AddPolicy(ApiRateLimit.PolicyName, http =>
            {
                var limit = http.RequestServices.GetRequiredService<IOptions<ApiRateLimit>>().Value;
                // Runs after authorization: every request but the not-found fallback's carries an accepted token.
                var token = http.User.FindFirstValue(AccessTokenHandler.TokenIdClaim) ?? $"address {http.Connection.RemoteIpAddress}";
                return RateLimitPartition.GetFixedWindowLimiter(token, _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = limit.Requests,
                    Window = limit.Window,
                    QueueLimit = 0,
                });
            });
            limiter.OnRejected = async (context, ct) =>
            {
                var limit = context.HttpContext.RequestServices.GetRequiredService<IOptions<ApiRateLimit>>().Value;
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : limit.Window;
                context.HttpContext.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                await ApiProblems.For(ApiProblems.RateLimited,
                        $"This token made {limit.Requests} requests within {Engine.Planning.Durations.InWords(limit.Window)}; wait for the Retry-After seconds and slow down (a run's events also come as a stream).")
                    .ExecuteAsync(context.HttpContext);
            };
        });
    }
}
