using KafkaMigrationPortal.Engine.KafkaChecks;

namespace KafkaMigrationPortal.Tests.KafkaChecks;

public sealed class LagArithmeticTests
{
    [Theory]
    [InlineData(null, 0L, 10L, 10L)]  // never committed: everything retained is unread
    [InlineData(null, 4L, 10L, 6L)]   // ...and what retention removed is not counted
    [InlineData(7L, 0L, 10L, 3L)]
    [InlineData(2L, 5L, 10L, 5L)]     // commit below the log start: the group resets to earliest
    [InlineData(10L, 0L, 10L, 0L)]
    [InlineData(12L, 0L, 10L, 0L)]    // a commit read after the end offset never makes lag negative
    public void Lag_counts_what_the_group_will_still_read(long? committed, long earliest, long end, long expected) =>
        Assert.Equal(expected, PartitionLag.Compute("g", "t", 0, committed, earliest, end).Lag);

    [Fact]
    public void A_high_watermark_that_went_down_counts_as_written()
    {
        Assert.Equal(3, new PartitionGrowth("t", 0, 10, 3).Written);
        Assert.Equal(5, new PartitionGrowth("t", 0, null, 5).Written);
        Assert.Equal(0, new PartitionGrowth("t", 0, 5, 5).Written);
    }

    [Fact]
    public void Results_that_are_not_ok_carry_no_value_and_refuse_to_pretend()
    {
        var unreachable = KafkaCheckResult<LagSnapshot>.NotOk(KafkaCheckOutcome.Unreachable, "no brokers");

        Assert.False(unreachable.IsOk);
        var error = Assert.Throws<KafkaCheckFailedException>(() => unreachable.Require());
        Assert.Equal(KafkaCheckOutcome.Unreachable, error.Outcome);
        Assert.Throws<ArgumentOutOfRangeException>(() => KafkaCheckResult<LagSnapshot>.NotOk(KafkaCheckOutcome.Ok, "x"));
    }
}
