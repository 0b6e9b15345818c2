using KafkaMigrationPortal.Features.Identity;
using System.Collections.Concurrent;
using System.Security.Claims;
using KafkaMigrationPortal.Components.Shared;
using KafkaMigrationPortal.Features.Migrations;
using KafkaMigrationPortal.Engine.Execution;
using KafkaMigrationPortal.Features.Migrations.Pages;
using KafkaMigrationPortal.Engine.Planning;
using KafkaMigrationPortal.Tests.Planning;
using KafkaMigrationPortal.Engine;

namespace KafkaMigrationPortal.Tests.Components.Migrations;

/// <summary>Runs as the engine would have recorded them, built from the planning tests' example requests.</summary>
internal static class Runs
{
    public const string Starter = "alice@example.com";
    public const string Teammate = "bob@example.com";

    public static MigrationPlan DoubleWritePlan() => MigrationPlanBuilder.Build(Requests.DoubleWriteToMultiTenant());

    /// <summary>A mirror between dedicated plans (standard-0 to extended-0), copied by <paramref name="engine"/>.</summary>
    public static MigrationPlan DedicatedMirrorPlan(MirrorEngine engine) => MigrationPlanBuilder.Build(Requests.DoubleWriteToMultiTenant() with
    {
        Strategy = MigrationStrategy.Mirror,
        TargetPlan = "heroku-kafka:extended-0",
        TargetMultiTenant = false,
        MirrorEngine = engine,
    });

    /// <summary>A run of <paramref name="plan"/> whose steps before <paramref name="current"/> are done and whose current step has <paramref name="status"/>.</summary>
    public static RunDetails At(MigrationPlan plan, int current, RunStepStatus status, MigrationRunStatus runStatus = MigrationRunStatus.Running,
        string startedBy = Starter, IReadOnlyList<RunEvent>? events = null, DateTimeOffset? waitUntil = null)
    {
        var started = DateTimeOffset.Parse("2026-11-27T10:00:00Z");
        var id = Guid.Parse("0b8f2f0e-62a4-4d1e-9d7a-3f1f2e7c5a10");
        var steps = plan.Steps.Select(s => new RunStep
        {
            RunId = id,
            Sequence = s.Index,
            Kind = RunStepKind.Forward,
            PlanStepIndex = s.Index,
            Title = s.Title,
            ActionJson = PlanSerialization.Serialize(s.Action),
            RequiresApproval = s.RequiresApproval,
            PointOfNoReturn = s.PointOfNoReturn,
            Status = s.Index < current ? RunStepStatus.Done : s.Index == current ? status : RunStepStatus.Pending,
            Attempts = s.Index <= current ? 1 : 0,
            StartedAt = s.Index <= current ? started.AddMinutes(s.Index) : null,
            FinishedAt = s.Index < current ? started.AddMinutes(s.Index).AddSeconds(30) : null,
            WaitUntil = s.Index == current ? waitUntil : null,
        }).ToList();
        var run = new MigrationRun
        {
            Id = id,
            App = plan.App,
            SourceAddon = plan.Source.Name,
            SourceAddonId = plan.Source.Id,
            TargetPlan = plan.TargetPlan,
            TargetAddonName = "kafka-new-4242",
            TargetAddonId = Guid.NewGuid(),
            Strategy = plan.Strategy,
            Status = runStatus,
            StartedBy = startedBy,
            CreatedAt = started,
            ExecutedWith = "sandbox user",
            PlanJson = PlanSerialization.Serialize(plan),
            CurrentStep = current,
            Steps = steps,
        };
        return new RunDetails(run, plan, steps, events ?? [], []);
    }

    public static int IndexOf<TAction>(this MigrationPlan plan, Func<TAction, bool>? where = null) where TAction : StepAction =>
        plan.Single(where).Index;
}

/// <summary>Answers what a test sets and records every command it receives.</summary>
internal sealed class FakeRunConsole : IRunConsole
{
    public Func<Guid, QueryResult<RunDetails>> Details { get; set; } = id => QueryResult<RunDetails>.Failed($"There is no migration run {id}.");

    public IReadOnlyList<LiveCheck> Checks { get; set; } = [new("Consumer lag on the old add-on is 0", LiveCheckResult.Passed, "0 record(s) unread on KAFKA")];

    public RunCommandResult Answer { get; set; } = RunCommandResult.Ok("Approved: it runs now.");

    public ConcurrentQueue<string> Commands { get; } = new();

    public AccessProblem? AccessProblem { get; set; }

    public Task<AccessProblem?> AccessProblemAsync(ClaimsPrincipal user, Guid runId, CancellationToken ct = default) => Task.FromResult(AccessProblem);

    public int Reads;

    public Task<QueryResult<RunDetails>> GetAsync(Guid runId, CancellationToken ct = default)
    {
        Interlocked.Increment(ref Reads);
        return Task.FromResult(Details(runId));
    }

    public Task<QueryResult<IReadOnlyList<LiveCheck>>> PreviewChecksAsync(Guid runId, int stepSequence, CancellationToken ct = default) =>
        Task.FromResult(QueryResult<IReadOnlyList<LiveCheck>>.Ok(Checks));

    public Task<RunCommandResult> ApproveAsync(ClaimsPrincipal user, Guid runId, int stepSequence, string? comment, CancellationToken ct = default) =>
        Record($"approve {stepSequence} by {RunPermissions.Actor(user)}: {comment}");

    public Task<RunCommandResult> RejectAsync(ClaimsPrincipal user, Guid runId, int stepSequence, string comment, CancellationToken ct = default) =>
        Record($"reject {stepSequence} by {RunPermissions.Actor(user)}: {comment}");

    public Task<RunCommandResult> ConfirmManuallyAsync(ClaimsPrincipal user, Guid runId, int stepSequence, string comment, CancellationToken ct = default) =>
        Record($"confirm {stepSequence}: {comment}");

    public Task<RunCommandResult> ResumeAsync(ClaimsPrincipal user, Guid runId, CancellationToken ct = default) => Record("resume");

    public Task<RunCommandResult> RollbackAsync(ClaimsPrincipal user, Guid runId, string reason, CancellationToken ct = default) => Record($"rollback: {reason}");

    public Task<RunCommandResult> AbortAsync(ClaimsPrincipal user, Guid runId, string reason, CancellationToken ct = default) => Record($"abort: {reason}");

    private Task<RunCommandResult> Record(string command)
    {
        Commands.Enqueue(command);
        return Task.FromResult(Answer);
    }
}

internal sealed class FakeKafkaMonitor : IRunKafkaMonitor
{
    public Queue<QueryResult<KafkaPanelReading>> Readings { get; } = new();

    public QueryResult<KafkaPanelReading> Last { get; private set; } = QueryResult<KafkaPanelReading>.Failed("The clusters could not be read: no reading scripted.");

    public Task<QueryResult<KafkaPanelReading>> ReadAsync(RunDetails run, CancellationToken ct = default)
    {
        if (Readings.TryDequeue(out var next)) Last = next;
        return Task.FromResult(Last);
    }
}

/// <summary>Answers from a plan built by the real builder; records whether anything was started.</summary>
internal sealed class FakeWizard : IMigrationWizard
{
    public QueryResult<AppOverview> App { get; set; } = QueryResult<AppOverview>.Ok(new(Requests.App,
        [new AppAddon(Requests.SourceId, Requests.DedicatedSource.Name, "heroku-kafka", Requests.DedicatedSource.Plan, ["KAFKA"])],
        Requests.Formation, []));

    public QueryResult<PlanPreview>? Preview { get; set; }

    public QueryResult<Guid> StartAnswer { get; set; } = QueryResult<Guid>.Ok(Guid.Parse("7d0c39a4-7f38-4b59-9a32-6f0f29d3c1b2"));

    public ConcurrentQueue<string> Calls { get; } = new();

    public List<MigrationRequest> Previewed { get; } = [];

    public int Starts;

    public HerokuGrantNeeded? GrantNeeded { get; set; }

    public Task<HerokuGrantNeeded?> GrantNeededAsync(ClaimsPrincipal user, CancellationToken ct = default) => Task.FromResult(GrantNeeded);

    public Task<QueryResult<AppOverview>> ReadAppAsync(ClaimsPrincipal user, string app, CancellationToken ct = default)
    {
        Calls.Enqueue($"read-app {app}");
        return Task.FromResult(App);
    }

    public Task<QueryResult<SourceDetails>> ReadSourceAsync(ClaimsPrincipal user, string app, string attachment, CancellationToken ct = default)
    {
        Calls.Enqueue($"read-source {app} {attachment}");
        var addon = App.Value!.KafkaAddons.Single(a => a.AttachmentNames.Contains(attachment));
        return Task.FromResult(QueryResult<SourceDetails>.Ok(new(addon, attachment, [Requests.Orders, Requests.Payments, Requests.Customers],
            ["billing", "shipping"], Requests.Formation, new BrokerReachability(true, "Reachable: 3 broker(s), 3 topic(s)."), [])));
    }

    public Task<QueryResult<PlanPreview>> PreviewAsync(ClaimsPrincipal user, MigrationRequest request, CancellationToken ct = default)
    {
        Calls.Enqueue($"preview {request.TargetPlan} {request.Strategy}");
        Previewed.Add(request);
        return Task.FromResult(Preview ?? QueryResult<PlanPreview>.Ok(new(MigrationPlanBuilder.Build(Requests.DoubleWriteToMultiTenant()), [], [])));
    }

    public Task<QueryResult<Guid>> StartAsync(ClaimsPrincipal user, MigrationRequest request, MigrationPlan reviewed, CancellationToken ct = default)
    {
        Calls.Enqueue("start");
        Interlocked.Increment(ref Starts);
        return Task.FromResult(StartAnswer);
    }
}
