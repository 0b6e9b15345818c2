using KafkaMigrationPortal.Engine.KafkaChecks;
using KafkaMigrationPortal.Engine.Mirroring;
using KafkaMigrationPortal.Engine.Planning;
using KafkaMigrationPortal.Heroku;
using KafkaMigrationPortal.Heroku.Kafka;
using KafkaMigrationPortal.Heroku.Platform;

namespace KafkaMigrationPortal.Engine.Execution;

/// <summary>Everything an executor needs to run one step of one run, and the ways it records what it does.</summary>
public sealed class StepContext(
    MigrationRun run,
    RunStep step,
    MigrationPlan plan,
    StepAction action,
    IHerokuPlatformApi platform,
    IHerokuKafkaApi kafka,
    IKafkaInspector inspector,
    RunEventLog events,
    TimeProvider time,
    ExecutionOptions options,
    Func<CancellationToken, Task> save,
    CancellationToken cancellationToken,
    MirrorLeases? mirror = null)
{
    public MigrationRun Run { get; } = run;
    public RunStep Step { get; } = step;
    public MigrationPlan Plan { get; } = plan;
    public StepAction Action { get; } = action;
    public IHerokuPlatformApi Platform { get; } = platform;
    public IHerokuKafkaApi Kafka { get; } = kafka;
    public IKafkaInspector Inspector { get; } = inspector;

    /// <summary>The mirror's partitions and progress; null where a context is built without storage (unit tests of one executor).</summary>
    public MirrorLeases? Mirror { get; } = mirror;
    public TimeProvider Time { get; } = time;
    public ExecutionOptions Options { get; } = options;
    public CancellationToken CancellationToken { get; } = cancellationToken;
    public string App => Run.App;
    public DateTimeOffset Now => Time.GetUtcNow();

    /// <summary>Commits what the executor recorded on the run or the step (e.g. dyno counts) before it acts.</summary>
    public Task SaveAsync() => save(CancellationToken);

    public Guid? AddonId(AddonRole role) => role == AddonRole.Source ? Run.SourceAddonId ?? Plan.Source.Id : Run.TargetAddonId;

    public Guid RequireAddonId(AddonRole role) =>
        AddonId(role) ?? throw new StepFailedException("The new add-on is not known yet: its provisioning step has not recorded it.");

    public Task LogAsync(string kind, string summary, string? request = null, string? result = null, bool? succeeded = null) =>
        events.AppendAsync(Run.Id, RunEvent.EngineActor, kind, summary, Step.Sequence, request, result, succeeded, CancellationToken);

    /// <summary>
    /// A mutating Heroku call, written to the event log before it is made (intent) and after (result or error), so that
    /// a crash between the two leaves a trace and the next attempt knows to reconcile.
    /// </summary>
    public async Task<T> MutateAsync<T>(string operation, string request, Func<CancellationToken, Task<T>> call, Func<T, string> describe)
    {
        await LogAsync(RunEventKinds.HerokuCallIntent, operation, request);
        try
        {
            var result = await call(CancellationToken);
            await LogAsync(RunEventKinds.HerokuCallResult, operation, request, describe(result), succeeded: true);
            return result;
        }
        catch (Exception e) when (e is not StepFailedException)
        {
            await events.AppendAsync(Run.Id, RunEvent.EngineActor, RunEventKinds.HerokuCallResult, operation, Step.Sequence, request,
                ErrorText.Describe(e), succeeded: false, CancellationToken.None);
            throw;
        }
    }

    public Task MutateAsync(string operation, string request, Func<CancellationToken, Task> call) =>
        MutateAsync(operation, request, async ct => { await call(ct); return true; }, _ => "ok");

    /// <summary>The app's config vars and the name under which <paramref name="role"/>'s add-on is attached, for the Kafka inspector.</summary>
    public async Task<KafkaAttachmentVars> AttachmentVarsAsync(AddonRole role)
    {
        var attachments = await Platform.ListAttachmentsAsync(App, CancellationToken);
        var name = AttachmentNames.ToInspect(Plan.PrimaryAttachment, attachments, RequireAddonId(role))
            ?? throw new StepFailedException($"The {(role == AddonRole.Source ? "old" : "new")} add-on is not attached to {App}: its cluster cannot be inspected.");
        var vars = await Platform.GetConfigVarsAsync(App, CancellationToken);
        return new KafkaAttachmentVars(name, vars);
    }

    public T? State<T>() => PlanSerialization.DeserializeValue<T>(Step.CheckStateJson);

    public void SetState<T>(T? value) => Step.CheckStateJson = value is null ? null : PlanSerialization.SerializeValue(value);

    public IReadOnlyDictionary<string, int> RecordedFormation =>
        PlanSerialization.DeserializeValue<Dictionary<string, int>>(Run.RecordedFormationJson) ?? new Dictionary<string, int>();
}

public static class ErrorText
{
    /// <summary>A failure in words fit for the event log and the UI: Heroku's own message, or only the exception type.</summary>
    public static string Describe(Exception e) => e switch
    {
        HerokuApiException h => $"{(int)h.Status} {h.Id ?? "error"}: {h.Message}{(h.RequestId is null ? "" : $" (request {h.RequestId})")}",
        StepFailedException or KafkaCheckFailedException => e.Message,
        HttpRequestException http => $"Heroku could not be reached ({http.HttpRequestError})",
        TimeoutException or TaskCanceledException => "the call timed out",
        _ => $"unexpected {e.GetType().Name}",
    };

    /// <summary>Worth trying again as is: rate limits, server errors, timeouts, unreachable network.</summary>
    public static bool IsTransient(Exception e) => e switch
    {
        HerokuApiException h => (int)h.Status == 429 || (int)h.Status >= 500,
        HttpRequestException or TimeoutException or TaskCanceledException => true,
        _ => false,
    };
}
