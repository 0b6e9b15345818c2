using KafkaMigrationPortal.Engine.Planning;
using KafkaMigrationPortal.Engine.Planning.Invariants;
using KafkaMigrationPortal.Features.Migrations;

namespace KafkaMigrationPortal.Tests.Planning;

/// <summary>
/// Heroku refuses to remove or replace an add-on's last attachment to its billing app. The rule on its own, in the
/// plan invariants, and over every plan the builder makes and every rollback of it.
/// </summary>
public sealed class BillingAttachmentRuleTests
{
    private const int Step = 4;

    private static SimulatedApp App(PlanRequest? request = null)
    {
        var app = new SimulatedApp(MigrationPlanBuilder.Build(request ?? Requests.MaintenanceToDedicated()));
        app.Observe(null);
        return app;
    }

    private static void Apply(SimulatedApp app, StepAction action)
    {
        var held = BillingAttachmentRule.Held(app);
        ActionRules.Apply(action, Step, app);
        BillingAttachmentRule.Check(app, Step, held);
    }

    private static IEnumerable<PlanViolation> Billing(IEnumerable<PlanViolation> violations) =>
        violations.Where(v => v.Rule == InvariantRules.LastBillingAttachment);

    [Fact]
    public void Detaching_an_add_ons_only_attachment_is_refused()
    {
        var app = App();

        Apply(app, new Detach(AddonRole.Source, AttachmentNames.Primary));

        var violation = Assert.Single(Billing(app.Violations));
        Assert.Equal(Step, violation.StepIndex);
        Assert.Contains("KAFKA, the last attachment of the old add-on to its billing app mackerel", violation.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Replacing_an_add_ons_only_attachment_with_confirm_is_refused()
    {
        var app = App();
        Apply(app, new ProvisionAddon("heroku-kafka:standard-0", AttachmentNames.New));
        Apply(app, new WaitForProvisioning(AddonRole.Target));

        Apply(app, new Attach(AddonRole.Target, AttachmentNames.Primary, Confirm: true));

        Assert.Contains("the old add-on", Assert.Single(Billing(app.Violations)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Detaching_or_replacing_a_name_while_another_attachment_remains_is_allowed_and_so_is_destroying()
    {
        var app = App();
        Apply(app, new ProvisionAddon("heroku-kafka:standard-0", AttachmentNames.New));
        Apply(app, new WaitForProvisioning(AddonRole.Target));
        Apply(app, new Attach(AddonRole.Source, AttachmentNames.Old, Confirm: false));

        Apply(app, new Attach(AddonRole.Target, AttachmentNames.Primary, Confirm: true));
        Apply(app, new Detach(AddonRole.Target, AttachmentNames.New));
        Apply(app, new DestroyAddon(AddonRole.Source));

        Assert.Empty(Billing(app.Violations));
        Assert.Equal(new Dictionary<string, AddonRole> { [AttachmentNames.Primary] = AddonRole.Target }, app.Attachments);
    }

    [Fact]
    public void A_plan_that_detaches_a_last_attachment_is_caught()
    {
        var plan = MigrationPlanBuilder.Build(Requests.MaintenanceToDedicated());
        // Without the OLD_KAFKA attachment first, switching KAFKA to the new add-on replaces the old one's last attachment.
        var steps = plan.Steps.Where(s => s.Action is not Attach { Addon: AddonRole.Source }).Select((s, i) => s with { Index = i }).ToList();

        var violations = Billing(PlanInvariants.Check(plan with { Steps = steps })).ToList();

        var switchStep = steps.Single(s => s.Action is Attach { Addon: AddonRole.Target }).Index;
        Assert.Contains(violations, v => v.StepIndex == switchStep && !v.Message.StartsWith("Rolling back", StringComparison.Ordinal));
    }

    [Fact]
    public void A_rollback_that_detaches_a_last_attachment_is_caught()
    {
        var plan = MigrationPlanBuilder.Build(Requests.DoubleWriteToMultiTenant());
        // Undoing "free the KAFKA name" by detaching OLD_KAFKA would leave the old add-on with no attachment at all.
        var free = plan.Single<Detach>(a => a.Addon == AddonRole.Source && a.AttachmentName == AttachmentNames.Primary);
        var broken = plan with
        {
            Steps = plan.Steps.Select(s => s.Index == free.Index
                ? s with { CompensatingActions = [new Detach(AddonRole.Source, AttachmentNames.Old)] }
                : s).ToList(),
        };

        var violations = Billing(PlanInvariants.Check(broken)).ToList();

        Assert.NotEmpty(violations);
        Assert.All(violations, v => Assert.StartsWith("Rolling back after", v.Message, StringComparison.Ordinal));
        Assert.Contains(violations, v => v.StepIndex == free.Index && v.Message.Contains($"'{free.Title}'", StringComparison.Ordinal));
    }

    public static TheoryData<string> EveryKindOfPlan => ["maintenance to dedicated", "double-write to multi-tenant", "maintenance to multi-tenant", "double-write to dedicated", "source with a second name"];

    private static PlanRequest RequestFor(string kind) => kind switch
    {
        "maintenance to dedicated" => Requests.MaintenanceToDedicated(),
        "double-write to multi-tenant" => Requests.DoubleWriteToMultiTenant(),
        "maintenance to multi-tenant" => Requests.DoubleWriteToMultiTenant() with { Strategy = MigrationStrategy.MaintenanceWindow },
        "double-write to dedicated" => Requests.MaintenanceToDedicated() with { Strategy = MigrationStrategy.DoubleWrite },
        "source with a second name" => Requests.MaintenanceToDedicated() with { Source = Requests.MultiTenantSource with { AttachmentNames = ["KAFKA", "KAFKA_ANALYTICS"] } },
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    [Theory]
    [MemberData(nameof(EveryKindOfPlan))]
    public void No_plan_step_and_no_rollback_detaches_a_last_billing_attachment(string kind)
    {
        var plan = MigrationPlanBuilder.Build(RequestFor(kind));
        var paths = PlanInvariants.RollbackPaths(plan).ToList();

        // Every step before the point of no return can be the last attempted one, with or without its effect.
        Assert.Equal(2 * plan.PointOfNoReturn!.Value, paths.Count);
        Assert.Contains(paths, p => p.Compensations.Any(c => c.Action is Detach) && p.Compensations.Any(c => c.Action is Attach));
        Assert.Contains(paths, p => p.Compensations.Any(c => c.Action is DestroyAddon));
        foreach (var path in paths)
        {
            var violations = PlanInvariants.CheckRollback(plan, path);
            Assert.True(violations.Count == 0, $"{kind}, rolling back after step {path.LastAttempted}: {string.Join("; ", violations)}");
        }

        Assert.Empty(Billing(PlanInvariants.Check(plan)));
    }
}
