using System.Security.Claims;
using KafkaMigrationPortal.Features.Identity;
using KafkaMigrationPortal.Engine.KafkaChecks;
using KafkaMigrationPortal.Engine.Execution;
using KafkaMigrationPortal.Engine.Planning;
using KafkaMigrationPortal.Heroku;
using Microsoft.Extensions.Options;
using KafkaMigrationPortal.Engine;

namespace KafkaMigrationPortal.Features.Migrations;

/// <summary>The app as the wizard's first step shows it: its Kafka add-ons and process types.</summary>
public sealed record AppOverview(string App, IReadOnlyList<AppAddon> KafkaAddons, IReadOnlyDictionary<string, int> Formation, IReadOnlyList<ActiveMigration> ActiveMigrations);

/// <summary>Whether the portal's Kafka checks can reach a cluster (brokers in a Private Space often cannot be).</summary>
public sealed record BrokerReachability(bool Reachable, string Message);

/// <summary>The add-on picked as the source, with what the migration must carry over.</summary>
public sealed record SourceDetails(
    AppAddon Addon,
    string Attachment,
    IReadOnlyList<TopicSpec> Topics,
    IReadOnlyList<string> ConsumerGroups,
    IReadOnlyDictionary<string, int> Formation,
    BrokerReachability Reachability,
    IReadOnlyList<string> ReadProblems);

/// <summary>The plan the last wizard step shows, or why there is none.</summary>
public sealed record PlanPreview(MigrationPlan? Plan, IReadOnlyList<PlanRefusal> Refusals, IReadOnlyList<PlanViolation> Violations)
{
    public bool CanStart => Plan is not null && Refusals.Count == 0 && Violations.Count == 0;
}

/// <summary>
/// What the "new migration" wizard asks. Everything but <see cref="StartAsync"/> only reads (GETs to Heroku, Kafka
/// metadata); nothing is created before the user's last click.
/// </summary>
public interface IMigrationWizard
{
    /// <summary>Null when the person's Heroku grant can plan (the Kafka data API takes only <c>global</c>); else what to grant.</summary>
    Task<HerokuGrantNeeded?> GrantNeededAsync(ClaimsPrincipal user, CancellationToken ct = default);

    Task<QueryResult<AppOverview>> ReadAppAsync(ClaimsPrincipal user, string app, CancellationToken ct = default);

    Task<QueryResult<SourceDetails>> ReadSourceAsync(ClaimsPrincipal user, string app, string attachment, CancellationToken ct = default);

    Task<QueryResult<PlanPreview>> PreviewAsync(ClaimsPrincipal user, MigrationRequest request, CancellationToken ct = default);

    /// <summary>Plans again from live state and starts the run, unless the plan changed since <paramref name="reviewed"/> was shown.</summary>
    Task<QueryResult<Guid>> StartAsync(ClaimsPrincipal user, MigrationRequest request, MigrationPlan reviewed, CancellationToken ct = default);
}

/// <summary>
/// <see cref="IMigrationWizard"/> over Heroku. Reads with the credential the run would act with
/// (<see cref="IRunCredentialResolver.ForNewRun"/>), so the plan shows what that credential can see and do.
/// </summary>
public sealed class MigrationWizard(
    PlanningContextReader reader,
    IHerokuClientFactory clients,
    IKafkaInspector inspector,
    IRunCredentialResolver credentials,
    MigrationRunService runs,
    PortalMembers members,
    IOptions<WizardOptions> options,
    ILogger<MigrationWizard> logger) : IMigrationWizard
{
    private TimeSpan RetentionMargin => options.Value.RetentionMargin;

    public async Task<HerokuGrantNeeded?> GrantNeededAsync(ClaimsPrincipal user, CancellationToken ct = default) =>
        await members.CurrentAsync(user, ct) is { } member ? PlanningGrant(member) : null;

    private static HerokuGrantNeeded? PlanningGrant(PortalMember member) =>
        member.Needs(HerokuScopes.Global, "read an app's Kafka topics and consumer groups and carry out a migration");

    public async Task<QueryResult<AppOverview>> ReadAppAsync(ClaimsPrincipal user, string app, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(app)) return QueryResult<AppOverview>.Failed("Type the name of a Heroku app.");
        app = app.Trim();
        return await ReadingAsync($"the app {app}", async () =>
        {
            var (context, _) = await ContextAsync(user, new MigrationRequest(app, "", "", MigrationStrategy.DoubleWrite, [], [], RetentionMargin), ct);
            if (!context.AppExists) return QueryResult<AppOverview>.Failed($"There is no app named '{app}' that this Heroku account can see.");
            var kafka = context.Addons.Where(a => a.IsKafka).OrderBy(a => a.Name, StringComparer.Ordinal).ToList();
            return QueryResult<AppOverview>.Ok(new(app, kafka, context.Formation, context.ActiveMigrations));
        }, ct);
    }

    public async Task<QueryResult<SourceDetails>> ReadSourceAsync(ClaimsPrincipal user, string app, string attachment, CancellationToken ct = default) =>
        await ReadingAsync($"the add-on {attachment} of {app}", async () =>
        {
            var (context, member) = await ContextAsync(user, new MigrationRequest(app, attachment, "", MigrationStrategy.DoubleWrite, [], [], RetentionMargin), ct);
            if (!context.AppExists) return QueryResult<SourceDetails>.Failed($"There is no app named '{app}' that this Heroku account can see.");
            var addon = context.Addons.FirstOrDefault(a => a.AttachmentNames.Contains(attachment, StringComparer.Ordinal));
            if (addon is not { IsKafka: true }) return QueryResult<SourceDetails>.Failed($"No Apache Kafka on Heroku add-on is attached to {app} as {attachment}.");
            var vars = await clients.Platform(credentials.ForNewRun(member.AsActor)).GetConfigVarsAsync(app, ct);
            var reach = await inspector.CheckReachableAsync(new KafkaAttachmentVars(attachment, vars), ct);
            var reachability = reach.IsOk
                ? new BrokerReachability(true, $"Reachable: {reach.Value.BrokerCount} broker(s), {reach.Value.TopicCount} topic(s).")
                : new BrokerReachability(false, $"{reach.Outcome}: {reach.Message} Checks the portal cannot make become manual confirmations.");
            return QueryResult<SourceDetails>.Ok(new(addon, attachment, context.SourceTopics, context.SourceConsumerGroups, context.Formation, reachability, context.ReadProblems));
        }, ct);

    public async Task<QueryResult<PlanPreview>> PreviewAsync(ClaimsPrincipal user, MigrationRequest request, CancellationToken ct = default) =>
        await ReadingAsync($"the app {request.App}", async () => QueryResult<PlanPreview>.Ok(await PlanAsync(user, request, ct)), ct);

    public async Task<QueryResult<Guid>> StartAsync(ClaimsPrincipal user, MigrationRequest request, MigrationPlan reviewed, CancellationToken ct = default)
    {
        return await ReadingAsync($"the app {request.App}", async () =>
        {
            if (await members.CurrentAsync(user, ct) is not { } current) return QueryResult<Guid>.Failed(NoLongerAMember, Refusals.NotAMember);
            if (current is not { CanOperate: true } member) return QueryResult<Guid>.Failed("Only operators may start a migration.", Refusals.RoleRequired);
            var preview = await PlanAsync(user, request, ct);
            if (!preview.CanStart)
                return QueryResult<Guid>.Failed(string.Join(" ", preview.Refusals.Select(r => r.Message).Concat(preview.Violations.Select(v => v.Message))), Refusals.PlanRefused);
            if (!SameSteps(preview.Plan!, reviewed))
                return QueryResult<Guid>.Failed("The app changed on Heroku since this plan was generated: go back and review the new plan before starting.", Refusals.PlanChanged);
            try
            {
                return QueryResult<Guid>.Ok(await runs.StartAsync(preview.Plan!, member.AsActor, request.RequiredApprovals, ct));
            }
            catch (RunRefusedException e)
            {
                return QueryResult<Guid>.Failed(e.Message, e.Refusal);
            }
        }, ct);
    }

    private async Task<PlanPreview> PlanAsync(ClaimsPrincipal user, MigrationRequest request, CancellationToken ct)
    {
        var validation = PlanValidator.Validate((await ContextAsync(user, request, ct)).Context, request);
        if (!validation.IsValid) return new(null, validation.Refusals, []);
        var plan = MigrationPlanBuilder.Build(validation.Request! with { RetentionMargin = RetentionMargin, StrayWriteWindow = options.Value.StrayWriteWindow, Timings = options.Value.Timings });
        return new(plan, [], PlanInvariants.Check(plan));
    }

    /// <summary>Reads the app with the credential a run started by this person would act with, once their grant allows it.</summary>
    private async Task<(PlanningContext Context, PortalMember Member)> ContextAsync(ClaimsPrincipal user, MigrationRequest request, CancellationToken ct)
    {
        var member = await members.CurrentAsync(user, ct) ?? throw new WizardRefusal(NoLongerAMember, Refusals.NotAMember);
        if (PlanningGrant(member) is { } grant) throw new WizardRefusal(grant.Reason, Refusals.HerokuGrantNeeded);
        // An API key (portal connection, single operator) is global; a person's OAuth grant has the scope they granted.
        var scopes = (member.GrantedScope ?? HerokuScopes.Global).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return (await reader.ReadAsync(credentials.ForNewRun(member.AsActor), scopes, request, ct), member);
    }

    private static bool SameSteps(MigrationPlan a, MigrationPlan b) =>
        a.Steps.Select(s => (s.Title, s.CliCommand)).SequenceEqual(b.Steps.Select(s => (s.Title, s.CliCommand)));

    private async Task<QueryResult<T>> ReadingAsync<T>(string what, Func<Task<QueryResult<T>>> read, CancellationToken ct)
    {
        try
        {
            return await read();
        }
        catch (WizardRefusal refusal)
        {
            return QueryResult<T>.Failed(refusal.Message, refusal.Code);
        }
        catch (Exception e) when (e is HerokuApiException or HttpRequestException or TimeoutException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            logger.LogWarning(e, "The wizard could not read {What}", what);
            return QueryResult<T>.Failed($"Heroku did not answer for {what}: {ErrorText.Describe(e)}.", Refusals.HerokuUnavailable);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            logger.LogError(e, "The wizard failed reading {What}", what);
            return QueryResult<T>.Failed($"Reading {what} failed unexpectedly ({e.GetType().Name}). Try again in a moment.", Refusals.Unavailable);
        }
    }

    /// <summary>Why the wizard cannot read for this person at all; the page shows the message.</summary>
    private sealed class WizardRefusal(string message, string code) : Exception(message)
    {
        public string Code { get; } = code;
    }

    private const string NoLongerAMember = "You are no longer a user of this portal: sign in again.";
}
