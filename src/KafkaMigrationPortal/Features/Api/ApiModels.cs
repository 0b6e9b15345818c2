using System.Security.Cryptography;
using System.Text;
using KafkaMigrationPortal.Engine.Execution;
using KafkaMigrationPortal.Engine.Mirroring;
using KafkaMigrationPortal.Engine.Planning;
using KafkaMigrationPortal.Features.Approvals;
using KafkaMigrationPortal.Features.Migrations;

namespace KafkaMigrationPortal.Features.Api;

/// <summary>What to migrate, as the wizard asks it.</summary>
/// <param name="Strategy"><c>double-write</c> (no downtime), <c>maintenance-window</c> or <c>mirror</c> (minutes of downtime, no app change).</param>
/// <param name="PlanVersion">The <see cref="ApiPlan.PlanVersion"/> that was reviewed: a start is refused when today's plan differs.</param>
/// <param name="MirrorEngine">What copies a mirror's records: <c>portal</c> (the default: the portal's copier) or
/// <c>mirror-maker-2</c> (MirrorMaker 2, run by the team with the configuration the plan gives; dedicated plans only).</param>
public sealed record MigrationRequestBody(
    string? App,
    string? SourceAttachment,
    string? TargetPlan,
    string? Strategy,
    IReadOnlyList<string>? ProducerProcessTypes,
    IReadOnlyList<string>? ConsumerProcessTypes,
    IReadOnlyList<string>? ConsumerGroups = null,
    int? RequiredApprovals = null,
    string? PlanVersion = null,
    string? MirrorEngine = null)
{
    public const string DoubleWrite = "double-write";
    public const string MaintenanceWindow = "maintenance-window";
    public const string Mirror = "mirror";
    public const string PortalEngine = "portal";
    public const string MirrorMaker2 = "mirror-maker-2";

    /// <summary>The wizard's request, or what is missing or wrong.</summary>
    public (MigrationRequest? Request, string? Problem) ToRequest(TimeSpan retentionMargin)
    {
        if (string.IsNullOrWhiteSpace(App)) return (null, "'app' is required.");
        if (string.IsNullOrWhiteSpace(TargetPlan)) return (null, "'targetPlan' is required (e.g. heroku-kafka:basic-1).");
        MigrationStrategy? strategy = Strategy switch
        {
            DoubleWrite => MigrationStrategy.DoubleWrite,
            MaintenanceWindow => MigrationStrategy.MaintenanceWindow,
            Mirror => MigrationStrategy.Mirror,
            _ => null,
        };
        if (strategy is null) return (null, $"'strategy' must be '{DoubleWrite}', '{MaintenanceWindow}' or '{Mirror}'.");
        Engine.Planning.MirrorEngine? engine = MirrorEngine switch
        {
            null or PortalEngine => Engine.Planning.MirrorEngine.Portal,
            MirrorMaker2 => Engine.Planning.MirrorEngine.MirrorMaker2,
            _ => null,
        };
        if (engine is null) return (null, $"'mirrorEngine' must be '{PortalEngine}' (the default) or '{MirrorMaker2}'.");
        if (ProducerProcessTypes is null || ConsumerProcessTypes is null)
            return (null, "'producerProcessTypes' and 'consumerProcessTypes' are required (the app's process types that write and read Kafka).");
        return (new MigrationRequest(App.Trim(), string.IsNullOrWhiteSpace(SourceAttachment) ? AttachmentNames.Primary : SourceAttachment.Trim(), TargetPlan.Trim(),
            strategy.Value, ProducerProcessTypes, ConsumerProcessTypes, retentionMargin, ConsumerGroups, RequiredApprovals ?? 1, engine.Value), null);
    }

    /// <summary>What a repeat with the same Idempotency-Key must match (the plan version aside, which only guards the start).
    /// The default engine adds nothing, so a key taken before the field existed still matches its repeat.</summary>
    public string Fingerprint() => Hash(string.Join("\n",
        App?.Trim(), SourceAttachment?.Trim() ?? AttachmentNames.Primary, TargetPlan?.Trim(), Strategy,
        string.Join(',', ProducerProcessTypes ?? []), string.Join(',', ConsumerProcessTypes ?? []), string.Join(',', ConsumerGroups ?? []),
        RequiredApprovals ?? 1, PlanVersion) + (MirrorEngine is null or PortalEngine ? "" : $"\n{MirrorEngine}"));

    internal static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}

/// <summary>A dry run: the plan the portal would carry out now, or why it would not.</summary>
/// <param name="PlanVersion">Names these steps and commands; pass it to the start to make sure the same plan starts.</param>
/// <param name="Gates">Indices of the steps that wait for an approval.</param>
/// <param name="MirrorEngine">What copies a mirror's records: <c>portal</c> or <c>mirror-maker-2</c>; null for the other strategies.</param>
/// <param name="MirrorMaker2">With <c>mirror-maker-2</c>: the configuration to run it with and the topics the plan creates for it.</param>
public sealed record ApiPlan(
    bool CanStart,
    string? PlanVersion,
    string App,
    string? Strategy,
    string? MirrorEngine,
    string? SourceAddon,
    string? TargetPlan,
    int? PointOfNoReturn,
    IReadOnlyList<int> Gates,
    IReadOnlyList<ApiPlanStep> Steps,
    IReadOnlyList<ApiPlanRefusal> Refusals,
    IReadOnlyList<string> Warnings,
    ApiMirrorMaker2? MirrorMaker2)
{
    public static ApiPlan Of(string app, PlanPreview preview)
    {
        var plan = preview.Plan;
        return new(preview.CanStart, plan is null ? null : VersionOf(plan), app, plan is null ? null : StrategyName(plan.Strategy),
            plan is null ? null : MirrorEngineName(plan), plan?.Source.Name, plan?.TargetPlan,
            plan?.PointOfNoReturn, plan?.Steps.Where(s => s.RequiresApproval).Select(s => s.Index).ToList() ?? [],
            plan?.Steps.Select(s => new ApiPlanStep(s.Index, s.Title, s.Changes, s.CliCommand, s.Precondition, s.RequiresApproval, s.PointOfNoReturn,
                s.Reversible, s.Compensation, s.ExpectedDuration.TotalSeconds)).ToList() ?? [],
            [.. preview.Refusals.Select(r => new ApiPlanRefusal(r.Code, r.Message)), .. preview.Violations.Select(v => new ApiPlanRefusal(v.Rule, v.ToString()))],
            plan?.Warnings ?? [], ApiMirrorMaker2.Of(plan));
    }

    /// <summary>The steps and commands a person reviews: the wizard refuses a start whose plan differs in them.</summary>
    public static string VersionOf(MigrationPlan plan) =>
        MigrationRequestBody.Hash(string.Join("\n", plan.Steps.Select(s => $"{s.Title}\t{s.CliCommand}")))[..16];

    public static string StrategyName(MigrationStrategy strategy) => strategy switch
    {
        MigrationStrategy.DoubleWrite => MigrationRequestBody.DoubleWrite,
        MigrationStrategy.Mirror => MigrationRequestBody.Mirror,
        _ => MigrationRequestBody.MaintenanceWindow,
    };

    public static string? MirrorEngineName(MigrationPlan plan) => plan.Strategy != MigrationStrategy.Mirror ? null
        : plan.MirrorEngine == Engine.Planning.MirrorEngine.MirrorMaker2 ? MigrationRequestBody.MirrorMaker2 : MigrationRequestBody.PortalEngine;
}

/// <summary>MirrorMaker 2's configuration for a plan whose records it copies; placeholders name the config vars, so it holds no secret.</summary>
/// <param name="TopicsToCreate">Its own topics on the new add-on, which the plan's topic-creation step creates with the app's.</param>
public sealed record ApiMirrorMaker2(string Properties, IReadOnlyList<string> TopicsToCreate)
{
    public static ApiMirrorMaker2? Of(MigrationPlan? plan) =>
        plan is { MirrorEngine: MirrorEngine.MirrorMaker2 } && MirrorMaker2Config.For(plan) is { Properties: { } properties } config
            ? new(properties, config.TopicsToCreate.Select(t => t.Name).ToList())
            : null;
}

public sealed record ApiPlanStep(
    int Index, string Title, string Changes, string CliCommand, string Precondition, bool RequiresApproval, bool PointOfNoReturn,
    bool Reversible, string? Compensation, double ExpectedSeconds);

/// <param name="Code">The planner's refusal code (e.g. <c>target-retention-too-short</c>) or the plan rule broken.</param>
public sealed record ApiPlanRefusal(string Code, string Message);

public sealed record ApiRunSummary(
    Guid Id, string App, string SourceAddon, string TargetPlan, string Strategy, string Status, string StartedBy,
    DateTimeOffset CreatedAt, DateTimeOffset? UpdatedAt, DateTimeOffset? FinishedAt, string Url);

/// <summary>A run with its steps (and their waits), decisions and where its events are.</summary>
/// <param name="LastEventId">The id of its newest event: ask for events after it to follow on.</param>
/// <param name="PendingGate">The step waiting for a decision now, if any.</param>
/// <param name="MirrorEngine">What copies a mirror's records: <c>portal</c> or <c>mirror-maker-2</c>; null for the other strategies.</param>
/// <param name="MirrorMaker2">With <c>mirror-maker-2</c>: the configuration to run it with and the topics the plan creates for it.</param>
public sealed record ApiRun(
    Guid Id, string App, string SourceAddon, string? TargetAddon, string TargetPlan, string Strategy, string? MirrorEngine, string Status, string Phase,
    string StartedBy, string? ExecutedWith, int RequiredApprovals, DateTimeOffset CreatedAt, DateTimeOffset? UpdatedAt, DateTimeOffset? FinishedAt,
    string? LastError, int CurrentStep, bool Finished, ApiGate? PendingGate, IReadOnlyList<ApiRunStep> Steps, IReadOnlyList<ApiDecision> Decisions,
    ApiMirrorMaker2? MirrorMaker2, int LastEventId, string ETag, ApiRunLinks Links)
{
    public static ApiRun Of(RunDetails details, string etag, DateTimeOffset now)
    {
        var run = details.Run;
        var url = ApiRoutes.Run(run.Id);
        var gate = details.CurrentStep is { Status: RunStepStatus.AwaitingApproval } waiting
            ? new ApiGate(waiting.Sequence, waiting.Title, run.RequiredApprovals,
                details.Approvals.Count(a => a.StepSequence == waiting.Sequence && a.Decision == ApprovalDecision.Approve && (a.ExpiresAt is null || a.ExpiresAt > now)),
                $"{url}/steps/{waiting.Sequence}/approve", $"{url}/steps/{waiting.Sequence}/reject")
            : null;
        return new(run.Id, run.App, run.SourceAddon, run.TargetAddonName, run.TargetPlan, ApiPlan.StrategyName(run.Strategy), ApiPlan.MirrorEngineName(details.Plan),
            Name(run.Status), run.Phase.ToString(),
            run.StartedBy, run.ExecutedWith, run.RequiredApprovals, run.CreatedAt, run.UpdatedAt, run.FinishedAt, run.LastError, run.CurrentStep,
            !MigrationRunStatuses.Active.Contains(run.Status), gate,
            details.Steps.Select(s => ApiRunStep.Of(s, details.Plan)).ToList(),
            details.Approvals.Select(a => new ApiDecision(a.StepSequence, a.Approver, a.Decision == ApprovalDecision.Approve ? "approve" : "reject", a.Comment, a.At, a.ChecksUnavailable)).ToList(),
            ApiMirrorMaker2.Of(details.Plan),
            details.Events.Count == 0 ? 0 : details.Events[^1].Sequence, etag,
            new ApiRunLinks(url, $"{url}/events", $"{url}/events/stream", $"{url}/abort", $"{url}/rollback"));
    }

    /// <summary>Statuses as the API spells them: <c>awaiting-approval</c>, <c>rolled-back</c>, …</summary>
    public static string Name(MigrationRunStatus status) => Kebab(status.ToString());

    internal static string Kebab(string pascal) =>
        string.Concat(pascal.Select((c, i) => char.IsUpper(c) && i > 0 ? "-" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
}

/// <param name="Wait">Set while the step waits (retention, provisioning, catch-up): until when, and why.</param>
public sealed record ApiRunStep(
    int Sequence, string Kind, string Title, string Status, bool RequiresApproval, bool PointOfNoReturn, string? CliCommand,
    DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt, int Attempts, ApiWait? Wait, string? Outcome, string? Error)
{
    public static ApiRunStep Of(RunStep step, MigrationPlan plan) => new(
        step.Sequence, ApiRun.Kebab(step.Kind.ToString()), step.Title, ApiRun.Kebab(step.Status.ToString()), step.RequiresApproval, step.PointOfNoReturn,
        step.Kind == RunStepKind.Forward && step.PlanStepIndex < plan.Steps.Count ? plan.Steps[step.PlanStepIndex].CliCommand : null,
        step.StartedAt, step.FinishedAt, step.Attempts,
        step.WaitUntil is not null || step.WaitReason is not null ? new ApiWait(step.WaitUntil, step.WaitReason) : null,
        step.Outcome, step.Error);
}

public sealed record ApiWait(DateTimeOffset? Until, string? Reason);

public sealed record ApiGate(int StepSequence, string Title, int ApprovalsNeeded, int ApprovalsGiven, string ApproveUrl, string RejectUrl);

public sealed record ApiDecision(int StepSequence, string Person, string Decision, string? Comment, DateTimeOffset At, bool ChecksUnavailable);

public sealed record ApiRunLinks(string Self, string Events, string EventStream, string Abort, string Rollback);

/// <param name="Id">The event's sequence within its run, from 1: the SSE <c>id</c>, and the <c>after</c> cursor.</param>
public sealed record ApiRunEvent(int Id, DateTimeOffset At, string Actor, string Kind, int? StepSequence, string Summary, string? Request, string? Result, bool? Succeeded)
{
    public static ApiRunEvent Of(RunEvent e) => new(e.Sequence, e.At, e.Actor, e.Kind, e.StepSequence, e.Summary, e.Request, e.Result, e.Succeeded);
}

/// <param name="Next">The next page's address; null on the last page.</param>
public sealed record ApiRunPage(IReadOnlyList<ApiRunSummary> Items, int Page, int PageSize, int Total, string? Next);

/// <param name="After">Pass it as <c>after</c> to get the events that follow (also when there are none yet).</param>
/// <param name="Next">Set when more events are there now.</param>
public sealed record ApiEventPage(IReadOnlyList<ApiRunEvent> Items, int After, string? Next, bool RunFinished);

/// <summary>A command carried out: what the portal said, the run as it is now, and the live checks an approval made.</summary>
public sealed record ApiCommandResult(string Message, ApiRun Run, IReadOnlyList<ApiLiveCheck>? Checks);

public sealed record ApiLiveCheck(string Name, string Result, string Detail)
{
    public static IReadOnlyList<ApiLiveCheck>? Of(IReadOnlyList<LiveCheck>? checks) =>
        checks?.Select(c => new ApiLiveCheck(c.Name, ApiRun.Kebab(c.Result.ToString()), c.Detail)).ToList();
}

public sealed record ApiPendingApproval(
    Guid RunId, string App, string StartedBy, int StepSequence, string StepTitle, string? CliCommand, bool PointOfNoReturn,
    string? AddonToDestroy, DateTimeOffset? WaitingSince, string ApproveUrl, string RejectUrl)
{
    public static ApiPendingApproval Of(PendingApproval p) => new(p.RunId, p.App, p.StartedBy, p.StepSequence, p.StepTitle, p.CliCommand, p.PointOfNoReturn,
        p.AddonToDestroy, p.WaitingSince, $"{ApiRoutes.Run(p.RunId)}/steps/{p.StepSequence}/approve", $"{ApiRoutes.Run(p.RunId)}/steps/{p.StepSequence}/reject");
}

/// <param name="Comment">Required to reject; optional to approve.</param>
public sealed record DecisionBody(string? Comment);

public sealed record ReasonBody(string? Reason);

internal static class ApiRoutes
{
    public const string Base = "/api/v1";

    public static string Run(Guid id) => $"{Base}/runs/{id}";
}
