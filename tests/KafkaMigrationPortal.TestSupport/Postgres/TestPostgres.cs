using Npgsql;

namespace KafkaMigrationPortal.TestSupport.Postgres;

/// <summary>
/// The throwaway PostgreSQL server that <c>./test.sh</c> starts; each caller gets a fresh, empty database on it.
/// </summary>
public static class TestPostgres
{
    public const string ServerVariable = "KMP_TEST_POSTGRES";

    public static string ServerConnectionString =>
        Environment.GetEnvironmentVariable(ServerVariable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"{ServerVariable} is not set: run the tests with ./test.sh, which starts a throwaway PostgreSQL server and sets it.");

    /// <summary>Creates an empty database and returns its connection string.</summary>
    public static async Task<TestDatabase> CreateDatabaseAsync()
    {
        var server = new NpgsqlConnectionStringBuilder(ServerConnectionString);
        var name = $"kmp_test_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(server.ConnectionString))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await create.ExecuteNonQueryAsync();
        }

        var database = new NpgsqlConnectionStringBuilder(server.ConnectionString) { Database = name, Pooling = true };
        return new TestDatabase(server.ConnectionString, database);
    }
}

public sealed class TestDatabase(string serverConnectionString, NpgsqlConnectionStringBuilder database) : IAsyncDisposable
{
    public string Name => database.Database!;

    public string ConnectionString => database.ConnectionString;

    /// <summary>The same database as Heroku's <c>DATABASE_URL</c> would name it (local server: TLS off).</summary>
    public string DatabaseUrl => $"postgres://{database.Username}@{database.Host}:{database.Port}/{database.Database}?sslmode=disable";

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(serverConnectionString);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }
}
