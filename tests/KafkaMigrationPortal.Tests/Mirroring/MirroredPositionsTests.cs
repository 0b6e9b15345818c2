using KafkaMigrationPortal.Engine.Execution;
using KafkaMigrationPortal.Engine.KafkaChecks;
using KafkaMigrationPortal.Engine.Mirroring;

namespace KafkaMigrationPortal.Tests.Mirroring;

public sealed class MirroredPositionsTests
{
    private static readonly MirrorPartition Orders0 = new("orders", 0);
    private static readonly MirrorPartition Orders1 = new("orders", 1);

    [Fact]
    public void Translated_offsets_move_groups_forward_and_never_back()
    {
        MirrorTranslation[] translations =
        [
            new(Orders0, SourceOffset: 40, TargetOffset: 35, ReadFrom: 30),
            new(Orders1, SourceOffset: 12, TargetOffset: 12, ReadFrom: 0),
            new(Orders0, SourceOffset: 40, TargetOffset: 35, ReadFrom: 30),
            new(Orders1, SourceOffset: 9, TargetOffset: 9, ReadFrom: 0),
        ];
        string[] groups = ["billing", "billing", "shipping", "shipping"];
        // On the new cluster: billing is behind on orders[0]; shipping is already past both translations (it ran there).
        PartitionLag[] onTarget =
        [
            PartitionLag.Compute("billing", "orders", 0, committed: 20, earliest: 0, end: 50),
            PartitionLag.Compute("shipping", "orders", 0, committed: 35, earliest: 0, end: 50),
            PartitionLag.Compute("shipping", "orders", 1, committed: 11, earliest: 0, end: 50),
        ];

        var (toCommit, lines) = CommitMirroredOffsetsExecutor.Forward(groups, translations, onTarget);

        Assert.Equal([new MirrorGroupOffset("billing", Orders0, 35), new MirrorGroupOffset("billing", Orders1, 12)], toCommit);
        Assert.Equal(4, lines.Count);
        Assert.Equal("shipping orders[0]: 40 → 35; 35 committed already", lines[2]);
        Assert.Equal("shipping orders[1]: 9 → 9; 11 committed already", lines[3]);
    }
}
