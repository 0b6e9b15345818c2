using KafkaMigrationPortal.Engine.Planning;
using KafkaMigrationPortal.Features.Migrations;

namespace KafkaMigrationPortal.Tests.Components.Migrations;

public sealed class StrategyNamesTests
{
    [Theory]
    [InlineData(MigrationStrategy.MaintenanceWindow, "maintenance window", "Maintenance window")]
    [InlineData(MigrationStrategy.DoubleWrite, "double-write", "Double-write")]
    [InlineData(MigrationStrategy.Mirror, "mirror", "Mirror")]
    public void Every_strategy_has_its_own_name_in_a_sentence_and_on_a_label(MigrationStrategy strategy, string inWords, string label)
    {
        Assert.Equal(inWords, strategy.InWords());
        Assert.Equal(label, strategy.Label());
    }
}
