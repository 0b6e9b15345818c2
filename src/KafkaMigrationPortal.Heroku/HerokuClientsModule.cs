using System.Net;
using KafkaMigrationPortal.Heroku.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;

namespace KafkaMigrationPortal.Heroku;

public static class HerokuClientsModule
{
    /// <summary>
    /// Registers <see cref="IHerokuClientFactory"/> and the handler pipeline shared by both Heroku APIs
    /// (outermost first): Accept/User-Agent, Range pagination, retries with jitter for GET/PUT/PATCH/DELETE, per-attempt
    /// timeout, bearer token, rate-limit budget and 429 back-off. Options bind from the <c>Heroku</c> section, then
    /// <paramref name="configure"/> runs.
    /// </summary>
    public static IServiceCollection AddHerokuClients(this IServiceCollection services, Action<HerokuClientOptions>? configure = null)
    {
        // Bound when the host has configuration (the portal does; a bare ServiceCollection in a tool or test may not).
        services.AddOptions<HerokuClientOptions>().Configure<IServiceProvider>((options, sp) =>
            sp.GetService<IConfiguration>()?.GetSection(HerokuClientOptions.SectionName).Bind(options));
        if (configure is not null) services.Configure(configure);

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<HerokuRateLimitBudget>();
        services.TryAddSingleton<IHerokuClientFactory, HerokuClientFactory>();
        services.TryAddTransient<RangePaginationHandler>();
        services.TryAddTransient<HerokuAuthenticationHandler>();
        services.TryAddTransient<HerokuRateLimitHandler>();

        foreach (var name in new[] { HerokuClientFactory.PlatformClientName, HerokuClientFactory.KafkaClientName })
        {
            services.AddHttpClient(name)
                .AddHttpMessageHandler(sp => new HerokuHeadersHandler(sp.GetRequiredService<IOptions<HerokuClientOptions>>().Value.UserAgent))
                .AddHttpMessageHandler<RangePaginationHandler>()
                .AddResilienceHandler("heroku", (pipeline, context) =>
                {
                    var options = context.ServiceProvider.GetRequiredService<IOptions<HerokuClientOptions>>().Value;
                    pipeline.AddTimeout(options.TotalTimeout);
                    var retry = new HttpRetryStrategyOptions
                    {
                        MaxRetryAttempts = Math.Max(1, options.MaxRetryAttempts),
                        BackoffType = DelayBackoffType.Exponential,
                        UseJitter = true,
                        Delay = options.RetryBaseDelay,
                        // 429 is waited out by the rate-limit handler, which shares the budget with other callers.
                        ShouldHandle = args => ValueTask.FromResult(
                            args.Outcome.Result?.StatusCode != HttpStatusCode.TooManyRequests
                            && HttpClientResiliencePredicates.IsTransient(args.Outcome)),
                    };
                    // Creating an add-on or an attachment must never happen twice: POST is not retried.
                    retry.DisableFor(HttpMethod.Post, HttpMethod.Connect);
                    if (options.MaxRetryAttempts > 0) pipeline.AddRetry(retry);
                    pipeline.AddTimeout(options.AttemptTimeout);
                })
                .Services.AddHttpClient(name)
                .AddHttpMessageHandler<HerokuAuthenticationHandler>()
                .AddHttpMessageHandler<HerokuRateLimitHandler>()
                .RedactLoggedHeaders(static _ => true);
        }
        return services;
    }
}
