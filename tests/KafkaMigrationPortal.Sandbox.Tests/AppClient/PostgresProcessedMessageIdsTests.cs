using KafkaMigrationPortal.AppClient;
using KafkaMigrationPortal.TestSupport.Postgres;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace KafkaMigrationPortal.Sandbox.Tests.AppClient;

/// <summary>The durable duplicate filter against the real PostgreSQL server, each test in a database of its own.</summary>
public sealed class PostgresProcessedMessageIdsTests : IAsyncLifetime
{
    private static readonly TimeSpan Retention = TimeSpan.FromHours(1);
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));
    private TestDatabase _database = null!;
    private NpgsqlDataSource _dataSource = null!;

    public async Task InitializeAsync()
    {
        _database = await TestPostgres.CreateDatabaseAsync();
        _dataSource = NpgsqlDataSource.Create(_database.ConnectionString);
    }

    public async Task DisposeAsync()
    {
        await _dataSource.DisposeAsync();
        await _database.DisposeAsync();
    }

    private PostgresProcessedMessageIds Filter(string group = "workers", int pruneEveryAdds = 0, string table = PostgresProcessedMessageIds.DefaultTableName) =>
        new(_dataSource, group, Retention, _clock, pruneEveryAdds, table);

    [Fact]
    public void Knows_what_was_added_for_its_own_group_only_and_tolerates_adding_twice()
    {
        var workers = Filter("workers");
        var auditors = Filter("auditors");

        Assert.False(workers.Contains("m-1"));
        workers.Add("m-1");
        workers.Add("m-1");

        Assert.True(workers.Contains("m-1"));
        Assert.False(workers.Contains("m-2"));
        Assert.False(auditors.Contains("m-1"));
        Assert.Equal(1L, Scalar("SELECT count(*) FROM kafka_processed_message_ids"));
    }

    [Fact]
    public async Task Two_dynos_create_the_table_together_and_see_each_others_ids()
    {
        using var dynoOne = PostgresProcessedMessageIds.FromConnectionString(_database.ConnectionString, "workers", Retention, _clock);
        using var dynoTwo = PostgresProcessedMessageIds.FromConnectionString(_database.ConnectionString, "workers", Retention, _clock);

        // Both first uses race to create the table.
        await Task.WhenAll(Task.Run(() => dynoOne.Add("m-1")), Task.Run(() => dynoTwo.Add("m-2")));
        // After a rebalance both may process the same message: the second insert must not fail.
        dynoTwo.Add("m-1");

        Assert.True(dynoTwo.Contains("m-1"));
        Assert.True(dynoOne.Contains("m-2"));
        Assert.Equal(2L, Scalar("SELECT count(*) FROM kafka_processed_message_ids"));
    }

    [Fact]
    public void Prune_forgets_the_groups_ids_older_than_the_retention_on_the_injected_clock()
    {
        var workers = Filter("workers");
        var auditors = Filter("auditors");
        workers.Add("old");
        auditors.Add("other-group-old");
        _clock.Advance(TimeSpan.FromMinutes(30));
        workers.Add("recent");

        _clock.Advance(TimeSpan.FromMinutes(30));
        Assert.Equal(0, workers.Prune());
        _clock.Advance(TimeSpan.FromMinutes(1));

        Assert.Equal(1, workers.Prune());
        Assert.False(workers.Contains("old"));
        Assert.True(workers.Contains("recent"));
        // Another group's ids follow that group's retention and prunes.
        Assert.True(auditors.Contains("other-group-old"));
    }

    [Fact]
    public void Every_nth_add_prunes()
    {
        var workers = Filter(pruneEveryAdds: 3);
        workers.Add("a");
        _clock.Advance(Retention + TimeSpan.FromSeconds(1));
        workers.Add("b");
        Assert.True(workers.Contains("a"));

        workers.Add("c");

        Assert.False(workers.Contains("a"));
        Assert.True(workers.Contains("b") && workers.Contains("c"));
    }

    [Fact]
    public void A_schema_qualified_table_is_created_where_asked()
    {
        Scalar("CREATE SCHEMA app; SELECT 1");
        var workers = Filter(table: "app.processed_ids");

        workers.Add("m-1");

        Assert.True(workers.Contains("m-1"));
        Assert.Equal(1L, Scalar("SELECT count(*) FROM app.processed_ids"));
        Assert.Equal(0L, Scalar("SELECT count(*) FROM pg_tables WHERE tablename = 'kafka_processed_message_ids'"));
    }

    [Theory]
    [InlineData("ids; DROP TABLE users")]
    [InlineData("Processed")]
    [InlineData("a.b.c")]
    public void Refuses_a_table_name_that_is_not_a_plain_identifier(string table) =>
        Assert.Throws<ArgumentException>(() => Filter(table: table));

    [Fact]
    public void Connects_from_a_heroku_database_url()
    {
        using var workers = PostgresProcessedMessageIds.FromDatabaseUrl(_database.DatabaseUrl, "workers", Retention, _clock);
        workers.Add("m-1");
        Assert.True(Filter().Contains("m-1"));

        var heroku = new NpgsqlConnectionStringBuilder(
            PostgresProcessedMessageIds.ConnectionStringFromDatabaseUrl("postgres://u%40x:p%3Aw@db.example.com:5433/d1"));
        Assert.Equal(("db.example.com", 5433, "d1", "u@x", "p:w", SslMode.Require),
            (heroku.Host, heroku.Port, heroku.Database, heroku.Username, heroku.Password, heroku.SslMode));
    }

    private object? Scalar(string sql)
    {
        using var command = _dataSource.CreateCommand(sql);
        return command.ExecuteScalar();
    }
}
