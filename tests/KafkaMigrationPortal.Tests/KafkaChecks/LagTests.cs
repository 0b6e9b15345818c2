using Microsoft.Extensions.Time.Testing;
using KafkaMigrationPortal.Engine.KafkaChecks;
using static KafkaMigrationPortal.Tests.KafkaChecks.KafkaChecksKit;

namespace KafkaMigrationPortal.Tests.KafkaChecks;

public sealed class LagTests(KafkaChecksFixture fixture) : IClassFixture<KafkaChecksFixture>
{
    [Theory]
    [InlineData(400)]
    [InlineData(2)] // every request split into several: the merged answer must be the same
    public async Task Lag_is_exact_per_group_topic_and_partition(int partitionsPerRequest)
    {
        var cluster = fixture.NewCluster(brokers: 3);
        cluster.CreateTopic("orders", partitions: 3, replicationFactor: 3);
        cluster.CreateTopic("audit", partitions: 2, replicationFactor: 1);
        var kafka = Attach(cluster);
        await ProduceAsync(kafka, "orders", 0, 10);
        await ProduceAsync(kafka, "orders", 1, 5);
        await ProduceAsync(kafka, "audit", 0, 7);
        await ProduceAsync(kafka, "audit", 1, 3);
        cluster.Mock.DeleteRecordsBefore("audit", 1, 2); // retention took the first two
        Commit(kafka, "billing", ("orders", 0, 4), ("orders", 1, 5), ("audit", 0, 7));
        Commit(kafka, "shipping", ("orders", 0, 10), ("audit", 1, 1)); // 1 is below the log start now

        var result = await Inspector(partitionsPerRequest: partitionsPerRequest)
            .GetLagAsync(kafka, ["billing", "shipping", "never-committed"], ["orders", "audit"]);

        var lag = result.Require();
        Assert.Equal("KAFKA", lag.Attachment);
        Assert.Equal(3 * 5, lag.Partitions.Count);
        AssertLag(lag, "billing", "orders", 0, committed: 4, earliest: 0, end: 10, expected: 6);
        AssertLag(lag, "billing", "orders", 1, committed: 5, earliest: 0, end: 5, expected: 0);
        AssertLag(lag, "billing", "orders", 2, committed: null, earliest: 0, end: 0, expected: 0);
        AssertLag(lag, "billing", "audit", 0, committed: 7, earliest: 0, end: 7, expected: 0);
        AssertLag(lag, "billing", "audit", 1, committed: null, earliest: 2, end: 3, expected: 1);
        AssertLag(lag, "shipping", "orders", 0, committed: 10, earliest: 0, end: 10, expected: 0);
        AssertLag(lag, "shipping", "orders", 1, committed: null, earliest: 0, end: 5, expected: 5);
        AssertLag(lag, "shipping", "audit", 0, committed: null, earliest: 0, end: 7, expected: 7);
        AssertLag(lag, "shipping", "audit", 1, committed: 1, earliest: 2, end: 3, expected: 1);
        foreach (var (topic, partition, retained) in new[] { ("orders", 0, 10L), ("orders", 1, 5L), ("orders", 2, 0L), ("audit", 0, 7L), ("audit", 1, 1L) })
            Assert.Equal(retained, lag.Find("never-committed", topic, partition)!.Lag);
        Assert.Equal(7, lag.LagByGroup["billing"]);
        Assert.Equal(13, lag.LagByGroup["shipping"]);
        Assert.Equal(23, lag.LagByGroup["never-committed"]);
        Assert.Equal(43, lag.TotalLag);
        Assert.False(lag.IsCaughtUp);
        Assert.Equal(6, lag.LagByGroupAndTopic[("billing", "orders")]);
    }

    [Fact]
    public async Task A_repeated_snapshot_reuses_its_kept_connection_and_still_reads_the_cluster_as_it_is_now()
    {
        var cluster = fixture.NewCluster(brokers: 3);
        cluster.CreateTopic("orders", partitions: 2, replicationFactor: 3);
        var kafka = Attach(cluster);
        await ProduceAsync(kafka, "orders", 0, 10);
        Commit(kafka, "billing", ("orders", 0, 4));
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var inspector = Inspector(time);

        var first = (await inspector.GetLagAsync(kafka, ["billing"], ["orders"])).Require();
        Assert.Equal(1, inspector.IdleConnections);
        // Between the two readings: more records, a new commit, and a topic the first reading's metadata did not have.
        await ProduceAsync(kafka, "orders", 1, 3);
        Commit(kafka, "billing", ("orders", 0, 9));
        cluster.CreateTopic("payments", partitions: 1, replicationFactor: 3);
        await ProduceAsync(kafka, "payments", 0, 2);
        var second = (await inspector.GetLagAsync(kafka, ["billing"], ["orders", "payments"])).Require();

        Assert.Equal(6, first.Find("billing", "orders", 0)!.Lag);
        Assert.Equal(1, second.Find("billing", "orders", 0)!.Lag);
        Assert.Equal(3, second.Find("billing", "orders", 1)!.Lag);
        Assert.Equal(2, second.Find("billing", "payments", 0)!.Lag);
        Assert.Equal(1, inspector.IdleConnections); // the same connection, lent again and given back

        // Unused for its lifetime, the connection is closed.
        time.Advance(new KafkaChecksOptions().IdleConnectionLifetime + TimeSpan.FromSeconds(1));
        Assert.Equal(0, inspector.IdleConnections);
    }

    [Fact]
    public async Task A_check_that_fails_keeps_no_connection_and_the_next_one_starts_afresh()
    {
        var cluster = fixture.NewCluster(brokers: 3);
        cluster.CreateTopic("orders", partitions: 1, replicationFactor: 3);
        var kafka = Attach(cluster);
        using var inspector = Inspector();

        var missing = await inspector.GetLagAsync(kafka, ["billing"], ["no-such-topic"]);
        Assert.False(missing.IsOk);
        Assert.Equal(0, inspector.IdleConnections);

        Assert.True((await inspector.GetLagAsync(kafka, ["billing"], ["orders"])).IsOk);
        Assert.Equal(1, inspector.IdleConnections);
    }

    [Fact]
    public async Task Many_groups_with_their_requests_in_flight_together_each_get_their_own_offsets()
    {
        var cluster = fixture.NewCluster(brokers: 3);
        cluster.CreateTopic("orders", partitions: 8, replicationFactor: 3);
        cluster.CreateTopic("audit", partitions: 8, replicationFactor: 1);
        var kafka = Attach(cluster);
        foreach (var topic in new[] { "orders", "audit" })
            for (var p = 0; p < 8; p++)
                await ProduceAsync(kafka, topic, p, 6);
        var groups = Enumerable.Range(0, 5).Select(g => $"group-{g}").ToList();
        for (var g = 0; g < groups.Count - 1; g++) // the last never commits
            Commit(kafka, groups[g], [.. new[] { "orders", "audit" }.SelectMany(t => Enumerable.Range(0, 8).Select(p => (t, p, (long)((g + p) % 7))))]);

        // 16 partitions in requests of 3: six OffsetFetch requests per group, all groups at once.
        var lag = (await Inspector(partitionsPerRequest: 3).GetLagAsync(kafka, [.. groups, groups[0]], ["orders", "audit"])).Require();

        Assert.Equal(groups.Count * 16, lag.Partitions.Count);
        for (var g = 0; g < groups.Count; g++)
        foreach (var topic in new[] { "orders", "audit" })
        for (var p = 0; p < 8; p++)
        {
            long? committed = g == groups.Count - 1 ? null : (g + p) % 7;
            AssertLag(lag, groups[g], topic, p, committed, earliest: 0, end: 6, expected: 6 - (committed ?? 0));
        }
    }

    [Fact]
    public async Task A_group_that_read_everything_is_caught_up_and_stays_so_while_nothing_is_written()
    {
        var cluster = fixture.NewCluster(brokers: 1);
        cluster.CreateTopic("events", partitions: 2, replicationFactor: 1);
        var kafka = Attach(cluster);
        await ProduceAsync(kafka, "events", 0, 3);
        await ProduceAsync(kafka, "events", 1, 2);
        Commit(kafka, "worker", ("events", 0, 3), ("events", 1, 2));
        var inspector = Inspector();

        var first = (await inspector.GetLagAsync(kafka, ["worker"], ["events"])).Require();
        var second = (await inspector.GetLagAsync(kafka, ["worker"], ["events"])).Require();
        Assert.True(first.IsCaughtUp);
        Assert.True(LagSnapshot.CaughtUpAndStable(first, second));

        await ProduceAsync(kafka, "events", 1, 1);
        Commit(kafka, "worker", ("events", 1, 3));
        var third = (await inspector.GetLagAsync(kafka, ["worker"], ["events"])).Require();
        Assert.True(third.IsCaughtUp);
        Assert.False(LagSnapshot.CaughtUpAndStable(second, third)); // caught up again, but writes are still flowing
    }

    [Fact]
    public async Task Multi_tenant_names_are_prefixed_on_the_wire_and_unprefixed_in_results()
    {
        var cluster = fixture.NewCluster(brokers: 1);
        const string prefix = "sushi-12345.";
        cluster.CreateTopic(prefix + "orders", partitions: 2, replicationFactor: 1);
        cluster.CreateTopic("other-tenant.orders", partitions: 1, replicationFactor: 1);
        var tenant = Attach(cluster, "KAFKA", prefix);
        var unprefixed = Attach(cluster, "KAFKA");
        await ProduceAsync(tenant, "orders", 0, 4);
        await ProduceAsync(unprefixed, "other-tenant.orders", 0, 9);
        Commit(tenant, "billing", ("orders", 0, 1));
        Commit(unprefixed, "billing", ("other-tenant.orders", 0, 9)); // an unprefixed group of the same name is someone else

        var lag = (await Inspector().GetLagAsync(tenant, ["billing"], ["orders"])).Require();

        Assert.All(lag.Partitions, p => Assert.Equal(("billing", "orders"), (p.Group, p.Topic)));
        AssertLag(lag, "billing", "orders", 0, committed: 1, earliest: 0, end: 4, expected: 3);
        AssertLag(lag, "billing", "orders", 1, committed: null, earliest: 0, end: 0, expected: 0);

        var everything = (await Inspector().GetWatermarksAsync(tenant, [])).Require();
        Assert.Equal(["orders"], everything.Partitions.Select(p => p.Topic).Distinct());

        var missing = await Inspector().GetLagAsync(tenant, ["billing"], ["other-tenant.orders"]);
        Assert.Equal(KafkaCheckOutcome.Failed, missing.Outcome);
        Assert.Contains("other-tenant.orders", missing.Message);
    }

    [Fact]
    public async Task An_unknown_topic_fails_the_check_naming_the_topic()
    {
        var cluster = fixture.NewCluster(brokers: 1);
        cluster.CreateTopic("known", partitions: 1, replicationFactor: 1);

        var result = await Inspector().GetLagAsync(Attach(cluster), ["g"], ["known", "nowhere"]);

        Assert.Equal(KafkaCheckOutcome.Failed, result.Outcome);
        Assert.Null(result.Value);
        Assert.Contains("nowhere", result.Message);
        Assert.DoesNotContain("known,", result.Message);
        Assert.Throws<KafkaCheckFailedException>(() => result.Require());
    }

    private static void AssertLag(LagSnapshot lag, string group, string topic, int partition, long? committed, long earliest, long end, long expected)
    {
        var row = lag.Find(group, topic, partition);
        Assert.NotNull(row);
        Assert.Equal((committed, earliest, end, expected), (row.CommittedOffset, row.EarliestOffset, row.EndOffset, row.Lag));
    }
}
