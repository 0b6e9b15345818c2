using Microsoft.Extensions.Configuration;
using Npgsql;

namespace KafkaMigrationPortal.Engine.Storage;

public enum StorageProvider
{
    Sqlite,
    PostgreSql,
}

/// <summary>Where the portal keeps its data, decided once at start-up from configuration.</summary>
public sealed record StorageSettings(StorageProvider Provider, string ConnectionString)
{
    public const string DatabaseUrlKey = "DATABASE_URL";
    public const string ConnectionStringKey = "ConnectionStrings:Portal";
    public const string SqlitePathKey = "Storage:SqlitePath";
    public const string DatabaseWaitKey = "Storage:DatabaseWait";

    /// <summary>Under Heroku's 60 s boot timeout, so a web dyno that cannot reach PostgreSQL says why before it is killed.</summary>
    public static readonly TimeSpan DefaultDatabaseWait = TimeSpan.FromSeconds(45);

    /// <summary>How long start-up waits for PostgreSQL to answer before it gives up.</summary>
    public TimeSpan DatabaseWait { get; init; } = DefaultDatabaseWait;

    public static StorageSettings From(IConfiguration configuration, string contentRoot)
    {
        var databaseUrl = configuration[DatabaseUrlKey];
        if (!string.IsNullOrWhiteSpace(databaseUrl))
        {
            return new(StorageProvider.PostgreSql, ParseDatabaseUrl(databaseUrl)) { DatabaseWait = DatabaseWaitFrom(configuration) };
        }

        var connectionString = configuration[ConnectionStringKey];
        if (!string.IsNullOrWhiteSpace(connectionString))
        {
            return new(StorageProvider.PostgreSql, ValidatePostgresConnectionString(connectionString)) { DatabaseWait = DatabaseWaitFrom(configuration) };
        }

        var sqlitePath = configuration[SqlitePathKey] ?? Path.Combine(contentRoot, "App_Data", "portal.db");
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(sqlitePath))!);
        return new(StorageProvider.Sqlite, $"Data Source={sqlitePath}");
    }

    /// <summary>
    /// Turns Heroku's <c>postgres://user:password@host:port/database</c> into an Npgsql connection string.
    /// Heroku Postgres requires TLS with a certificate that is not issued for the host name, so TLS is required
    /// without verifying the chain unless the URL says otherwise (<c>?sslmode=disable</c> for a local server).
    /// </summary>
    public static string ParseDatabaseUrl(string databaseUrl)
    {
        const string expected = "DATABASE_URL is not a usable PostgreSQL URL: expected postgres://user:password@host:port/database";
        if (!Uri.TryCreate(databaseUrl.Trim(), UriKind.Absolute, out var uri)
            || uri.Scheme is not ("postgres" or "postgresql")
            || string.IsNullOrEmpty(uri.Host))
        {
            throw new PortalConfigurationException(expected);
        }

        var userInfo = uri.UserInfo.Split(':', 2);
        var database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        if (userInfo[0].Length == 0 || database.Length == 0 || database.Contains('/'))
        {
            throw new PortalConfigurationException(expected);
        }

        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = uri.Host,
            Port = uri.IsDefaultPort || uri.Port < 0 ? 5432 : uri.Port,
            Username = Uri.UnescapeDataString(userInfo[0]),
            Password = userInfo.Length > 1 ? Uri.UnescapeDataString(userInfo[1]) : null,
            Database = database,
            SslMode = SslMode.Require,
        };

        var sslMode = System.Web.HttpUtility.ParseQueryString(uri.Query)["sslmode"];
        if (sslMode is not null)
        {
            builder.SslMode = Enum.TryParse<SslMode>(sslMode.Replace("-", ""), ignoreCase: true, out var mode)
                ? mode
                : throw new PortalConfigurationException($"DATABASE_URL has an unknown sslmode '{sslMode}': use disable, prefer, require, verify-ca or verify-full");
        }

        return builder.ConnectionString;
    }

    private static TimeSpan DatabaseWaitFrom(IConfiguration configuration) =>
        configuration[DatabaseWaitKey] is not { Length: > 0 } text ? DefaultDatabaseWait
        : TimeSpan.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var wait) && wait >= TimeSpan.Zero ? wait
        : throw new PortalConfigurationException($"{DatabaseWaitKey} is not a duration: expected hh:mm:ss, e.g. 00:00:45");

    private static string ValidatePostgresConnectionString(string connectionString)
    {
        try
        {
            return new NpgsqlConnectionStringBuilder(connectionString).ConnectionString;
        }
        catch (ArgumentException)
        {
            throw new PortalConfigurationException($"{ConnectionStringKey} is not a valid PostgreSQL connection string");
        }
    }
}
