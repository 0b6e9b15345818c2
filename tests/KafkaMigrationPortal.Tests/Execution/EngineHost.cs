using System.Collections.Concurrent;
using KafkaMigrationPortal.Components;
using KafkaMigrationPortal.Features.Connections;
using KafkaMigrationPortal.Features.Migrations;
using KafkaMigrationPortal.Engine.Execution;
using KafkaMigrationPortal.Engine.Planning;
using KafkaMigrationPortal.Engine.Storage;
using KafkaMigrationPortal.Heroku;
using KafkaMigrationPortal.Heroku.Platform;
using KafkaMigrationPortal.Sandbox.Control;
using KafkaMigrationPortal.Sandbox.Dynos;
using KafkaMigrationPortal.TestSupport;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace KafkaMigrationPortal.Tests.Execution;

/// <summary>
/// The real portal in-process with its embedded sandbox (real mock Kafka clusters, dynos with traffic, ledger) and short
/// engine timings. With <c>manualScheduling</c>, continuations are recorded instead of queued on Hangfire, so a test
/// drives <see cref="AdvanceRunJob"/> itself, one execution at a time.
/// </summary>
public sealed class EngineHost : WebApplicationFactory<App>
{
    public const string Starter = Proofs.RunScenarios.Starter;
    public const string Approver = Proofs.RunScenarios.Approver;

    private readonly IReadOnlyDictionary<string, string?> settings;
    private readonly bool manualScheduling;
    private readonly Action<IServiceCollection>? replaceServices;

    private EngineHost(IReadOnlyDictionary<string, string?> settings, bool manualScheduling, Action<IServiceCollection>? replaceServices = null)
    {
        this.settings = settings;
        this.manualScheduling = manualScheduling;
        this.replaceServices = replaceServices;
    }

    public ManualScheduler Scheduler { get; } = new();

    public static EngineHost OnSqlite(string file, bool manualScheduling = true, IDictionary<string, string?>? extra = null, Action<IServiceCollection>? replaceServices = null) =>
        new(Settings(new() { ["Storage:SqlitePath"] = file }, extra), manualScheduling, replaceServices);

    public static EngineHost OnPostgres(string databaseUrl, bool manualScheduling = false, IDictionary<string, string?>? extra = null, Action<IServiceCollection>? replaceServices = null) =>
        new(Settings(new() { ["DATABASE_URL"] = databaseUrl }, extra), manualScheduling, replaceServices);

    private static Dictionary<string, string?> Settings(Dictionary<string, string?> storage, IDictionary<string, string?>? extra)
    {
        var all = new Dictionary<string, string?>(storage)
        {
            ["Sandbox:ProvisioningDelay"] = "00:00:01",
            ["Sandbox:DemoTopicRetention"] = "00:01:00",
            ["Execution:ProvisioningPollInterval"] = "00:00:00.500",
            ["Execution:KafkaDataReadyPollInterval"] = "00:00:00.500",
            ["Execution:CatchUpPollInterval"] = "00:00:01",
            ["Execution:DoubleWriteVerifyWindow"] = "00:00:03",
            ["Execution:CheckRetryInterval"] = "00:00:01",
            ["Execution:TransientRetryBase"] = "00:00:00.200",
            ["Execution:TransientRetryMax"] = "00:00:02",
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>()) all[key] = value;
        return all;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        foreach (var (key, value) in settings) builder.UseSetting(key, value);
        if (manualScheduling)
        {
            builder.ConfigureTestServices(services => services.AddSingleton<IRunScheduler>(Scheduler));
        }

        if (replaceServices is not null)
        {
            builder.ConfigureTestServices(replaceServices);
        }
    }

    public MigrationRunService Runs => Services.GetRequiredService<MigrationRunService>();

    public IDbContextFactory<PortalDbContext> Databases => Services.GetRequiredService<IDbContextFactory<PortalDbContext>>();

    public IServiceProvider SandboxServices => Services.GetRequiredService<EmbeddedSandbox>().Services;

    public Ledger Ledger => SandboxServices.GetRequiredService<Ledger>();

    public SandboxMutationLog Mutations => SandboxServices.GetRequiredService<SandboxMutationLog>();

    public IHerokuPlatformApi Platform =>
        Services.GetRequiredService<IHerokuClientFactory>().Platform(Services.GetRequiredService<HerokuConnection>().Credential);

    /// <summary>Runs the engine's job once for the run, as a Hangfire worker would.</summary>
    public async Task AdvanceOnceAsync(Guid runId)
    {
        using var scope = Services.CreateScope();
        await scope.ServiceProvider.GetRequiredService<AdvanceRunJob>().ExecuteAsync(runId, CancellationToken.None);
    }

    /// <summary>Runs the job again and again (as its scheduled wake-ups would) until the run reaches the wanted state.</summary>
    public Task<RunDetails> DriveAsync(Guid runId, Func<RunDetails, bool> until, string what, TimeSpan? within = null) =>
        Deadline.PollAsync(async () =>
        {
            await AdvanceOnceAsync(runId);
            return (await Runs.GetAsync(runId))!;
        }, until, within ?? TimeSpan.FromSeconds(180), what);

    /// <summary>Waits (Hangfire drives the run) until the run reaches the wanted state.</summary>
    public Task<RunDetails> WaitForAsync(Guid runId, Func<RunDetails, bool> until, string what, TimeSpan? within = null) =>
        Deadline.PollAsync(async () => (await Runs.GetAsync(runId))!, until, within ?? TimeSpan.FromSeconds(180), what);

    /// <summary>A plan built by the planning feature from the sandbox's live state, as the portal's form would.</summary>
    public Task<MigrationPlan> PlanAsync(string app, MigrationStrategy strategy, string targetPlan,
        IReadOnlyList<string>? consumerGroups = null, TimeSpan? retentionMargin = null, MirrorEngine mirrorEngine = MirrorEngine.Portal) =>
        Proofs.RunScenarios.PlanAsync(Services, app, strategy, targetPlan, consumerGroups, retentionMargin, mirrorEngine);

    /// <summary>The demo app's Kafka add-on, as a plan's source.</summary>
    public async Task<AddonSnapshot> SourceAsync(string app = "mackerel")
    {
        var attachments = await Platform.ListAttachmentsAsync(app);
        var kafka = attachments.Single(a => a.Name == AttachmentNames.Primary);
        return new AddonSnapshot(Guid.Parse(kafka.Addon.Id), kafka.Addon.Name, kafka.Addon.Plan?.Name ?? "heroku-kafka:basic-0", [kafka.Name], null);
    }

    /// <summary>A hand-made plan around the given actions (for engine tests that need no real migration).</summary>
    public static MigrationPlan HandPlan(AddonSnapshot source, params PlanStep[] steps) =>
        new("mackerel", MigrationStrategy.MaintenanceWindow, source, "heroku-kafka:standard-0", ["producer"], ["consumer"], [], [],
            steps.Select((s, i) => s with { Index = i }).ToList(), [], Formation: new Dictionary<string, int> { ["producer"] = 1, ["consumer"] = 1 });

    public static PlanStep Step(StepAction action, bool approval = false, bool pointOfNoReturn = false, IReadOnlyList<StepAction>? compensations = null) =>
        new(0, action, action.GetType().Name, "test", "heroku test", "none", approval, compensations is not null, null, TimeSpan.FromSeconds(1),
            pointOfNoReturn, compensations);

    public IReadOnlyList<SandboxMutation> MutationsOf(string method, string pathPrefix) =>
        Mutations.Entries().Where(m => m.Method == method && m.Path.StartsWith(pathPrefix, StringComparison.Ordinal) && m.Status < 400).ToList();
}

/// <summary>Records what the engine would queue; nothing runs unless the test runs it.</summary>
public sealed class ManualScheduler : IRunScheduler
{
    public ConcurrentQueue<(Guid RunId, Continuation Next)> Continuations { get; } = new();

    public Task ContinueAsync(Guid runId, Continuation continuation, CancellationToken ct = default)
    {
        if (continuation is not Continuation.NoJob) Continuations.Enqueue((runId, continuation));
        return Task.CompletedTask;
    }

    public PendingJob? Find(string? jobId) => null;
}
