using System.Globalization;
using System.Net;
using Microsoft.Extensions.Options;

namespace KafkaMigrationPortal.Heroku.Http;

/// <summary>
/// Innermost handler: waits for the shared budget before each send, records <c>RateLimit-Remaining</c> after it,
/// and on 429 waits (Retry-After, else by budget) and sends again. A 429 means Heroku refused the request before acting
/// on it, so re-sending is safe even for POST; this is the one case where a POST is sent twice.
/// </summary>
public sealed class HerokuRateLimitHandler(HerokuRateLimitBudget budget, IOptions<HerokuClientOptions> options, TimeProvider time)
    : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var key = BudgetKey(request);
        if (request.Content is not null) await request.Content.LoadIntoBufferAsync(cancellationToken);
        for (var attempt = 0; ; attempt++)
        {
            var delay = budget.ReserveDelay(key);
            if (delay > TimeSpan.Zero) await Task.Delay(delay, time, cancellationToken);

            var response = await base.SendAsync(request, cancellationToken);
            if (response.Headers.TryGetValues("RateLimit-Remaining", out var values)
                && int.TryParse(values.FirstOrDefault(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var remaining))
                budget.Observe(key, remaining);

            if (response.StatusCode != HttpStatusCode.TooManyRequests || attempt >= options.Value.RateLimit.MaxTooManyRequestsRetries)
                return response;

            var wait = budget.OnTooManyRequests(key, RetryAfter(response), attempt);
            response.Dispose();
            await Task.Delay(wait, time, cancellationToken);
        }
    }

    private TimeSpan? RetryAfter(HttpResponseMessage response) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - time.GetUtcNow(),
        _ => null,
    };

    private static string BudgetKey(HttpRequestMessage request) =>
        $"{request.RequestUri?.Host}|{(request.Options.TryGetValue(HerokuRequestOptions.Credential, out var c) ? c.Description : "")}";
}
