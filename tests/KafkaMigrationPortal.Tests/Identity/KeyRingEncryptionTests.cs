using System.Security.Cryptography;
using KafkaMigrationPortal.Features.Identity;
using KafkaMigrationPortal.Tests.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace KafkaMigrationPortal.Tests.Identity;

/// <summary>A copy of the database without PORTAL_KEY_ENCRYPTION_KEY reveals neither the key ring nor a stored token.</summary>
[Collection(PortalHostCollection.Name)]
public sealed class KeyRingEncryptionTests : IDisposable
{
    private const string Token = "heroku-token-0123456789abcdef";

    private readonly string databaseFile = Path.Combine(Path.GetTempPath(), $"kmp-{Guid.NewGuid():N}.db");

    private PortalFactory Portal(string? keyEncryptionKey)
    {
        var settings = new Dictionary<string, string?> { ["Storage:SqlitePath"] = databaseFile };
        if (keyEncryptionKey is not null)
        {
            settings[KeyRingEncryptionKey.EnvironmentVariable] = keyEncryptionKey;
        }

        return new PortalFactory(settings);
    }

    private async Task<List<string>> KeyRingRowsAsync()
    {
        await using var connection = new SqliteConnection($"Data Source={databaseFile};Pooling=false");
        await connection.OpenAsync();
        await using var command = new SqliteCommand("""SELECT "Xml" FROM "DataProtectionKeys" """, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
        {
            rows.Add(reader.GetString(0));
        }

        return rows;
    }

    [Fact]
    public async Task The_key_ring_is_stored_encrypted_and_a_copy_without_the_key_cannot_unprotect_a_token()
    {
        string protectedToken;
        using (var portal = Portal("key-encryption-secret"))
        {
            protectedToken = portal.Services.GetRequiredService<HerokuTokenVault>().Protect(Token);
        }

        var rows = await KeyRingRowsAsync();
        Assert.NotEmpty(rows);
        Assert.All(rows, xml =>
        {
            Assert.DoesNotContain("<masterKey", xml);
            Assert.Contains("encryptedSecret", xml);
        });

        using (var withoutKey = Portal(null))
        {
            var vault = withoutKey.Services.GetRequiredService<HerokuTokenVault>();
            Assert.ThrowsAny<CryptographicException>(() => vault.Unprotect(protectedToken));
        }

        using (var withAnotherKey = Portal("some-other-secret"))
        {
            var vault = withAnotherKey.Services.GetRequiredService<HerokuTokenVault>();
            Assert.ThrowsAny<CryptographicException>(() => vault.Unprotect(protectedToken));
        }

        using (var withKey = Portal("key-encryption-secret"))
        {
            Assert.Equal(Token, withKey.Services.GetRequiredService<HerokuTokenVault>().Unprotect(protectedToken));
        }
    }

    [Fact]
    public async Task Without_the_variable_the_portal_says_once_that_the_key_ring_is_stored_unencrypted()
    {
        using var portal = Portal(null);
        portal.Services.GetRequiredService<HerokuTokenVault>().Protect(Token);

        Assert.Single(portal.Logs, line => line.Contains(KeyRingEncryptionKey.EnvironmentVariable) && line.Contains("unencrypted"));
        Assert.Contains(await KeyRingRowsAsync(), xml => xml.Contains("<masterKey"));
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        File.Delete(databaseFile);
    }
}
