using KafkaMigrationPortal.Engine.Storage;
using Microsoft.Extensions.Configuration;
using Npgsql;

namespace KafkaMigrationPortal.Tests.Storage;

public sealed class StorageSettingsTests
{
    private static StorageSettings From(params (string Key, string Value)[] values) =>
        StorageSettings.From(
            new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => KeyValuePair.Create(v.Key, (string?)v.Value))).Build(),
            Path.GetTempPath());

    [Fact]
    public void Herokus_database_url_becomes_a_PostgreSQL_connection_with_TLS_required()
    {
        var settings = From(("DATABASE_URL", "postgres://u%40ser:p%3Ass@db.example.com:6543/d8abc"));

        Assert.Equal(StorageProvider.PostgreSql, settings.Provider);
        var parsed = new NpgsqlConnectionStringBuilder(settings.ConnectionString);
        Assert.Equal("db.example.com", parsed.Host);
        Assert.Equal(6543, parsed.Port);
        Assert.Equal("u@ser", parsed.Username);
        Assert.Equal("p:ss", parsed.Password);
        Assert.Equal("d8abc", parsed.Database);
        Assert.Equal(SslMode.Require, parsed.SslMode);
    }

    [Fact]
    public void The_url_may_turn_TLS_off_for_a_local_server()
    {
        var parsed = new NpgsqlConnectionStringBuilder(StorageSettings.ParseDatabaseUrl("postgresql://me@127.0.0.1/app?sslmode=disable").ToString());

        Assert.Equal(SslMode.Disable, parsed.SslMode);
        Assert.Equal(5432, parsed.Port);
    }

    [Theory]
    [InlineData("not a url")]
    [InlineData("mysql://user:secret-password@host:3306/db")]
    [InlineData("postgres://user:secret-password@host:5432/")]
    [InlineData("postgres://:secret-password@host:5432/db")]
    [InlineData("postgres://user:secret-password@host:5432/db?sslmode=sometimes")]
    public void A_bad_database_url_is_refused_naming_the_variable_without_echoing_it(string url)
    {
        var error = Assert.Throws<PortalConfigurationException>(() => From(("DATABASE_URL", url)));

        Assert.Contains("DATABASE_URL", error.Message);
        Assert.DoesNotContain("secret-password", error.Message);
    }

    [Fact]
    public void A_connection_string_selects_PostgreSQL_too()
    {
        var settings = From(("ConnectionStrings:Portal", "Host=pg.internal;Database=portal;Username=portal"));

        Assert.Equal(StorageProvider.PostgreSql, settings.Provider);
        Assert.Equal("pg.internal", new NpgsqlConnectionStringBuilder(settings.ConnectionString).Host);
    }

    [Fact]
    public void With_nothing_set_the_portal_uses_an_embedded_SQLite_file()
    {
        var settings = From();

        Assert.Equal(StorageProvider.Sqlite, settings.Provider);
        Assert.StartsWith("Data Source=", settings.ConnectionString);
    }

    [Fact]
    public void How_long_start_up_waits_for_PostgreSQL_is_a_setting_under_Herokus_boot_timeout_by_default()
    {
        const string url = "postgres://u:p@db.example.com:5432/d";

        Assert.Equal(TimeSpan.FromSeconds(45), From(("DATABASE_URL", url)).DatabaseWait);
        Assert.Equal(TimeSpan.FromSeconds(5), From(("DATABASE_URL", url), (StorageSettings.DatabaseWaitKey, "00:00:05")).DatabaseWait);
        var refused = Assert.Throws<PortalConfigurationException>(() => From(("DATABASE_URL", url), (StorageSettings.DatabaseWaitKey, "soon")));
        Assert.Contains(StorageSettings.DatabaseWaitKey, refused.Message);
    }
}
