using KafkaMigrationPortal.Features.Migrations;
using KafkaMigrationPortal.Engine.Planning;

namespace KafkaMigrationPortal.Tests.Planning;

/// <summary>The example app of Heroku's procedure, with a multi-tenant and a dedicated add-on to migrate from.</summary>
internal static class Requests
{
    public const string App = "mackerel";
    public const string Prefix = "wabash-12345.";
    public static readonly Guid SourceId = Guid.Parse("6c2b3a52-3d7e-4d0f-8a55-0d6b1f6e9a01");

    public static AddonSnapshot MultiTenantSource => new(SourceId, "kafka-symmetrical-26061", "heroku-kafka:basic-0", ["KAFKA"], Prefix);

    public static AddonSnapshot DedicatedSource => new(SourceId, "kafka-parallel-2019", "heroku-kafka:standard-0", ["KAFKA"], null);

    public static readonly TopicSpec Orders = new("orders", 8, 3, 86_400_000, false);
    public static readonly TopicSpec Payments = new("payments", 4, 3, 3 * 86_400_000L, false);
    public static readonly TopicSpec Customers = new("customers", 2, 3, null, true);

    public static IReadOnlyDictionary<string, int> Formation => new Dictionary<string, int> { ["web"] = 2, ["producer"] = 2, ["consumer"] = 3 };

    public static PlanRequest MaintenanceToDedicated() => new(
        App, MultiTenantSource, "heroku-kafka:standard-0", TargetMultiTenant: false, MigrationStrategy.MaintenanceWindow,
        ["producer"], ["consumer"], Formation,
        [Orders with { Name = Prefix + "orders" }, Payments], [Prefix + "billing", "shipping"], TimeSpan.FromHours(1));

    public static PlanRequest DoubleWriteToMultiTenant() => new(
        App, DedicatedSource, "basic-0", TargetMultiTenant: true, MigrationStrategy.DoubleWrite,
        ["producer"], ["consumer"], Formation,
        [Orders, Payments, Customers], ["billing", "shipping"], TimeSpan.FromHours(1));

    public static PlanRequest MirrorToDedicated() => MaintenanceToDedicated() with { Strategy = MigrationStrategy.Mirror };

    public static PlanStep Single<TAction>(this MigrationPlan plan, Func<TAction, bool>? where = null) where TAction : StepAction =>
        plan.Steps.Single(s => s.Action is TAction action && (where is null || where(action)));
}
