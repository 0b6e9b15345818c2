using System.Text.RegularExpressions;
using Npgsql;

namespace KafkaMigrationPortal.AppClient;

/// <summary>
/// The ids a consumer group has processed, in a PostgreSQL table shared by all of the app's dynos and kept across
/// restarts and releases. Rows are keyed by (consumer group, message id) and carry the time they were processed; an
/// id is remembered for at least <c>retention</c> and forgotten once a prune finds it older (every
/// <c>pruneEveryAdds</c> additions, or on <see cref="Prune"/>). The table is created when first used.
/// </summary>
/// <remarks>
/// Keep the retention at least as long as the longest retention of the topics the group reads: a consumer that switches
/// to a cluster without a committed position replays everything retained there, and only ids still remembered are
/// recognised.
/// </remarks>
public sealed partial class PostgresProcessedMessageIds : IProcessedMessageIds, IDisposable
{
    public const string DefaultTableName = "kafka_processed_message_ids";
    public const int DefaultPruneEveryAdds = 1000;

    private readonly NpgsqlDataSource _dataSource;
    private readonly bool _ownsDataSource;
    private readonly string _consumerGroup;
    private readonly TimeSpan _retention;
    private readonly TimeProvider _time;
    private readonly int _pruneEveryAdds;
    private readonly string _table;
    private readonly Lock _creation = new();
    private volatile bool _created;
    private long _adds;

    /// <param name="dataSource">The app's database; not disposed here.</param>
    /// <param name="consumerGroup">Unprefixed, as the app names it; each group has its own ids.</param>
    /// <param name="retention">How long an id is remembered at least.</param>
    /// <param name="time">The clock that stamps ids and decides when they are old; the system clock by default.</param>
    /// <param name="pruneEveryAdds">Every this many <see cref="Add"/> calls on this instance, old ids are pruned; 0 never.</param>
    /// <param name="tableName">A plain lower-case SQL identifier, optionally schema-qualified (<c>schema.table</c>).</param>
    public PostgresProcessedMessageIds(NpgsqlDataSource dataSource, string consumerGroup, TimeSpan retention,
        TimeProvider? time = null, int pruneEveryAdds = DefaultPruneEveryAdds, string tableName = DefaultTableName)
        : this(dataSource, ownsDataSource: false, consumerGroup, retention, time, pruneEveryAdds, tableName)
    {
    }

    private PostgresProcessedMessageIds(NpgsqlDataSource dataSource, bool ownsDataSource, string consumerGroup, TimeSpan retention,
        TimeProvider? time, int pruneEveryAdds, string tableName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(consumerGroup);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(retention, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfNegative(pruneEveryAdds);
        if (!TableNamePattern().IsMatch(tableName))
            throw new ArgumentException("Expected a lower-case SQL identifier such as kafka_processed_message_ids or app.processed_ids.", nameof(tableName));
        _dataSource = dataSource;
        _ownsDataSource = ownsDataSource;
        _consumerGroup = consumerGroup;
        _retention = retention;
        _time = time ?? TimeProvider.System;
        _pruneEveryAdds = pruneEveryAdds;
        _table = tableName;
    }

    /// <param name="connectionString">An Npgsql connection string; the instance owns the connections it opens.</param>
    /// <inheritdoc cref="PostgresProcessedMessageIds(NpgsqlDataSource, string, TimeSpan, TimeProvider, int, string)"/>
    public static PostgresProcessedMessageIds FromConnectionString(string connectionString, string consumerGroup, TimeSpan retention,
        TimeProvider? time = null, int pruneEveryAdds = DefaultPruneEveryAdds, string tableName = DefaultTableName) =>
        new(NpgsqlDataSource.Create(connectionString), ownsDataSource: true, consumerGroup, retention, time, pruneEveryAdds, tableName);

    /// <param name="databaseUrl">Heroku Postgres' <c>DATABASE_URL</c>, <c>postgres://user:password@host:port/database</c>.</param>
    /// <inheritdoc cref="PostgresProcessedMessageIds(NpgsqlDataSource, string, TimeSpan, TimeProvider, int, string)"/>
    public static PostgresProcessedMessageIds FromDatabaseUrl(string databaseUrl, string consumerGroup, TimeSpan retention,
        TimeProvider? time = null, int pruneEveryAdds = DefaultPruneEveryAdds, string tableName = DefaultTableName) =>
        FromConnectionString(ConnectionStringFromDatabaseUrl(databaseUrl), consumerGroup, retention, time, pruneEveryAdds, tableName);

    /// <summary>
    /// An Npgsql connection string for a <c>DATABASE_URL</c>. TLS is required, as Heroku Postgres requires it, without
    /// verifying the server's certificate (Heroku's are not issued for the host names apps connect to) unless the URL's
    /// <c>sslmode</c> asks otherwise, e.g. <c>?sslmode=disable</c> for a local server.
    /// </summary>
    public static string ConnectionStringFromDatabaseUrl(string databaseUrl)
    {
        if (!Uri.TryCreate(databaseUrl, UriKind.Absolute, out var url) || url.Scheme is not ("postgres" or "postgresql")
            || url.AbsolutePath.Length <= 1)
            throw new ArgumentException("Expected postgres://user:password@host:port/database.", nameof(databaseUrl));

        var credentials = url.UserInfo.Split(':', 2);
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = url.Host,
            Port = url.IsDefaultPort || url.Port < 0 ? 5432 : url.Port,
            Database = Uri.UnescapeDataString(url.AbsolutePath[1..]),
            Username = Uri.UnescapeDataString(credentials[0]),
            Password = credentials.Length > 1 ? Uri.UnescapeDataString(credentials[1]) : null,
            SslMode = SslMode.Require,
        };
        foreach (var parameter in url.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var (name, value) = parameter.Split('=', 2) is [var n, var v] ? (n, Uri.UnescapeDataString(v)) : (parameter, "");
            if (!name.Equals("sslmode", StringComparison.OrdinalIgnoreCase)) continue;
            builder.SslMode = Enum.TryParse<SslMode>(value.Replace("-", ""), ignoreCase: true, out var mode)
                ? mode
                : throw new ArgumentException($"Unknown sslmode '{value}'.", nameof(databaseUrl));
        }
        return builder.ConnectionString;
    }

    public bool Contains(string messageId)
    {
        EnsureTable();
        using var command = _dataSource.CreateCommand(
            $"SELECT EXISTS (SELECT 1 FROM {_table} WHERE consumer_group = $1 AND message_id = $2)");
        command.Parameters.Add(new NpgsqlParameter { Value = _consumerGroup });
        command.Parameters.Add(new NpgsqlParameter { Value = messageId });
        return (bool)command.ExecuteScalar()!;
    }

    public void Add(string messageId)
    {
        EnsureTable();
        using (var command = _dataSource.CreateCommand(
            $"INSERT INTO {_table} (consumer_group, message_id, processed_at) VALUES ($1, $2, $3) " +
            "ON CONFLICT (consumer_group, message_id) DO NOTHING"))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = _consumerGroup });
            command.Parameters.Add(new NpgsqlParameter { Value = messageId });
            command.Parameters.Add(new NpgsqlParameter { Value = _time.GetUtcNow() });
            command.ExecuteNonQuery();
        }
        if (_pruneEveryAdds > 0 && Interlocked.Increment(ref _adds) % _pruneEveryAdds == 0) Prune();
    }

    /// <summary>Forgets this group's ids processed longer than the retention ago.</summary>
    /// <returns>How many ids were forgotten.</returns>
    public int Prune()
    {
        EnsureTable();
        using var command = _dataSource.CreateCommand($"DELETE FROM {_table} WHERE consumer_group = $1 AND processed_at < $2");
        command.Parameters.Add(new NpgsqlParameter { Value = _consumerGroup });
        command.Parameters.Add(new NpgsqlParameter { Value = _time.GetUtcNow() - _retention });
        return command.ExecuteNonQuery();
    }

    /// <summary>Creates the table and its index if missing; done on first use anyway.</summary>
    public void EnsureTable()
    {
        if (_created) return;
        lock (_creation)
        {
            if (_created) return;
            using var connection = _dataSource.OpenConnection();
            using var transaction = connection.BeginTransaction();
            // Concurrent CREATE ... IF NOT EXISTS from several dynos can still collide in the catalog; one at a time.
            using (var gate = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtext($1))", connection, transaction))
            {
                gate.Parameters.Add(new NpgsqlParameter { Value = _table });
                gate.ExecuteNonQuery();
            }
            // An index is created in its table's schema and takes an unqualified name.
            var indexName = (_table.Replace('.', '_') + "_age") is var name && name.Length > 63 ? name[..63] : name;
            using (var create = new NpgsqlCommand(
                $"CREATE TABLE IF NOT EXISTS {_table} (" +
                "consumer_group text NOT NULL, message_id text NOT NULL, processed_at timestamptz NOT NULL, " +
                "PRIMARY KEY (consumer_group, message_id)); " +
                $"CREATE INDEX IF NOT EXISTS {indexName} ON {_table} (consumer_group, processed_at)", connection, transaction))
                create.ExecuteNonQuery();
            transaction.Commit();
            _created = true;
        }
    }

    public void Dispose()
    {
        if (_ownsDataSource) _dataSource.Dispose();
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}(\\.[a-z_][a-z0-9_]{0,62})?$")]
    private static partial Regex TableNamePattern();
}
