using System.Diagnostics;
using System.Security.Claims;
using KafkaMigrationPortal.Features.Connections;
using KafkaMigrationPortal.Features.Jobs;
using KafkaMigrationPortal.Features.Migrations;
using KafkaMigrationPortal.Engine.Execution;
using KafkaMigrationPortal.Features.Migrations.Pages;
using KafkaMigrationPortal.Engine.Planning;
using KafkaMigrationPortal.Engine.Storage;
using KafkaMigrationPortal.Heroku;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Rendering;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.AspNetCore.Components.Web.HtmlRendering;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace KafkaMigrationPortal.Benchmarks;

/// <summary>
/// The run page (<see cref="RunPage"/>) of a run with --events (500) events, rendered on the server by Blazor's
/// <see cref="HtmlRenderer"/> with the portal's real services: its storage (SQLite, or PostgreSQL with
/// KMP_BENCH_POSTGRES), the embedded sandbox, and the Kafka panel's first reading of the run's real (mock) cluster.
/// Two figures: the initial render (a fresh service scope and renderer each time, as a new circuit gets, until the
/// page and its children are quiescent), and the delivery of a new event to a page left open (from the call to
/// <see cref="RunEventLog.AppendAsync"/> until the open page's markup shows the event: the page re-renders through its
/// <see cref="IRunNotifier"/> subscription). Only the browser's part (network, SignalR diff, paint) is not included.
/// </summary>
public sealed class RunPageBenchmark : IBenchmark
{
    private static readonly TimeSpan RenderTarget = TimeSpan.FromMilliseconds(300);
    private static readonly TimeSpan DeliveryTarget = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan CrossProcessTarget = TimeSpan.FromSeconds(1);

    public string Name => "runpage";

    public string Description =>
        "Run page: initial server render of a run with --events (500) events and a new event reaching the open page; --runs (30), --deliveries (30); SQLite, or PostgreSQL with KMP_BENCH_POSTGRES";

    public async Task<int> RunAsync(BenchmarkArgs args)
    {
        int eventCount = args.Int("events", 500), runs = args.Int("runs", 30), deliveries = args.Int("deliveries", 30);
        var server = Environment.GetEnvironmentVariable(HistoryPageBenchmark.ConnectionVariable);
        var directory = Directory.CreateTempSubdirectory("kmp-bench-runpage-").FullName;
        var database = $"kmp_bench_{Guid.NewGuid():N}"[..24];
        var settings = new Dictionary<string, string?>
        {
            ["Sandbox:ProvisioningDelay"] = "00:00:01",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Hangfire"] = "Warning",
        };
        string storage;
        if (string.IsNullOrWhiteSpace(server))
        {
            settings["Storage:SqlitePath"] = Path.Combine(directory, "portal.db");
            storage = "SQLite";
        }
        else
        {
            await Postgres.ExecuteAsync(server, $"CREATE DATABASE {database}");
            settings["ConnectionStrings:Portal"] = new NpgsqlConnectionStringBuilder(server) { Database = database }.ConnectionString;
            storage = "PostgreSQL";
        }

        WebApplication? app = null;
        try
        {
            app = BuildPortal(settings);
            await app.StartAsync();
            var runId = await CreateRunAsync(app.Services);
            var log = app.Services.GetRequiredService<RunEventLog>();
            var seeding = await Timing.MeasureAsync(async () =>
            {
                // Starting the run recorded its first event(s); the rest are as a run records them.
                for (var i = await EventCountAsync(app.Services, runId) + 1; i <= eventCount; i++) await AppendRealisticEventAsync(log, runId, i);
            });
            var total = await EventCountAsync(app.Services, runId);
            Console.WriteLine($"storage: {storage}; a double-write run of the sandbox's mackerel (basic-0 → basic-1) with {total} events, appended through RunEventLog in {Timing.Format(seeding)}");

            // Initial render.
            for (var i = 0; i < 3; i++) await RenderOnceAsync(app.Services, runId, total); // warm-up: JIT, EF model, Kafka clients
            List<TimeSpan> renders = [], timelines = [];
            for (var i = 0; i < runs; i++)
            {
                var (timeline, whole) = await RenderOnceAsync(app.Services, runId, total);
                timelines.Add(timeline);
                renders.Add(whole);
            }

            var renderMet = Report("initial render", renders, RenderTarget,
                "fresh scope + HtmlRenderer → RunPage quiescent (run + steps + all events read, timeline and event log rendered; the Kafka panel reads the clusters only after the first render in a browser)");
            Report("timeline shown", timelines, RenderTarget,
                "same renders, until the markup first holds the timeline and all events (the Kafka panel shows its loading state); informative");
            await ReportPartsAsync(app.Services, runId, runs);

            // A new event reaching the open page.
            var deliveriesSeen = new List<TimeSpan>();
            var appends = new List<TimeSpan>();
            await using (var page = await OpenPageAsync(app.Services, runId, total))
            {
                for (var i = 0; i < deliveries + 3; i++)
                {
                    var expected = ++total;
                    var started = Stopwatch.GetTimestamp();
                    await log.AppendAsync(runId, "bench", "step.progress", $"benchmark event {expected}");
                    var appended = Stopwatch.GetElapsedTime(started);
                    await page.WaitForEventCountAsync(expected, TimeSpan.FromSeconds(10));
                    var delivered = Stopwatch.GetElapsedTime(started);
                    if (i < 3) continue; // warm-up
                    appends.Add(appended);
                    deliveriesSeen.Add(delivered);
                }
            }

            Console.WriteLine($"  (of which RunEventLog.AppendAsync itself, event row + audit entry committed: median {Timing.Format(Timing.Median(appends))})");
            var deliveryMet = Report("new event → open page", deliveriesSeen, DeliveryTarget,
                "RunEventLog.AppendAsync called → notifier → page re-reads the run and re-renders → its markup shows the new event count");
            var crossMet = true;
            if (storage == "PostgreSQL")
            {
                (crossMet, total) = await ReportAcrossConnectionsAsync(app.Services, runId, total, deliveries);
            }

            return renderMet && deliveryMet && crossMet ? 0 : 1;
        }
        finally
        {
            if (app is not null)
            {
                await app.StopAsync();
                await app.DisposeAsync();
            }

            if (!string.IsNullOrWhiteSpace(server))
            {
                NpgsqlConnection.ClearAllPools();
                await Postgres.ExecuteAsync(server, $"DROP DATABASE IF EXISTS {database} WITH (FORCE)");
            }

            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    /// <summary>The portal's own composition (as Program.cs builds it) with the embedded sandbox; no HTTP endpoints are needed.</summary>
    private static WebApplication BuildPortal(Dictionary<string, string?> settings)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            EnvironmentName = Environments.Production,
            ApplicationName = typeof(RunPage).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        // The run must stay as created: the engine is not what is measured, and it would add its own events.
        builder.Services.AddSingleton<IRunScheduler, IdleScheduler>();
        builder.AddPortalCore(PortalRole.Web);
        builder.Services.AddPortalWeb();
        return builder.Build();
    }

    private static async Task<Guid> CreateRunAsync(IServiceProvider services)
    {
        var reader = new PlanningContextReader(services.GetRequiredService<IHerokuClientFactory>(), services.GetRequiredService<IDbContextFactory<PortalDbContext>>());
        var request = new MigrationRequest("mackerel", AttachmentNames.Primary, "heroku-kafka:basic-1", MigrationStrategy.DoubleWrite, ["producer"], ["consumer"],
            TimeSpan.FromMinutes(30), []);
        var context = await reader.ReadAsync(services.GetRequiredService<HerokuConnection>().Credential, ["global"], request);
        var validation = PlanValidator.Validate(context, request);
        if (!validation.IsValid) throw new InvalidOperationException($"The sandbox's demo app cannot be planned: {string.Join("; ", validation.Refusals.Select(r => r.Message))}");
        var plan = MigrationPlanBuilder.Build(validation.Request!);
        return await services.GetRequiredService<MigrationRunService>().StartAsync(plan, "alice@example.com");
    }

    /// <summary>Events as a run records them: step starts and ends, Heroku calls with their request and result.</summary>
    private static Task AppendRealisticEventAsync(RunEventLog log, Guid runId, int i) => (i % 4) switch
    {
        0 => log.AppendAsync(runId, "engine", "step.started", $"Step {i % 17} started (attempt 1)", stepSequence: i % 17),
        1 => log.AppendAsync(runId, "engine", "heroku.call", $"PATCH /apps/mackerel/config-vars ({i})", stepSequence: i % 17,
            request: """{"PRODUCER_ADDON_NAMES":"OLD_KAFKA,KAFKA"}""", result: """{"status":200,"keys":["PRODUCER_ADDON_NAMES","CONSUMER_ADDON_NAME"]}""", succeeded: true),
        2 => log.AppendAsync(runId, "engine", "kafka.check", $"Lag of mackerel-consumers on the new cluster: {i * 3} messages over 12 partitions", stepSequence: i % 17,
            result: $$"""{"lag":{{i * 3}},"partitions":12}""", succeeded: i % 10 != 2),
        _ => log.AppendAsync(runId, "engine", "step.done", $"Step {i % 17} done in {i % 60} s", stepSequence: i % 17, succeeded: true),
    };

    private static async Task<int> EventCountAsync(IServiceProvider services, Guid runId)
    {
        await using var db = await services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        return await db.RunEvents.CountAsync(e => e.RunId == runId);
    }

    /// <summary>Bob, a viewer and approver (not the starter), as the page's authentication state.</summary>
    private static ClaimsPrincipal Viewer() => new(new ClaimsIdentity(
        [new Claim(ClaimTypes.Name, "bob@example.com"), new Claim(ClaimTypes.Email, "bob@example.com"), new Claim(ClaimTypes.Role, "viewer"), new Claim(ClaimTypes.Role, "approver")],
        "benchmark", ClaimTypes.Name, ClaimTypes.Role));

    /// <returns>When the markup first held the timeline with every event, and when the page was quiescent.</returns>
    private static async Task<(TimeSpan Timeline, TimeSpan Whole)> RenderOnceAsync(IServiceProvider services, Guid runId, int expectedEvents)
    {
        var started = Stopwatch.GetTimestamp();
        var timeline = TimeSpan.Zero;
        await using var page = await OpenPageAsync(services, runId, expectedEvents, () => timeline = Stopwatch.GetElapsedTime(started));
        return (timeline, Stopwatch.GetElapsedTime(started));
    }

    private static async Task<OpenRunPage> OpenPageAsync(IServiceProvider services, Guid runId, int expectedEvents, Action? timelineShown = null)
    {
        var scope = services.CreateAsyncScope();
        var renderer = new HtmlRenderer(scope.ServiceProvider, scope.ServiceProvider.GetRequiredService<ILoggerFactory>());
        var parameters = ParameterView.FromDictionary(new Dictionary<string, object?> { [nameof(SignedInRunPage.RunId)] = runId, [nameof(SignedInRunPage.User)] = Viewer() });
        var root = await renderer.Dispatcher.InvokeAsync(() => renderer.BeginRenderingComponent<SignedInRunPage>(parameters));
        var page = new OpenRunPage(scope, renderer, root);
        if (timelineShown is not null)
        {
            await page.WaitForEventCountAsync(expectedEvents, TimeSpan.FromSeconds(30));
            timelineShown();
        }

        await root.QuiescenceTask;
        var html = await page.HtmlAsync();
        if (!html.Contains(OpenRunPage.EventCountMarkup(expectedEvents), StringComparison.Ordinal))
        {
            await page.DisposeAsync();
            throw new InvalidOperationException($"The rendered run page does not show {expectedEvents} events: {(html.Length > 600 ? html[..600] : html)}");
        }

        return page;
    }

    /// <summary>
    /// What another dyno's change takes to reach this one: a second <see cref="PostgresRunNotifier"/> (its own origin and
    /// connections, in this process) stands in for that dyno. Its NOTIFY reaches the portal's notifier only over LISTEN:
    /// timed to a subscriber, and from an event it appends to the open page showing it.
    /// </summary>
    private static async Task<(bool Met, int Total)> ReportAcrossConnectionsAsync(IServiceProvider services, Guid runId, int total, int samples)
    {
        var portalNotifier = (PostgresRunNotifier)services.GetRequiredService<IRunNotifier>();
        var listenDeadline = Stopwatch.GetTimestamp() + 30 * Stopwatch.Frequency;
        while (!portalNotifier.IsListening)
        {
            if (Stopwatch.GetTimestamp() > listenDeadline) throw new TimeoutException("The portal's notifier did not LISTEN within 30 s.");
            await Task.Delay(10);
        }

        using var otherDyno = new PostgresRunNotifier(services.GetRequiredService<StorageSettings>(), TimeProvider.System, services.GetRequiredService<ILoggerFactory>());
        var otherDynosLog = ActivatorUtilities.CreateInstance<RunEventLog>(services, (IRunNotifier)otherDyno);

        var notified = new List<TimeSpan>();
        for (var i = 0; i < samples + 3; i++)
        {
            var kind = $"bench.cross-{i}";
            var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using var subscription = portalNotifier.Subscribe(runId, change => { if (change.Kind == kind) arrived.TrySetResult(); });
            var started = Stopwatch.GetTimestamp();
            otherDyno.Publish(new RunChange(runId, kind, null));
            await arrived.Task.WaitAsync(TimeSpan.FromSeconds(10));
            if (i >= 3) notified.Add(Stopwatch.GetElapsedTime(started));
        }

        var shown = new List<TimeSpan>();
        await using (var page = await OpenPageAsync(services, runId, total))
        {
            for (var i = 0; i < samples + 3; i++)
            {
                var expected = ++total;
                var started = Stopwatch.GetTimestamp();
                await otherDynosLog.AppendAsync(runId, "bench", "step.progress", $"benchmark event {expected} from another dyno");
                await page.WaitForEventCountAsync(expected, TimeSpan.FromSeconds(10));
                if (i >= 3) shown.Add(Stopwatch.GetElapsedTime(started));
            }
        }

        var notifyMet = Report("NOTIFY → other conn.", notified, CrossProcessTarget,
            "a second notifier (own connections) publishes → pg_notify → the portal's LISTEN connection → its subscriber; two notifiers in this process stand in for two dynos");
        var shownMet = Report("other dyno → page", shown, CrossProcessTarget,
            "RunEventLog.AppendAsync through the second notifier → NOTIFY → the open page re-reads and re-renders → its markup shows the event");
        return (notifyMet && shownMet, total);
    }

    /// <summary>The two reads the initial render waits for, timed on their own, to say where the render's time goes.</summary>
    private static async Task ReportPartsAsync(IServiceProvider services, Guid runId, int runs)
    {
        await using var scope = services.CreateAsyncScope();
        var console = scope.ServiceProvider.GetRequiredService<IRunConsole>();
        var monitor = scope.ServiceProvider.GetRequiredService<IRunKafkaMonitor>();
        var details = (await console.GetAsync(runId)).Value!;
        List<TimeSpan> reads = [], readings = [];
        for (var i = 0; i < runs; i++)
        {
            reads.Add(await Timing.MeasureAsync(() => console.GetAsync(runId)));
            readings.Add(await Timing.MeasureAsync(() => monitor.ReadAsync(details)));
        }

        Console.WriteLine($"  of which: reading the run with its events (IRunConsole.GetAsync) median {Timing.Format(Timing.Median(reads))}; " +
            $"the Kafka panel's reading (IRunKafkaMonitor.ReadAsync: Heroku attachments + config vars, lag and watermarks of the old cluster) median {Timing.Format(Timing.Median(readings))}");
    }

    private static bool Report(string what, IReadOnlyList<TimeSpan> samples, TimeSpan target, string measured)
    {
        TimeSpan median = Timing.Median(samples), p95 = Timing.Percentile(samples, 0.95);
        var met = median <= target && p95 <= target;
        Console.WriteLine($"{what,-22} median {Timing.Format(median),7}  p95 {Timing.Format(p95),7}  max {Timing.Format(samples.Max()),7}  target ≤ {Timing.Format(target)}  {(met ? "met" : "NOT MET")}  ({samples.Count} samples)");
        Console.WriteLine($"  measured: {measured}");
        return met;
    }


    /// <summary>A run page kept open in its renderer, as in a circuit: its notifier subscription and timers stay live.</summary>
    private sealed class OpenRunPage(AsyncServiceScope scope, HtmlRenderer renderer, HtmlRootComponent root) : IAsyncDisposable
    {
        /// <summary>The event log's heading shows the count of events the page holds.</summary>
        public static string EventCountMarkup(int count) => $"({count})</span>";

        public Task<string> HtmlAsync() => renderer.Dispatcher.InvokeAsync(() => root.ToHtmlString());

        public async Task WaitForEventCountAsync(int count, TimeSpan within)
        {
            var deadline = Stopwatch.GetTimestamp() + (long)(within.TotalSeconds * Stopwatch.Frequency);
            var markup = EventCountMarkup(count);
            while (!(await HtmlAsync()).Contains(markup, StringComparison.Ordinal))
            {
                if (Stopwatch.GetTimestamp() > deadline) throw new TimeoutException($"The open run page did not show event {count} within {within}.");
                await Task.Delay(1);
            }
        }

        public async ValueTask DisposeAsync()
        {
            await renderer.DisposeAsync();
            await scope.DisposeAsync();
        }
    }

    /// <summary>Gives the run page the signed-in user it reads from the cascading authentication state.</summary>
    private sealed class SignedInRunPage : ComponentBase
    {
        [Parameter] public Guid RunId { get; set; }

        [Parameter] public ClaimsPrincipal User { get; set; } = new();

        protected override void BuildRenderTree(RenderTreeBuilder builder)
        {
            builder.OpenComponent<CascadingValue<Task<AuthenticationState>>>(0);
            builder.AddComponentParameter(1, nameof(CascadingValue<object>.Value), Task.FromResult(new AuthenticationState(User)));
            builder.AddComponentParameter(2, nameof(CascadingValue<object>.ChildContent), (RenderFragment)(content =>
            {
                content.OpenComponent<RunPage>(3);
                content.AddComponentParameter(4, nameof(RunPage.RunId), RunId);
                content.CloseComponent();
            }));
            builder.CloseComponent();
        }
    }

    /// <summary>Queues nothing: the run stays where it was created.</summary>
    private sealed class IdleScheduler : IRunScheduler
    {
        public Task ContinueAsync(Guid runId, Continuation continuation, CancellationToken ct = default) => Task.CompletedTask;

        public PendingJob? Find(string? jobId) => new(PendingJobState.Scheduled, DateTimeOffset.MaxValue);
    }
}
