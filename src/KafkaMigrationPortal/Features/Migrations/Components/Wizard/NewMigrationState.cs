using System.Security.Claims;
using KafkaMigrationPortal.Engine;
using KafkaMigrationPortal.Engine.Mirroring;
using KafkaMigrationPortal.Engine.Planning;

namespace KafkaMigrationPortal.Features.Migrations.Components.Wizard;

/// <summary>
/// What the "new migration" wizard knows so far and how its steps move on. One per page; the steps' components show it
/// and call its transitions, the page moves the stepper.
/// </summary>
public sealed class NewMigrationState(IMigrationWizard wizard, ClaimsPrincipal user, TimeSpan retentionMargin)
{
    public static readonly IReadOnlyList<string> TargetPlans =
    [
        "heroku-kafka:basic-0", "heroku-kafka:basic-1", "heroku-kafka:basic-2",
        "heroku-kafka:standard-0", "heroku-kafka:standard-1", "heroku-kafka:standard-2",
        "heroku-kafka:extended-0", "heroku-kafka:extended-1", "heroku-kafka:extended-2",
    ];

    public const int AppStep = 0;
    public const int SourceStep = 1;
    public const int TargetStep = 2;
    public const int ReviewStep = 3;

    private readonly HashSet<string> producers = new(StringComparer.Ordinal);
    private readonly HashSet<string> consumers = new(StringComparer.Ordinal);
    // The request the shown preview was asked for; a newer request discards an older one's late answer.
    private MigrationRequest? previewed;

    public bool CanOperate { get; } = RunPermissions.CanOperate(user);

    /// <summary>The step the stepper stands on.</summary>
    public int ActiveIndex { get; private set; }

    /// <summary>True while a step is checked and left, or while the migration is being started.</summary>
    public bool Busy { get; private set; }

    public string? AppName { get; private set; }
    public string? AppError { get; private set; }
    public QueryResult<AppOverview>? App { get; private set; }

    /// <summary>The attachment picked as the source; set while its add-on is still being read.</summary>
    public string? SelectedAttachment { get; private set; }
    public QueryResult<SourceDetails>? Source { get; private set; }
    public string? SourceError { get; private set; }
    public IReadOnlySet<string> Producers => producers;
    public IReadOnlySet<string> Consumers => consumers;
    /// <summary>Comma-separated consumer groups the user adds to those Heroku lists.</summary>
    public string? ExtraGroups { get; set; }
    public string? ProcessError { get; private set; }

    public string? TargetPlan { get; private set; }
    public string? TargetError { get; private set; }
    public MigrationStrategy Strategy { get; private set; } = MigrationStrategy.DoubleWrite;

    /// <summary>What copies the records when <see cref="Strategy"/> is the mirror; the request carries it only then.</summary>
    public MirrorEngine MirrorEngine { get; private set; } = MirrorEngine.Portal;

    /// <summary>Why MirrorMaker 2 cannot copy between the source and the target picked; null when it can.</summary>
    public string? MirrorMaker2Refusal =>
        Source?.Value?.Addon is { } source && (source.TopicPrefix is not null || KafkaPlans.IsMultiTenant(source.Plan))
        || TargetPlan is { } target && KafkaPlans.IsMultiTenant(target)
            ? MirrorMaker2Config.MultiTenantRefusal
            : null;

    /// <summary>How many people other than the starter must approve each gated step.</summary>
    public int RequiredApprovals { get; private set; } = 1;

    /// <summary>Null while the review step plans.</summary>
    public QueryResult<PlanPreview>? Preview { get; private set; }
    public string? StartError { get; private set; }

    public bool CanStart => CanOperate && Preview?.Value is { CanStart: true };

    public static string PrimaryAttachment(AppAddon addon) =>
        addon.AttachmentNames.Contains(AttachmentNames.Primary, StringComparer.Ordinal) ? AttachmentNames.Primary : addon.AttachmentNames.FirstOrDefault() ?? addon.Name;

    /// <summary>A new name forgets the app read for the old one, and everything chosen from it.</summary>
    public void ChangeAppName(string? name)
    {
        AppName = name;
        AppError = null;
        if (App?.Value is { } known && !string.Equals(known.App, name?.Trim(), StringComparison.Ordinal))
        {
            App = null;
            ResetSource();
        }
    }

    /// <summary>Reads the add-on attached as <paramref name="attachment"/> and guesses which process types produce and consume.</summary>
    public async Task ChooseSourceAsync(string attachment)
    {
        SelectedAttachment = attachment;
        Source = null;
        SourceError = null;
        ProcessError = null;
        ResetPreview();
        var read = await wizard.ReadSourceAsync(user, App!.Value!.App, attachment);
        if (SelectedAttachment != attachment) return;
        if (!read.Succeeded)
        {
            SourceError = read.Error;
            SelectedAttachment = null;
            return;
        }

        Source = read;
        if (MirrorMaker2Refusal is not null) MirrorEngine = MirrorEngine.Portal;
        var (guessedProducers, guessedConsumers) = ProcessTypeRoles.Guess(read.Value!.Formation.Keys);
        producers.Clear();
        producers.UnionWith(guessedProducers);
        consumers.Clear();
        consumers.UnionWith(guessedConsumers);
    }

    public void SetProduces(string processType, bool produces) => Toggle(producers, processType, produces);

    public void SetConsumes(string processType, bool consumes) => Toggle(consumers, processType, consumes);

    /// <summary>A basic target leaves MirrorMaker 2 out, so the portal's copier is chosen instead.</summary>
    public void ChooseTarget(string plan)
    {
        TargetPlan = plan;
        TargetError = null;
        if (MirrorMaker2Refusal is not null) MirrorEngine = MirrorEngine.Portal;
        ResetPreview();
    }

    public void ChooseStrategy(MigrationStrategy strategy)
    {
        Strategy = strategy;
        ResetPreview();
    }

    /// <summary>MirrorMaker 2 is taken only where it can copy (<see cref="MirrorMaker2Refusal"/> says why not).</summary>
    public void ChooseMirrorEngine(MirrorEngine engine)
    {
        if (engine == MirrorEngine.MirrorMaker2 && MirrorMaker2Refusal is not null) return;
        MirrorEngine = engine;
        ResetPreview();
    }

    public void ChooseRequiredApprovals(int approvals)
    {
        RequiredApprovals = approvals;
        ResetPreview();
    }

    /// <summary>
    /// Checks the current step and, when it is complete, moves on with <paramref name="advance"/> (the stepper's own
    /// move, which ends in <see cref="EnterStepAsync"/>); otherwise says what is missing next to it.
    /// </summary>
    public async Task NextAsync(Func<Task> advance)
    {
        if (Busy) return;
        Busy = true;
        try
        {
            if (await ValidateStepAsync(ActiveIndex)) await advance();
        }
        finally
        {
            Busy = false;
        }
    }

    /// <summary>The stepper now stands on <paramref name="index"/>; arriving at the review plans the migration unless a plan is already shown.</summary>
    public async Task EnterStepAsync(int index)
    {
        ActiveIndex = index;
        if (ActiveIndex != ReviewStep || Preview is not null) return;
        var request = Request();
        previewed = request;
        var planned = await wizard.PreviewAsync(user, request);
        if (ReferenceEquals(previewed, request)) Preview = planned;
    }

    /// <summary>Starts the reviewed plan; the run's id, or null with <see cref="StartError"/> saying why not.</summary>
    public async Task<Guid?> StartAsync()
    {
        if (!CanStart || previewed is null || Busy) return null;
        Busy = true;
        StartError = null;
        try
        {
            var started = await wizard.StartAsync(user, previewed, Preview!.Value!.Plan!);
            if (started.Succeeded) return started.Value;
            StartError = started.Error;
            return null;
        }
        finally
        {
            Busy = false;
        }
    }

    private async Task<bool> ValidateStepAsync(int index)
    {
        switch (index)
        {
            case AppStep:
                if (string.IsNullOrWhiteSpace(AppName))
                {
                    AppError = "Type the name of a Heroku app.";
                    return false;
                }

                if (App?.Value?.App == AppName.Trim()) return true;
                var read = await wizard.ReadAppAsync(user, AppName.Trim());
                if (!read.Succeeded)
                {
                    AppError = read.Error;
                    return false;
                }

                if (read.Value!.KafkaAddons.Count == 0)
                {
                    AppError = $"{read.Value.App} has no Apache Kafka on Heroku add-on to migrate.";
                    return false;
                }

                ResetSource();
                App = read;
                if (read.Value.KafkaAddons.Count == 1) await ChooseSourceAsync(PrimaryAttachment(read.Value.KafkaAddons[0]));
                return true;
            case SourceStep:
                if (Source?.Value is null)
                {
                    SourceError ??= "Pick the add-on to migrate away from.";
                    return false;
                }

                if (producers.Count == 0 || consumers.Count == 0)
                {
                    ProcessError = "Mark at least one process type that produces and one that consumes.";
                    return false;
                }

                return true;
            case TargetStep:
                if (TargetPlan is null)
                {
                    TargetError = "Pick the plan of the new add-on.";
                    return false;
                }

                return true;
            default:
                return true;
        }
    }

    private MigrationRequest Request() => new(
        App!.Value!.App,
        SelectedAttachment!,
        TargetPlan!,
        Strategy,
        producers.Order(StringComparer.Ordinal).ToList(),
        consumers.Order(StringComparer.Ordinal).ToList(),
        retentionMargin,
        (ExtraGroups ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList(),
        RequiredApprovals,
        Strategy == MigrationStrategy.Mirror ? MirrorEngine : MirrorEngine.Portal);

    private void Toggle(HashSet<string> set, string processType, bool on)
    {
        if (on) set.Add(processType);
        else set.Remove(processType);
        ProcessError = null;
        ResetPreview();
    }

    private void ResetSource()
    {
        SelectedAttachment = null;
        Source = null;
        SourceError = null;
        ProcessError = null;
        producers.Clear();
        consumers.Clear();
        ExtraGroups = null;
        MirrorEngine = MirrorEngine.Portal;
        ResetPreview();
    }

    private void ResetPreview()
    {
        Preview = null;
        previewed = null;
        StartError = null;
    }
}

/// <summary>A process type ticked (<paramref name="Chosen"/>) or unticked as a producer or a consumer.</summary>
public readonly record struct ProcessTypeChoice(string ProcessType, bool Chosen);
