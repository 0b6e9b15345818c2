using System.Globalization;
using KafkaMigrationPortal.Engine.Mirroring;
using KafkaMigrationPortal.Heroku.Kafka;

namespace KafkaMigrationPortal.Engine.Planning;

/// <summary>
/// Turns a <see cref="PlanRequest"/> into the ordered steps of DESIGN.md's three strategies. Pure and deterministic:
/// the same request always yields the same plan (names are de-duplicated and sorted). Validate the request first
/// (<see cref="PlanValidator"/>); <see cref="PlanInvariants.Check"/> proves the result safe.
/// </summary>
public static class MigrationPlanBuilder
{
    /// <summary>
    /// The new add-on's name, chosen by the plan so that its CLI text can name it: <c>addons:attach</c> takes an add-on
    /// name, not the attachment it was created under. Add-on names are unique across Heroku; the app's name (unique
    /// too) and the old add-on's id make it one no other migration picks, and the same request keeps getting it.
    /// </summary>
    public static string TargetAddonName(string app, Guid sourceId) => $"{app}-kafka-{sourceId.ToString("N")[..8]}";

    public static MigrationPlan Build(PlanRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var facts = new Facts(request);
        var steps = request.Strategy switch
        {
            MigrationStrategy.MaintenanceWindow => MaintenanceWindow(facts),
            MigrationStrategy.DoubleWrite => DoubleWrite(facts),
            MigrationStrategy.Mirror => Mirror(facts),
            _ => throw new ArgumentOutOfRangeException(nameof(request), request.Strategy, "Unknown migration strategy."),
        };
        return new MigrationPlan(
            request.App,
            request.Strategy,
            request.Source,
            facts.TargetPlan,
            facts.Producers,
            facts.Consumers,
            facts.Topics,
            facts.Groups,
            steps.Select((step, index) => step with { Index = index }).ToList(),
            Warnings(facts),
            request.TargetMultiTenant,
            facts.Primary,
            facts.Names,
            facts.Formation,
            facts.MirrorEngine);
    }

    /// <summary>The request, normalised: unprefixed sorted names, full plan name, quantities of the declared types.</summary>
    private sealed class Facts
    {
        public Facts(PlanRequest request)
        {
            Request = request;
            App = request.App;
            Primary = request.SourceAttachment;
            TargetPlan = KafkaPlans.Normalize(request.TargetPlan);
            var sourcePrefix = request.Source.TopicPrefix;
            // Kafka's internal topics (__consumer_offsets, which Heroku lists) are never copied, counted or checked.
            Topics = request.Topics
                .Select(t => t with { Name = NameMapping.ToDataApiName(t.Name, sourcePrefix) })
                .Where(t => !KafkaInternalTopics.IsInternal(t.Name))
                .DistinctBy(t => t.Name, StringComparer.Ordinal)
                .OrderBy(t => t.Name, StringComparer.Ordinal)
                .ToList();
            Groups = Sorted(request.ConsumerGroups.Select(g => NameMapping.ToDataApiName(g, sourcePrefix)));
            Producers = Sorted(request.ProducerProcessTypes);
            Consumers = Sorted(request.ConsumerProcessTypes);
            Everyone = [.. Producers.Union(Consumers, StringComparer.Ordinal).Order(StringComparer.Ordinal)];
            Formation = Everyone.ToDictionary(type => type, type => request.Formation.GetValueOrDefault(type), StringComparer.Ordinal);
            Names =
            [
                .. Topics.Select(t => new NameMapping(NameKind.Topic, t.Name, NameMapping.ToKafkaName(t.Name, sourcePrefix), request.TargetMultiTenant)),
                .. Groups.Select(g => new NameMapping(NameKind.ConsumerGroup, g, NameMapping.ToKafkaName(g, sourcePrefix), request.TargetMultiTenant)),
            ];
            LargestRetention = TimeSpan.FromMilliseconds(Topics.Max(t => t.RetentionTimeMs) ?? 0);
        }

        public PlanRequest Request { get; }
        public MirrorEngine MirrorEngine => Request.Strategy == MigrationStrategy.Mirror ? Request.MirrorEngine : MirrorEngine.Portal;
        public string App { get; }
        public string Primary { get; }
        public string TargetPlan { get; }

        /// <summary>The target plan's published limits (the run reads the new add-on's own before creating topics).</summary>
        public KafkaPlanLimits TargetLimits => KafkaPlanLimits.ForPlan(TargetPlan);
        public IReadOnlyList<TopicSpec> Topics { get; }
        public IReadOnlyList<string> TopicNames => Topics.Select(t => t.Name).ToList();
        public IReadOnlyList<string> Groups { get; }
        public IReadOnlyList<string> Producers { get; }
        public IReadOnlyList<string> Consumers { get; }
        public IReadOnlyDictionary<string, int> Formation { get; }
        public IReadOnlyList<NameMapping> Names { get; }
        public TimeSpan LargestRetention { get; }
        public string SourceName => Request.Source.Name;

        public string TargetName => TargetAddonName(App, Request.Source.Id);
        public IReadOnlyList<string> SourceAlsoAttachedTo => Sorted(Request.Source.AlsoAttachedTo ?? []);
        public bool TargetMultiTenant => Request.TargetMultiTenant;

        public PlanTimings Timings => Request.Timings;
        public DurationRange ApiCall => Timings.ApiCall;
        public DurationRange Release => Timings.Release;
        public DurationRange Provisioning => TargetMultiTenant ? Timings.ProvisioningMultiTenant : Timings.ProvisioningDedicated;

        /// <summary>Every producer and consumer process type, sorted.</summary>
        public IReadOnlyList<string> Everyone { get; }

        public IEnumerable<KeyValuePair<string, int>> Quantities(IEnumerable<string> types, int? quantity = null) =>
            types.Select(t => KeyValuePair.Create(t, quantity ?? Formation[t]));

        private static IReadOnlyList<string> Sorted(IEnumerable<string> names) =>
            names.Select(n => n.Trim()).Where(n => n.Length > 0).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
    }

    private static List<PlanStep> MaintenanceWindow(Facts f)
    {
        var app = f.App;
        var steps = new List<PlanStep>();
        AddProvisioning(steps, f, AttachmentNames.New);
        var windowOpens = steps.Count;
        steps.Add(Step(new ScaleProcesses(f.Producers, 0),
            "Open the maintenance window: stop the producers",
            $"Scales {List(f.Producers)} to 0 dynos; the current quantities are recorded with the run. Approving this opens the window: from here until producers and consumers run on the new add-on no step waits for anyone, so no decision time is downtime. Each of those steps checks live, before it acts, what an approver would have checked, and pauses the run if that fails.",
            HerokuCli.Scale(app, f.Quantities(f.Producers, 0)),
            "The new add-on has every topic and consumer group.",
            requiresApproval: true,
            compensation: "Scale the producers back to their recorded quantities.",
            compensatingActions: [new RestoreFormation(f.Producers)],
            duration: f.ApiCall));
        steps.Add(Step(new WaitForConsumerCatchUp(AddonRole.Source, f.Groups),
            "Wait until the consumers have read everything on the old add-on",
            "Nothing; waits for lag 0 on every partition of every consumer group on the old cluster.",
            HerokuCli.Check($"lag 0 on every partition of {List(f.Groups)} on {f.Primary}, stable across consecutive checks; `heroku kafka:consumer-groups {f.Primary} -a {app}` lists the groups"),
            "The producers are at 0 and the consumers are running.",
            duration: f.Timings.CatchUp));
        steps.Add(Step(new ScaleProcesses(f.Consumers, 0),
            "Stop the consumers",
            $"Scales {List(f.Consumers)} to 0 dynos; the current quantities are recorded with the run.",
            HerokuCli.Scale(app, f.Quantities(f.Consumers, 0)),
            "Every consumer group's lag on the old add-on is 0.",
            compensation: "Scale the consumers back to their recorded quantities.",
            compensatingActions: [new RestoreFormation(f.Consumers)],
            duration: f.ApiCall));
        steps.Add(Step(new SetMaintenance(true),
            "Turn maintenance mode on",
            $"The app's web traffic gets Heroku's maintenance page.",
            HerokuCli.Maintenance(app, true),
            "Producers and consumers are at 0.",
            compensation: "Turn maintenance mode off.",
            compensatingActions: [new SetMaintenance(false)],
            duration: f.ApiCall));
        AddAttachmentSwap(steps, f,
            $"Producers and consumers are at 0, every consumer group's lag on the old add-on was 0, and the old add-on is attached as {AttachmentNames.Old}.");
        var everyone = f.Everyone;
        steps.Add(Step(new RestoreFormation(everyone),
            "Start producers and consumers on the new add-on",
            $"Scales {List(everyone)} back to the quantities recorded when they were stopped; from now on the app writes to the new add-on only.",
            HerokuCli.Scale(app, f.Quantities(everyone)),
            $"{f.Primary} points at the new add-on, which has every topic and consumer group.",
            reversible: false,
            duration: f.Release,
            pointOfNoReturn: true));
        steps[windowOpens] = steps[windowOpens] with { ApprovalCoversThrough = steps.Count - 1 };
        steps.Add(Step(new SetMaintenance(false),
            "Turn maintenance mode off",
            "The app serves web traffic again.",
            HerokuCli.Maintenance(app, false),
            "Producers and consumers run on the new add-on.",
            compensation: "Turn maintenance mode on.",
            compensatingActions: [new SetMaintenance(true)],
            duration: f.ApiCall));
        steps.Add(DestroySource(f, $"The app runs on the new add-on; the old one is attached only as {AttachmentNames.Old} and nothing reads or writes it."));
        return steps;
    }

    private static List<PlanStep> DoubleWrite(Facts f)
    {
        var app = f.App;
        var (old, primary) = (AttachmentNames.Old, f.Primary);
        var steps = new List<PlanStep>();
        steps.Add(Step(new Attach(AddonRole.Source, old, Confirm: false),
            $"Attach the old add-on as {old}",
            $"Adds a second attachment of {f.SourceName} ({old}_* config vars); the app can now reach it by that name.",
            HerokuCli.Attach(app, f.SourceName, old, confirm: false),
            $"No other add-on is attached as {old}.",
            compensation: $"Detach {old} from the old add-on.",
            compensatingActions: [new Detach(AddonRole.Source, old)],
            duration: f.ApiCall));
        Dictionary<string, string?> unpin = new() { [PinVars.ProducerAddonNames] = null, [PinVars.ConsumerAddonName] = null };
        Dictionary<string, string?> pin = new() { [PinVars.ProducerAddonNames] = old, [PinVars.ConsumerAddonName] = old };
        steps.Add(Step(new SetConfigVars(pin),
            $"Pin producers and consumers to {old}",
            $"Sets {PinVars.ProducerAddonNames} and {PinVars.ConsumerAddonName} to {old}; a new release restarts every dyno, still on the old add-on.",
            HerokuCli.ConfigVars(app, pin),
            $"{old} is attached to the old add-on and the app honours {PinVars.ProducerAddonNames} and {PinVars.ConsumerAddonName}.",
            compensation: "Unset both pin variables (the app falls back to the old add-on's own attachment).",
            compensatingActions: [new SetConfigVars(unpin)],
            duration: f.Release));
        // Heroku's text creates the new add-on "--as KAFKA" while KAFKA still names the old one: the name collides, and an
        // app that is not yet pinned would follow KAFKA to the new, empty cluster. Free the name explicitly instead, once
        // every dyno runs pinned; the create call then needs no confirm.
        steps.Add(Step(new Detach(AddonRole.Source, primary),
            $"Free the {primary} attachment name",
            $"Detaches the old add-on's {primary} attachment ({primary}_* config vars go away); producers and consumers reach it as {old}.",
            HerokuCli.Detach(app, primary),
            $"The release that pins producers and consumers to {old} is live on every dyno.",
            compensation: $"Attach the old add-on as {primary} again.",
            compensatingActions: [new Attach(AddonRole.Source, primary, Confirm: false)],
            duration: f.Release));
        AddProvisioning(steps, f, primary);
        var both = $"{old},{primary}";
        Dictionary<string, string?> doubleWrite = new() { [PinVars.ProducerAddonNames] = both };
        steps.Add(Step(new SetConfigVars(doubleWrite, RecordsDoubleWriteStart: true),
            "Start double-writing",
            $"Sets {PinVars.ProducerAddonNames}={both}: producers write every message to both add-ons; consumers still read {old}. The time double-writing began is recorded.",
            HerokuCli.ConfigVars(app, doubleWrite),
            "The new add-on has every topic and consumer group.",
            compensation: $"Set {PinVars.ProducerAddonNames}={old} again.",
            compensatingActions: [new SetConfigVars(new Dictionary<string, string?> { [PinVars.ProducerAddonNames] = old })],
            duration: f.Release));
        steps.Add(Step(new VerifyDoubleWrite(f.TopicNames),
            "Verify that both add-ons receive writes",
            "Nothing; watches the high watermarks of every topic grow on both clusters.",
            HerokuCli.Check($"the high watermarks of every topic grow on both {old} and {primary}"),
            "The double-write release is live on every producer dyno.",
            duration: f.Timings.CatchUp));
        steps.Add(Step(new WaitForRetention(f.LargestRetention, f.Request.RetentionMargin),
            "Wait out the retention period",
            $"Nothing; waits {Durations.InWords(f.LargestRetention)} (the largest topic retention) plus {Durations.InWords(f.Request.RetentionMargin)} from the recorded start of double-writing, so that the new add-on holds everything the old one still retains.",
            HerokuCli.Check($"wait until the recorded double-write start + {Durations.InWords(f.LargestRetention + f.Request.RetentionMargin)}"),
            "Double-writing has not stopped since it began.",
            duration: DurationRange.Exactly(f.LargestRetention + f.Request.RetentionMargin)));
        var parityTopics = f.Topics.Where(t => t.RetentionTimeMs is not null).Select(t => t.Name).ToList();
        steps.Add(Step(new VerifyParity(parityTopics),
            "Verify that the new add-on holds everything the old one retains",
            "Nothing; checks on every partition of the old cluster that the oldest retained message is newer than the double-write start.",
            HerokuCli.Check($"on every partition of {old}, the oldest retained message is newer than the recorded double-write start"),
            "The retention wait is over.",
            duration: f.ApiCall));
        Dictionary<string, string?> consumeNew = new() { [PinVars.ConsumerAddonName] = primary };
        steps.Add(Step(new SetConfigVars(consumeNew, CarriesPositionsOf: f.Groups),
            "Switch the consumers to the new add-on",
            $"Commits each consumer group's position on the new add-on (the offset after the copy of the last record it read on the old one), " +
            $"then sets {PinVars.ConsumerAddonName}={primary}; consumers restart on the new add-on where they stopped, seeing again only what they read while the release rolled out.",
            HerokuCli.ConfigVars(app, consumeNew),
            "Double-writing has lasted longer than the largest retention and parity holds on every partition.",
            requiresApproval: true,
            compensation: $"Set {PinVars.ConsumerAddonName}={old} again.",
            compensatingActions: [new SetConfigVars(new Dictionary<string, string?> { [PinVars.ConsumerAddonName] = old })],
            duration: f.Release));
        steps.Add(Step(new WaitForConsumerCatchUp(AddonRole.Target, f.Groups),
            "Wait until the consumers have caught up on the new add-on",
            "Nothing; waits for lag 0 on every partition of every consumer group on the new cluster.",
            HerokuCli.Check($"lag 0 on every partition of {List(f.Groups)} on {primary}, stable across consecutive checks"),
            "The consumers run on the new add-on.",
            duration: f.Timings.CatchUp));
        Dictionary<string, string?> produceNew = new() { [PinVars.ProducerAddonNames] = primary };
        steps.Add(Step(new SetConfigVars(produceNew),
            "Stop writing to the old add-on",
            $"Sets {PinVars.ProducerAddonNames}={primary}: producers write to the new add-on only; the old one stops receiving data.",
            HerokuCli.ConfigVars(app, produceNew),
            "The consumers read the new add-on and have caught up.",
            requiresApproval: true,
            reversible: false,
            duration: f.Release,
            pointOfNoReturn: true));
        steps.Add(Step(new WatchStrayWrites(f.TopicNames, f.Request.StrayWriteWindow),
            "Watch the old add-on for stray writes",
            $"Nothing; checks that no topic on the old cluster grows for {Durations.InWords(f.Request.StrayWriteWindow)}.",
            HerokuCli.Check($"the high watermarks of every topic on {old} stay still for {Durations.InWords(f.Request.StrayWriteWindow)}"),
            "Every producer dyno runs the release that writes to the new add-on only.",
            duration: new(f.Request.StrayWriteWindow, f.Request.StrayWriteWindow + f.Release.Most)));
        steps.Add(DestroySource(f, "Nothing has written to the old add-on for the watch window and the consumers read the new one."));
        steps.Add(Step(new SetConfigVars(unpin),
            "Remove the pins",
            $"Unsets {PinVars.ProducerAddonNames} and {PinVars.ConsumerAddonName}; the app falls back to {primary}, the new add-on.",
            HerokuCli.ConfigVars(app, unpin),
            $"{primary} is the new add-on and no pin names anything else.",
            compensation: $"Set both pins to {primary} again.",
            compensatingActions: [new SetConfigVars(new Dictionary<string, string?> { [PinVars.ProducerAddonNames] = primary, [PinVars.ConsumerAddonName] = primary })],
            duration: f.Release));
        return steps;
    }

    private static List<PlanStep> Mirror(Facts f)
    {
        var app = f.App;
        var (old, primary) = (AttachmentNames.Old, f.Primary);
        var steps = new List<PlanStep>();
        AddProvisioning(steps, f, AttachmentNames.New);
        var mm2 = f.MirrorEngine == MirrorEngine.MirrorMaker2;
        steps.Add(Step(new StartMirror(f.TopicNames),
            mm2 ? "Start MirrorMaker 2" : "Start mirroring the old add-on to the new one",
            mm2
                ? $"Nothing on Heroku; you start MirrorMaker 2 with the configuration the run page gives, and it copies every partition of {f.Topics.Count} topic(s) to the same partition on the new add-on. The step checks the new add-on is still empty, then waits for MirrorMaker 2's heartbeats on it; from then on the portal's job processes follow the copy on both clusters. The app keeps running on the old add-on."
                : $"Nothing on Heroku; the portal's job processes copy every partition of {f.Topics.Count} topic(s) to the same partition on the new add-on, in order, with key, value, headers and timestamp, each copy carrying its source offset. The app keeps running on the old add-on.",
            mm2
                ? $"connect-mirror-maker.sh mm2.properties  # the run page's MirrorMaker 2 configuration: {primary} -> {AttachmentNames.New}"
                : HerokuCli.NoEquivalent($"the portal's mirror copies every record of {List(f.TopicNames)} from {primary} to {AttachmentNames.New}, partition by partition"),
            "The new add-on has every topic with the old one's partition counts, and nothing but the mirror writes to it.",
            compensation: mm2 ? "Stop MirrorMaker 2." : "Stop the mirror.",
            compensatingActions: [new StopMirror()],
            duration: f.ApiCall));
        var (records, lag) = (f.Request.MirrorCaughtUpRecords, f.Request.MirrorCaughtUpLag);
        steps.Add(Step(new WaitForMirrorCaughtUp(records, lag),
            "Wait until the mirror has caught up",
            $"Nothing; waits until every partition has at most {records} record(s) left to copy and what is left would be copied within {Durations.InWords(lag)}. The first copy takes as long as the old add-on's data needs at the new one's produce rate.",
            HerokuCli.NoEquivalent($"the portal waits until the mirror's lag is at most {records} record(s) per partition and {Durations.InWords(lag)} of copying"),
            "The mirror is running.",
            duration: f.Timings.CatchUp));
        var everyone = f.Everyone;
        var windowOpens = steps.Count;
        steps.Add(Step(new ScaleProcesses(everyone, 0),
            "Cut over: stop producers and consumers",
            $"Scales {List(everyone)} to 0 dynos; the current quantities are recorded with the run. Approving this opens the cutover: from here until producers and consumers run on the new add-on no step waits for anyone, so no decision time is downtime. Each of those steps checks live, before it acts, what an approver would have checked, and pauses the run if that fails.",
            HerokuCli.Scale(app, f.Quantities(everyone, 0)),
            "The mirror has caught up and the new add-on has every topic and consumer group.",
            requiresApproval: true,
            compensation: "Scale producers and consumers back to their recorded quantities.",
            compensatingActions: [new RestoreFormation(everyone)],
            duration: f.ApiCall));
        steps.Add(Step(new WaitForMirrorDrained(f.TopicNames),
            "Wait until the mirror has copied the last record",
            "Nothing; waits until, on every partition, the mirror has copied everything up to the old cluster's end offset.",
            HerokuCli.NoEquivalent("the portal waits until the mirror has copied every partition up to the old cluster's end offset"),
            "Producers are at 0: nothing writes to the old add-on any more.",
            // What is left (the caught-up bound) plus the consecutive checks that find the old cluster's end still.
            duration: new(f.ApiCall.Least, lag + f.Timings.CatchUp.Least)));
        steps.Add(Step(new CommitMirroredOffsets(f.Groups),
            "Carry the consumer groups' positions to the new add-on",
            mm2
                ? $"Commits, on the new add-on, each of {f.Groups.Count} consumer group(s)' offsets translated exactly from its committed offsets on the old one: the records after each position are counted on the old add-on, and the new add-on's record that many before its end must be the same record (key, value, timestamp), else nothing is committed. Never moves a group backwards, so consumers resume exactly where they stopped."
                : $"Commits, on the new add-on, each of {f.Groups.Count} consumer group(s)' offsets translated exactly from its committed offsets on the old one through the mirror's offset map (never moving a group backwards), so consumers resume exactly where they stopped.",
            HerokuCli.NoEquivalent($"the portal commits the offsets of {List(f.Groups)} on {AttachmentNames.New}, translated through the mirror's offset map"),
            "Consumers are at 0 and the mirror has copied every record of the old add-on.",
            duration: f.ApiCall));
        AddAttachmentSwap(steps, f,
            $"Producers and consumers are at 0, the mirror has copied every record, the groups' positions are on the new add-on, and the old add-on is attached as {old}.");
        steps.Add(Step(new RestoreFormation(everyone),
            "Start producers and consumers on the new add-on",
            $"Scales {List(everyone)} back to the quantities recorded when they were stopped; from now on the app writes to the new add-on only.",
            HerokuCli.Scale(app, f.Quantities(everyone)),
            $"{primary} points at the new add-on, which holds every record of the old one and the groups' positions.",
            reversible: false,
            duration: f.Release,
            pointOfNoReturn: true));
        steps[windowOpens] = steps[windowOpens] with { ApprovalCoversThrough = steps.Count - 1 };
        steps.Add(Step(new StopMirror(),
            mm2 ? "Stop MirrorMaker 2" : "Stop the mirror",
            mm2
                ? "Nothing on Heroku; you stop MirrorMaker 2, and the step waits until its heartbeats on the new add-on have stopped."
                : "Nothing on Heroku; the portal's job processes stop copying for this run.",
            mm2 ? "# stop connect-mirror-maker.sh (its heartbeats on the new add-on stop)" : HerokuCli.NoEquivalent("the portal's mirror stops"),
            "The app runs on the new add-on.",
            compensation: null,
            duration: f.ApiCall));
        steps.Add(Step(new WatchStrayWrites(f.TopicNames, f.Request.StrayWriteWindow),
            "Watch the old add-on for stray writes",
            $"Nothing; checks that no topic on the old cluster grows for {Durations.InWords(f.Request.StrayWriteWindow)}.",
            HerokuCli.Check($"the high watermarks of every topic on {old} stay still for {Durations.InWords(f.Request.StrayWriteWindow)}"),
            "Producers and consumers run on the new add-on.",
            duration: new(f.Request.StrayWriteWindow, f.Request.StrayWriteWindow + f.Release.Most)));
        steps.Add(DestroySource(f, $"Nothing has written to the old add-on for the watch window; the app runs on the new one, which holds every record the old one had."));
        return steps;
    }

    /// <summary>
    /// The swap with producers and consumers at 0: keep the old add-on reachable as OLD_KAFKA, point the primary name at
    /// the new one, and drop its NEW_KAFKA name.
    /// </summary>
    /// <param name="switchPrecondition">What must hold before the primary name moves, in this strategy's terms.</param>
    private static void AddAttachmentSwap(List<PlanStep> steps, Facts f, string switchPrecondition)
    {
        var (app, old, primary) = (f.App, AttachmentNames.Old, f.Primary);
        steps.Add(Step(new Attach(AddonRole.Source, old, Confirm: false),
            $"Attach the old add-on as {old}",
            $"Adds a second attachment of {f.SourceName} ({old}_* config vars) so that it stays reachable after the swap.",
            HerokuCli.Attach(app, f.SourceName, old, confirm: false),
            $"No other add-on is attached as {old}.",
            compensation: $"Detach {old} from the old add-on.",
            compensatingActions: [new Detach(AddonRole.Source, old)],
            duration: f.ApiCall));
        steps.Add(Step(new Attach(AddonRole.Target, primary, Confirm: true),
            $"Switch {primary} to the new add-on",
            $"Re-points the {primary} attachment ({primary}_* config vars) at the new add-on, overwriting the old add-on's; the old one stays attached as {old}.",
            HerokuCli.Attach(app, f.TargetName, primary, confirm: true),
            switchPrecondition,
            compensation: $"Attach the old add-on as {primary} again (with confirm).",
            compensatingActions: [new Attach(AddonRole.Source, primary, Confirm: true)],
            duration: f.ApiCall));
        steps.Add(Step(new Detach(AddonRole.Target, AttachmentNames.New),
            $"Remove the {AttachmentNames.New} attachment",
            $"Detaches the new add-on's {AttachmentNames.New} name; it remains attached as {primary}.",
            HerokuCli.Detach(app, AttachmentNames.New),
            $"The new add-on is attached as {primary}.",
            compensation: $"Attach the new add-on as {AttachmentNames.New} again.",
            compensatingActions: [new Attach(AddonRole.Target, AttachmentNames.New, Confirm: false)],
            duration: f.ApiCall));
    }

    /// <summary>Provision the target under <paramref name="attachment"/>, wait for it, create its topics and groups.</summary>
    private static void AddProvisioning(List<PlanStep> steps, Facts f, string attachment)
    {
        var app = f.App;
        steps.Add(Step(new ProvisionAddon(f.TargetPlan, attachment, f.TargetName),
            $"Provision the new add-on as {attachment}",
            $"Creates a {f.TargetPlan} add-on named {f.TargetName} on {app}, attached as {attachment} (billing starts).",
            HerokuCli.CreateAddon(app, f.TargetPlan, attachment, f.TargetName),
            $"No attachment named {attachment} exists (an add-on of plan {f.TargetPlan} this run already created under it is adopted).",
            compensation: "Destroy the new add-on (after approval).",
            compensatingActions: [new DestroyAddon(AddonRole.Target)],
            duration: f.ApiCall));
        steps.Add(Step(new WaitForProvisioning(AddonRole.Target),
            "Wait until the new add-on is ready",
            "Nothing; polls the add-on's state and the Kafka data API's wait status.",
            HerokuCli.KafkaWait(app, attachment),
            "The new add-on exists.",
            duration: f.Provisioning));
        // MirrorMaker 2 creates no topic where Heroku does not let clients: its own are created with the app's.
        var mirrorMaker = f.MirrorEngine == MirrorEngine.MirrorMaker2 ? MirrorMaker2Config.InternalTopics : [];
        IReadOnlyList<TopicSpec> topics = [.. f.Topics, .. mirrorMaker];
        steps.Add(Step(new CreateTopics(AddonRole.Target, topics, SendReplicationFactor: !f.TargetMultiTenant),
            "Create the topics on the new add-on",
            $"Creates {f.Topics.Count} topic(s) with the old add-on's partitions, retention and compaction{(f.TargetMultiTenant ? " (Heroku adds the new add-on's prefix)" : "")}"
            + (mirrorMaker.Count > 0 ? $", and MirrorMaker 2's {mirrorMaker.Count} compacted topics ({List(mirrorMaker.Select(t => t.Name))})." : "."),
            topics.Count == 0
                ? HerokuCli.Check("the old add-on has no topics: nothing to create")
                : string.Join("\n", topics.Select(t => HerokuCli.CreateTopic(app, attachment,
                    t with { RetentionTimeMs = t.RetentionTimeMs is null ? null : f.TargetLimits.RetentionToSend(t, f.TargetMultiTenant) }, withReplicationFactor: !f.TargetMultiTenant))),
            "The new add-on is ready.",
            compensation: null,
            duration: f.ApiCall * Math.Max(1, topics.Count)));
        if (f.Groups.Count > 0)
        {
            steps.Add(Step(new CreateConsumerGroups(AddonRole.Target, f.Groups),
                "Create the consumer groups on the new add-on",
                $"Creates {f.Groups.Count} consumer group(s){(f.TargetMultiTenant ? " (required on multi-tenant plans before clients may use them)" : " (dedicated clusters answer that this is not required; that counts as done)")}.",
                string.Join("\n", f.Groups.Select(g => HerokuCli.CreateConsumerGroup(app, attachment, g))),
                "The new add-on is ready.",
                duration: f.ApiCall * f.Groups.Count));
        }
    }

    private static PlanStep DestroySource(Facts f, string precondition)
    {
        var others = f.SourceAlsoAttachedTo;
        return Step(new DestroyAddon(AddonRole.Source, others.Count == 0 ? null : others),
            "Destroy the old add-on",
            others.Count == 0
                ? $"Destroys {f.SourceName} and every attachment of it; its data is gone for good."
                : $"Destroys {f.SourceName} and every attachment of it, also on {List(others)} (forced); its data is gone for good.",
            HerokuCli.Destroy(f.App, f.SourceName, force: others.Count > 0),
            precondition,
            requiresApproval: true,
            reversible: false,
            duration: f.Timings.Destroy);
    }

    private static List<string> Warnings(Facts f)
    {
        var warnings = new List<string>();
        var compacted = f.Topics.Where(t => t.Compacted).ToList();
        foreach (var topic in compacted)
        {
            var multiTenantRetention = f.TargetMultiTenant && topic.RetentionTimeMs is null
                ? " The new add-on is multi-tenant, where every topic has a time retention: it is created with the cluster's default retention as well as compaction (the CLI does the same), so keys not rewritten within it are deleted."
                : "";
            if (f.Request.Strategy == MigrationStrategy.Mirror)
            {
                // The mirror copies the compacted log as the old add-on retains it: no key is lost, so only the retention note applies.
                if (multiTenantRetention.Length > 0) warnings.Add($"Topic '{topic.Name}' is compacted.{multiTenantRetention}");
                continue;
            }
            warnings.Add((f.Request.Strategy == MigrationStrategy.DoubleWrite
                ? $"Topic '{topic.Name}' is compacted: double-writing copies only what is written after it starts, so keys last written before then are not brought across to the new add-on"
                  + (topic.RetentionTimeMs is null ? ", and its parity cannot be checked (it has no time-based retention)." : ".")
                : $"Topic '{topic.Name}' is compacted: the new add-on starts empty, so consumers that rebuild state by re-reading it from the beginning will find only keys written after the switch.")
                + multiTenantRetention);
        }
        if (f.Request.Strategy == MigrationStrategy.Mirror)
            warnings.Add("Offsets differ on the new add-on (the mirror keeps every record and its order, not its offset number): the portal carries every consumer group's committed offsets across, but an app that keeps offsets anywhere else (its own database, a seek to a stored offset) would resume at the wrong record.");
        foreach (var topic in f.Topics.Where(t => t.RetentionTimeMs < f.TargetLimits.MinRetentionMs))
            warnings.Add($"Topic '{topic.Name}' keeps messages for {Durations.InWords(TimeSpan.FromMilliseconds(topic.RetentionTimeMs!.Value))}; {f.TargetPlan} keeps them at least {Durations.InWords(TimeSpan.FromMilliseconds(f.TargetLimits.MinRetentionMs!.Value))}, so it is created there with that (or the new add-on's own reported minimum, read before any topic is created). The new add-on keeps messages longer than the old one: nothing is lost, the app's consumers can re-read further back, and it holds more data.");
        if (f.Request.Source.IsMultiTenant && !f.TargetMultiTenant)
            warnings.Add("The new add-on is dedicated: topic and consumer-group names carry no prefix there. The app must take the prefix from its attachment's _PREFIX config var (absent on dedicated plans), not hard-code it.");
        if (!f.Request.Source.IsMultiTenant && f.TargetMultiTenant)
            warnings.Add("The new add-on is multi-tenant: every topic and consumer-group name must carry the prefix in its attachment's _PREFIX config var. The app must read it from there.");
        var others = f.Request.Formation.Where(p => p.Value > 0 && !f.Formation.ContainsKey(p.Key)).Select(p => p.Key).Order(StringComparer.Ordinal).ToList();
        if (others.Count > 0)
            warnings.Add($"Process types {List(others)} are neither producers nor consumers in this plan and are not stopped or pinned; if they use Kafka, declare them.");
        if (f.Topics.Count == 0)
            warnings.Add("The old add-on has no topics: the new one will have none either.");
        if (f.SourceAlsoAttachedTo.Count > 0)
            warnings.Add($"The old add-on is also attached to {List(f.SourceAlsoAttachedTo)}: destroying it at the end removes it from there too (forced), and whatever runs there loses its Kafka.");
        return warnings;
    }

    private static PlanStep Step(
        StepAction action, string title, string changes, string cli, string precondition,
        bool requiresApproval = false, bool reversible = true, string? compensation = null,
        IReadOnlyList<StepAction>? compensatingActions = null, DurationRange duration = default, bool pointOfNoReturn = false) =>
        new(0, action, title, changes, cli, precondition, requiresApproval, reversible,
            reversible ? compensation : null, duration.Least, pointOfNoReturn, reversible ? compensatingActions : null,
            LongestDuration: duration.Most);

    private static string List(IEnumerable<string> names) => string.Join(", ", names);

}
