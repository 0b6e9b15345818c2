using System.Net;
using System.Text.Json.Nodes;
using KafkaMigrationPortal.Sandbox.Dynos;
using KafkaMigrationPortal.Sandbox.Tests.Support;
using KafkaMigrationPortal.TestSupport.Time;
using Microsoft.Extensions.DependencyInjection;

namespace KafkaMigrationPortal.Sandbox.Tests.Control;

public sealed class ControlTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Range_pagination_answers_206_with_next_range_until_the_last_page()
    {
        await using var host = await SandboxHost.StartAsync(o => o.SeedDemo = true);
        var api = host.Client();
        var seen = new List<string>();
        string? range = "type ..; max=2";
        var statuses = new List<HttpStatusCode>();
        while (range is not null)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, "apps/mackerel/formation");
            request.Headers.TryAddWithoutValidation("Range", range);
            using var response = await api.SendAsync(request);
            statuses.Add(response.StatusCode);
            seen.AddRange((await response.Json())!.AsArray().Select(f => f!["type"]!.GetValue<string>()));
            range = response.Headers.TryGetValues("Next-Range", out var next) ? next.Single() : null;
        }

        Assert.Equal([HttpStatusCode.PartialContent, HttpStatusCode.OK], statuses);
        Assert.Equal(["consumer", "producer", "web"], seen);
    }

    [Fact]
    public async Task Every_response_carries_the_remaining_budget_and_an_exhausted_budget_answers_rate_limit()
    {
        // The budget refills with time (75 a minute by default); a frozen clock keeps a slow machine from refilling it mid-test.
        await using var host = await SandboxHost.StartAsync(o => o.RateLimitPool = 3, time: new RecordingFakeTime(Start));
        var api = host.Client();
        var remaining = new List<int>();
        for (var i = 0; i < 3; i++)
        {
            using var ok = await api.GetAsync("apps/mackerel");
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            remaining.Add(int.Parse(ok.Headers.GetValues("RateLimit-Remaining").Single()));
        }

        using var limited = await api.GetAsync("apps/mackerel");

        Assert.Equal([2, 1, 0], remaining);
        Assert.Equal((HttpStatusCode)429, limited.StatusCode);
        Assert.Equal("rate_limit", (await limited.Json())!["id"]!.GetValue<string>());
        using var free = await api.GetAsync("account/rate-limits");
        Assert.Equal(HttpStatusCode.OK, free.StatusCode);
    }

    [Fact]
    public async Task Faults_set_per_run_answer_429_500_and_add_latency()
    {
        var time = new RecordingFakeTime(Start);
        await using var host = await SandboxHost.StartAsync(time: time);
        var api = host.Client();
        var control = host.Client(token: null);

        using (await control.SendJson(HttpMethod.Put, "_sandbox/faults", new { rate_limit_share = 1.0 }))
        {
        }

        using (var limited = await api.GetAsync("apps/mackerel"))
        {
            Assert.Equal("rate_limit", (await limited.Json())!["id"]!.GetValue<string>());
        }

        using (await control.SendJson(HttpMethod.Put, "_sandbox/faults", new { server_error_share = 1.0 }))
        {
        }

        using (var failed = await api.SendJson(HttpMethod.Patch, "apps/mackerel/config-vars", new Dictionary<string, string> { ["X"] = "1" }))
        {
            Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
        }

        Assert.False((await host.Client().GetAsync("apps/mackerel/config-vars")).IsSuccessStatusCode);
        using (await control.SendJson(HttpMethod.Put, "_sandbox/faults", new { latency_ms = 300 }))
        {
        }

        // The call is held on the sandbox's clock for the configured latency, and answered once that has passed.
        var held = api.GetJson("apps/mackerel/config-vars");
        var latency = TimeSpan.FromMilliseconds(300);
        Assert.Equal([latency], await time.WaitsStartedAsync(w => w == latency, orUntil: held));
        Assert.False(held.IsCompleted);
        time.Advance(latency);
        var vars = await held;
        Assert.False(vars.AsObject().ContainsKey("X"), "a call answered 500 by fault injection has no side effect");

        using var invalid = await control.SendJson(HttpMethod.Put, "_sandbox/faults", new { rate_limit_share = 2.0 });
        Assert.Equal((HttpStatusCode)422, invalid.StatusCode);
    }

    [Fact]
    public async Task A_seeded_fault_run_is_reproducible()
    {
        await using var host = await SandboxHost.StartAsync();
        var control = host.Client(token: null);
        var api = host.Client();

        async Task<List<HttpStatusCode>> Run()
        {
            using (await control.SendJson(HttpMethod.Put, "_sandbox/faults", new { server_error_share = 0.5, seed = 7 }))
            {
            }

            var statuses = new List<HttpStatusCode>();
            for (var i = 0; i < 12; i++)
            {
                using var response = await api.GetAsync("account");
                statuses.Add(response.StatusCode);
            }

            return statuses;
        }

        var first = await Run();
        Assert.Equal(first, await Run());
        Assert.Contains(HttpStatusCode.InternalServerError, first);
        Assert.Contains(HttpStatusCode.OK, first);
    }

    [Fact]
    public async Task The_mutation_log_records_each_mutating_call_once_with_secrets_masked()
    {
        var time = new RecordingFakeTime(Start);
        await using var host = await SandboxHost.StartAsync(time: time);
        var api = host.Client();
        using (await api.SendJson(HttpMethod.Patch, "apps/mackerel/config-vars",
                   new Dictionary<string, string?> { ["DATABASE_PASSWORD"] = "hunter2-very-secret", ["OLD"] = null }))
        {
        }

        using (await api.GetAsync("apps/mackerel/config-vars"))
        {
        }

        time.Advance(TimeSpan.FromMinutes(7));
        using (await api.SendJson(HttpMethod.Patch, "apps/mackerel", new { maintenance = true }))
        {
        }

        var raw = await (await host.Client(token: null).GetAsync("_sandbox/mutations")).Content.ReadAsStringAsync();
        var log = JsonNode.Parse(raw)!.AsArray();

        Assert.DoesNotContain("hunter2-very-secret", raw);
        Assert.Equal(2, log.Count);
        var configChange = log[0]!;
        Assert.Equal("PATCH", configChange["method"]!.GetValue<string>());
        Assert.Equal("/apps/mackerel/config-vars", configChange["path"]!.GetValue<string>());
        Assert.Equal(200, configChange["status"]!.GetValue<int>());
        Assert.Equal("[masked]", configChange["body"]!["DATABASE_PASSWORD"]!.GetValue<string>());
        Assert.Null(configChange["body"]!["OLD"]);
        Assert.True(configChange["body"]!.AsObject().ContainsKey("OLD"));
        Assert.Equal("alice@example.com", configChange["user"]!.GetValue<string>());
        Assert.True(log[1]!["body"]!["maintenance"]!.GetValue<bool>());
        Assert.Equal([Start, Start.AddMinutes(7)], log.Select(entry => entry!["time"]!.GetValue<DateTimeOffset>()));
    }

    [Fact]
    public async Task The_sandbox_can_be_hosted_under_a_path_base()
    {
        await using var host = await SandboxHost.StartAsync(pathBase: "/sandbox");
        var account = await host.Client().GetJson("account");
        Assert.Equal("alice@example.com", account["email"]!.GetValue<string>());
        Assert.EndsWith("/sandbox/", host.BaseAddress.AbsolutePath);
    }

    [Fact]
    public async Task Reset_forgets_changes_and_seeds_again()
    {
        await using var host = await SandboxHost.StartAsync();
        var api = host.Client();
        using (await api.SendJson(HttpMethod.Patch, "apps/mackerel/config-vars", new Dictionary<string, string> { ["X"] = "1" }))
        {
        }

        using var reset = await host.Client(token: null).PostAsync("_sandbox/reset", null);

        Assert.Equal(HttpStatusCode.NoContent, reset.StatusCode);
        Assert.False((await api.GetJson("apps/mackerel/config-vars")).AsObject().ContainsKey("X"));
        Assert.Empty(JsonNode.Parse(await (await host.Client(token: null).GetAsync("_sandbox/mutations")).Content.ReadAsStringAsync())!.AsArray());
    }

    [Fact]
    public async Task The_ledger_endpoint_counts_a_groups_deliveries_since_an_instant()
    {
        await using var host = await SandboxHost.StartAsync();
        var ledger = host.Services.GetRequiredService<Ledger>();
        var switchedAt = new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);
        ledger.RecordProduced("herring", "orders", "old-addon", "herring-1");
        ledger.RecordConsumed("herring", "orders", "workers", "herring-1", handled: true, switchedAt.AddMinutes(-1));
        ledger.RecordConsumed("herring", "orders", "workers", "herring-1", handled: true, switchedAt.AddSeconds(1));

        var all = await host.Client(token: null).GetJson("_sandbox/ledger/herring");
        var since = await host.Client(token: null).GetJson("_sandbox/ledger/herring?deliveredSince=2026-03-02T09:00:00Z");

        Assert.Equal(2, all["topics"]![0]!["groups"]![0]!["deliveries"]!.GetValue<int>());
        var group = since["topics"]![0]!["groups"]![0]!;
        Assert.Equal(("workers", 1, 1, 1), (group["consumer_group"]!.GetValue<string>(), group["deliveries"]!.GetValue<int>(),
            group["duplicate_deliveries"]!.GetValue<int>(), group["handled_again"]!.GetValue<int>()));
        Assert.Equal(switchedAt, since["delivered_since"]!.GetValue<DateTimeOffset>());
    }

    [Fact]
    public async Task Reset_clears_the_ledger_only_after_the_old_dynos_have_stopped()
    {
        await using var host = await SandboxHost.StartAsync();
        var ledger = host.Services.GetRequiredService<Ledger>();
        ledger.RecordProduced("mackerel", "orders", "old-addon", "mackerel-1");
        // A stopping producer flushes: its last acknowledged message lands in the books while it stops, on an add-on the
        // reset destroys and that no consumer will read again.
        host.Dynos!.OnStopAll = app => ledger.RecordProduced(app, "orders", "old-addon", $"{app}-flushed-while-stopping");

        using var reset = await host.Client(token: null).PostAsync("_sandbox/reset", null);

        Assert.Equal(HttpStatusCode.NoContent, reset.StatusCode);
        var books = await host.Client(token: null).GetJson("_sandbox/ledger/mackerel");
        Assert.Empty(books["topics"]!.AsArray());
    }
}
