using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using KafkaMigrationPortal.Heroku.Http;
using KafkaMigrationPortal.Heroku.Platform;
using KafkaMigrationPortal.Heroku.Tests.Infrastructure;
using KafkaMigrationPortal.TestSupport.Time;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace KafkaMigrationPortal.Heroku.Tests.Handlers;

/// <summary>The delegating handlers against a real Kestrel server on loopback.</summary>
public sealed class HandlerPipelineTests
{
    private const string App = "orders-service";

    private static readonly DateTimeOffset Start = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    private static Task Json(HttpContext context, int status, string json, params (string, string)[] headers) =>
        LoopbackHerokuServer.WriteJsonAsync(context, status, json, headers);

    /// <summary>
    /// Waits the rate-limit handler starts. The resilience pipeline's timeouts run on the same clock: their timers are
    /// created without a due time and set to 30 s or 3 min.
    /// </summary>
    private static bool IsBudgetWait(TimeSpan wait) => wait > TimeSpan.Zero && wait < TimeSpan.FromSeconds(30);

    private static HerokuRateLimitBudget Budget(TimeProvider time, Action<HerokuClientOptions>? configure = null) =>
        new ServiceCollection().AddLogging().AddSingleton(time).AddHerokuClients(configure).BuildServiceProvider()
            .GetRequiredService<HerokuRateLimitBudget>();

    [Fact]
    public async Task Pagination_follows_Next_Range_over_2500_items_in_3_pages()
    {
        await using var harness = await HerokuClientHarness.StartAsync();
        var template = Examples.Json("formation.json")[0]!;
        var all = Enumerable.Range(0, 2500).Select(i => $"{i:00000000}-0000-4000-8000-000000000000").ToList();
        harness.Server.Respond = (context, request, _) =>
        {
            // Range: id ..; max=1000  or  id ]<last id>..; max=1000
            var range = Regex.Match(request.Header("Range") ?? "", @"^id (\]?)([^.]*)\.\.; max=(\d+)$");
            if (!range.Success) return Json(context, 400, """{"id":"bad_request","message":"bad Range"}""");
            var start = range.Groups[2].Value.Length == 0 ? 0 : all.IndexOf(range.Groups[2].Value) + (range.Groups[1].Value == "]" ? 1 : 0);
            var page = all.Skip(start).Take(int.Parse(range.Groups[3].Value)).ToList();
            var items = new JsonArray(page.Select(id =>
            {
                var item = template.DeepClone();
                item["id"] = id;
                return (JsonNode?)item;
            }).ToArray());
            var more = start + page.Count < all.Count;
            return more
                ? Json(context, 206, items.ToJsonString(), ("Next-Range", $"id ]{page[^1]}..; max=1000"), ("RateLimit-Remaining", "4000"))
                : Json(context, 200, items.ToJsonString(), ("RateLimit-Remaining", "3998"));
        };

        var formation = await harness.Platform.ListFormationAsync(App);

        Assert.Equal(all, formation.Select(f => f.Id));
        var requests = harness.Server.Requests;
        Assert.Equal(3, requests.Count);
        Assert.Equal(["id ..; max=1000", $"id ]{all[999]}..; max=1000", $"id ]{all[1999]}..; max=1000"], requests.Select(r => r.Header("Range")));
        Assert.All(requests, r => Assert.Equal($"Bearer {HerokuClientHarness.Token}", r.Header("Authorization")));
        Assert.Equal(3998, harness.Budget.Remaining($"127.0.0.1|{harness.Credential.Description}"));
    }

    [Fact]
    public async Task A_429_is_waited_out_honouring_Retry_After_then_succeeds()
    {
        var time = new RecordingFakeTime(Start);
        await using var harness = await HerokuClientHarness.StartAsync(time: time);
        harness.Server.Respond = (context, _, number) => number == 1
            ? Json(context, 429, """{"id":"rate_limit","message":"Your account reached the API rate limit"}""", ("Retry-After", "1"), ("RateLimit-Remaining", "0"))
            : Json(context, 200, Examples.Text("account.json"), ("RateLimit-Remaining", "75"));

        var call = harness.Platform.GetAccountAsync();

        var waits = await time.WaitsStartedAsync(IsBudgetWait, orUntil: call);
        Assert.Equal([TimeSpan.FromSeconds(1)], waits);
        Assert.Single(harness.Server.Requests);
        time.Advance(TimeSpan.FromSeconds(1));
        var account = await call;

        Assert.Equal("platform-team@example.com", account.Email);
        var requests = harness.Server.Requests;
        Assert.Equal(2, requests.Count);
        Assert.Equal(TimeSpan.FromSeconds(1), requests[1].ArrivedAt - requests[0].ArrivedAt);
    }

    [Fact]
    public async Task Repeated_429_surfaces_as_rate_limit_error_after_the_configured_attempts()
    {
        await using var harness = await HerokuClientHarness.StartAsync(o => o.RateLimit.MaxTooManyRequestsRetries = 2);
        harness.Server.Respond = (context, _, _) =>
            Json(context, 429, """{"id":"rate_limit","message":"Your account reached the API rate limit"}""", ("Request-Id", "req-429"));

        var error = await Assert.ThrowsAsync<HerokuApiException>(() => harness.Platform.GetAppAsync(App));

        Assert.Equal((HttpStatusCode.TooManyRequests, "rate_limit", "req-429"), (error.Status, error.Id, error.RequestId));
        Assert.Equal(3, harness.Server.Requests.Count);
    }

    [Fact]
    public async Task A_low_budget_spaces_calls_before_Heroku_says_429()
    {
        var interval = TimeSpan.FromMilliseconds(150);
        var time = new RecordingFakeTime(Start);
        await using var harness = await HerokuClientHarness.StartAsync(o =>
        {
            o.RateLimit.SlowDownBelow = 100;
            o.RateLimit.RefillInterval = interval;
        }, time);
        harness.Server.Respond = (context, _, _) => Json(context, 200, Examples.Text("rate-limit.json"), ("RateLimit-Remaining", "5"));
        var platform = harness.Platform;

        var calls = Task.Run(async () =>
        {
            for (var i = 0; i < 5; i++) await platform.GetRateLimitAsync();
        });

        // The first call finds the budget unknown and learns "5"; the second takes the first free slot at once; each
        // later one is held until its slot, one refill interval after the previous one.
        for (var held = 1; held <= 3; held++)
        {
            var waits = await time.WaitsStartedAsync(IsBudgetWait, count: held, orUntil: calls);
            Assert.Equal(Enumerable.Repeat(interval, held), waits);
            Assert.Equal(held + 1, harness.Server.Requests.Count);
            time.Advance(interval);
        }
        await calls;

        Assert.Equal([Start, Start, Start + interval, Start + 2 * interval, Start + 3 * interval],
            harness.Server.Requests.Select(r => r.ArrivedAt));
    }

    [Fact]
    public void A_low_budget_hands_out_slots_one_refill_interval_apart()
    {
        var interval = TimeSpan.FromMilliseconds(800);
        var time = new FakeTimeProvider(Start);
        var budget = Budget(time, o =>
        {
            o.RateLimit.SlowDownBelow = 100;
            o.RateLimit.RefillInterval = interval;
            o.RateLimit.MaxWait = 10 * interval;
        });
        budget.Observe("k", 5);

        // Four callers at the same instant: consecutive slots.
        Assert.Equal([TimeSpan.Zero, interval, 2 * interval, 3 * interval], Enumerable.Range(0, 4).Select(_ => budget.ReserveDelay("k")));
        time.Advance(interval);
        Assert.Equal(3 * interval, budget.ReserveDelay("k"));

        // Idle time is not banked: after a pause the next call goes at once, the one after it waits again.
        time.Advance(20 * interval);
        Assert.Equal([TimeSpan.Zero, interval], Enumerable.Range(0, 2).Select(_ => budget.ReserveDelay("k")));

        // No single wait exceeds MaxWait, however far ahead the slots are booked.
        Assert.Equal(10 * interval, Enumerable.Range(0, 20).Select(_ => budget.ReserveDelay("k")).Max());
        Assert.Equal(TimeSpan.Zero, budget.ReserveDelay("another account"));
    }

    [Fact]
    public void After_a_429_every_caller_of_the_account_waits_out_the_back_off()
    {
        var time = new FakeTimeProvider(Start);
        var budget = Budget(time, o => o.RateLimit.RefillInterval = TimeSpan.FromMilliseconds(800));
        budget.Observe("k", 4000);

        Assert.Equal(TimeSpan.FromSeconds(20), budget.OnTooManyRequests("k", TimeSpan.FromSeconds(20), attempt: 0));
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(TimeSpan.FromSeconds(15), budget.ReserveDelay("k"));
        Assert.Equal(TimeSpan.Zero, budget.ReserveDelay("another account"));

        // Without Retry-After: refill intervals, doubling with each consecutive 429.
        Assert.Equal(TimeSpan.FromMilliseconds(1600), budget.OnTooManyRequests("j", null, attempt: 0));
        Assert.Equal(TimeSpan.FromMilliseconds(6400), budget.OnTooManyRequests("j", null, attempt: 2));
    }

    [Fact]
    public void A_healthy_budget_does_not_delay()
    {
        var budget = Budget(new FakeTimeProvider(Start));

        Assert.Equal(TimeSpan.Zero, budget.ReserveDelay("k"));
        budget.Observe("k", 4000);
        Assert.Equal([TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero], Enumerable.Range(0, 3).Select(_ => budget.ReserveDelay("k")));
    }

    [Fact]
    public async Task A_422_invalid_params_surfaces_Herokus_message_and_request_id()
    {
        await using var harness = await HerokuClientHarness.StartAsync();
        harness.Server.Respond = (context, _, _) => Json(context, 422,
            """{"id":"invalid_params","message":"Quantity must be an integer.","url":"https://devcenter.heroku.com"}""", ("Request-Id", "01234567-req"));

        var error = await Assert.ThrowsAsync<HerokuApiException>(() =>
            harness.Platform.UpdateFormationAsync(App, new HerokuFormationBatchUpdate([new("web", 1)])));

        Assert.Equal((HttpStatusCode.UnprocessableEntity, "invalid_params", "Quantity must be an integer.", "01234567-req"),
            (error.Status, error.Id, error.Message, error.RequestId));
    }

    [Theory]
    [InlineData(400)]
    [InlineData(423)]
    public async Task Confirmation_required_is_known_by_its_id_whatever_status_comes_with_it(int status)
    {
        await using var harness = await HerokuClientHarness.StartAsync();
        harness.Server.Respond = (context, _, _) =>
            Json(context, status, """{"id":"confirmation_required","message":"Confirm by passing the app name."}""");

        var attach = await Assert.ThrowsAsync<HerokuApiException>(() =>
            harness.Platform.AttachAsync(new HerokuAttachmentCreate("kafka-rigid-48213", App, "KAFKA")));
        var create = await Assert.ThrowsAsync<HerokuApiException>(() =>
            harness.Platform.CreateAddOnAsync(App, new HerokuAddOnCreate("heroku-kafka:standard-0", new("KAFKA"))));

        Assert.All([attach, create], e => Assert.True(e.IsConfirmationRequired));
        Assert.All([attach, create], e => Assert.Equal((HttpStatusCode)status, e.Status));
        // Neither answered automatically nor retried.
        Assert.Equal(2, harness.Server.Requests.Count);
    }

    [Fact]
    public async Task Confirmation_required_is_surfaced_not_answered_automatically()
    {
        await using var harness = await HerokuClientHarness.StartAsync();
        harness.Server.Respond = (context, request, _) =>
            JsonNode.Parse(request.Body)?["confirm"] is null
                ? Json(context, 422, """{"id":"confirmation_required","message":"KAFKA is already in use on orders-service. Confirm by passing the app name."}""")
                : Json(context, 201, Examples.Text("attachment.json"));
        var request = new HerokuAttachmentCreate("kafka-rigid-48213", App, "KAFKA");

        var error = await Assert.ThrowsAsync<HerokuApiException>(() => harness.Platform.AttachAsync(request));
        Assert.True(error.IsConfirmationRequired);
        Assert.Single(harness.Server.Requests);

        var attachment = await harness.Platform.AttachAsync(request with { Confirm = App });
        Assert.Equal("KAFKA", attachment.Name);
        Assert.Equal(App, (string?)JsonNode.Parse(harness.Server.Requests[1].Body)?["confirm"]);
    }

    [Theory]
    [InlineData("GET", 2)]
    [InlineData("PATCH", 2)]
    [InlineData("DELETE", 2)]
    [InlineData("POST", 1)]
    public async Task Transient_failures_are_retried_for_idempotent_methods_only(string method, int expectedRequests)
    {
        await using var harness = await HerokuClientHarness.StartAsync();
        harness.Server.Respond = (context, _, number) => number == 1
            ? Json(context, 503, """{"id":"service_unavailable","message":"try again"}""")
            : Json(context, method == "POST" ? 201 : 200, method switch
            {
                "GET" or "PATCH" => Examples.Text("app.json"),
                _ => Examples.Text("addon.json"),
            });
        var platform = harness.Platform;

        Func<Task> call = method switch
        {
            "GET" => () => platform.GetAppAsync(App),
            "PATCH" => () => platform.UpdateAppAsync(App, new(Maintenance: true)),
            "DELETE" => () => platform.DestroyAddOnAsync(App, "kafka-rigid-48213"),
            _ => () => platform.CreateAddOnAsync(App, new HerokuAddOnCreate("heroku-kafka:basic-0", new("NEW_KAFKA"))),
        };
        if (expectedRequests == 1)
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await Assert.ThrowsAsync<HerokuApiException>(call)).Status);
        else
            await call();

        Assert.Equal(expectedRequests, harness.Server.Requests.Count);
    }

    [Fact]
    public async Task Tokens_and_config_values_never_reach_logs_or_exceptions()
    {
        var secretValues = Examples.Json("config-vars.json").AsObject().Select(p => (string)p.Value!)
            .Where(v => v.Length > 12).Select(v => v.Split('\n').OrderByDescending(l => l.Length).First()).ToList();
        const string newSecret = "kafka+ssl://brand-new-secret-host.example:9096";
        await using var harness = await HerokuClientHarness.StartAsync();
        harness.Server.Respond = (context, request, number) => request.Method switch
        {
            "GET" => Json(context, 200, Examples.Text("config-vars.json")),
            // A hostile error that echoes the submitted values back.
            _ => Json(context, 422, $$"""{"id":"invalid_params","message":"Config var invalid.","echo":{{request.Body}}}"""),
        };

        var vars = await harness.Platform.GetConfigVarsAsync(App);
        var error = await Assert.ThrowsAsync<HerokuApiException>(() =>
            harness.Platform.UpdateConfigVarsAsync(App, new Dictionary<string, string?> { ["NEW_KAFKA_URL"] = newSecret }));

        Assert.Equal(secretValues.Count, vars.Values.Count(v => secretValues.Any(v.Contains)));
        var captured = string.Join("\n", harness.Logs.Lines) + error + error.Message + harness.Credential;
        Assert.Contains("/apps/orders-service/config-vars", captured); // logging did capture the calls
        Assert.DoesNotContain(HerokuClientHarness.Token, captured);
        Assert.DoesNotContain(newSecret, captured);
        Assert.All(secretValues, secret => Assert.DoesNotContain(secret, captured));
    }

    [Fact]
    public async Task Calls_without_a_credential_are_refused_before_anything_is_sent()
    {
        await using var harness = await HerokuClientHarness.StartAsync();
        var handlers = harness.Services.GetRequiredService<IHttpMessageHandlerFactory>();
        using var client = new HttpClient(handlers.CreateHandler("Heroku.Platform"), disposeHandler: false) { BaseAddress = harness.Server.BaseUri };

        await Assert.ThrowsAsync<InvalidOperationException>(() => client.GetAsync("/account"));
        Assert.Empty(harness.Server.Requests);
    }

    [Fact]
    public void Base_urls_bind_from_the_Heroku_configuration_section()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Heroku:PlatformApiBaseUrl"] = "http://127.0.0.1:5005/sandbox/platform",
            ["Heroku:KafkaApiBaseUrl"] = "http://127.0.0.1:5005/sandbox/kafka",
            ["Heroku:RateLimit:SlowDownBelow"] = "42",
        }).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddLogging().AddHerokuClients().BuildServiceProvider();

        var options = services.GetRequiredService<IOptions<HerokuClientOptions>>().Value;

        Assert.Equal(new Uri("http://127.0.0.1:5005/sandbox/platform"), options.PlatformApiBaseUrl);
        Assert.Equal(new Uri("http://127.0.0.1:5005/sandbox/kafka"), options.KafkaApiBaseUrl);
        Assert.Equal(42, options.RateLimit.SlowDownBelow);
    }
}
