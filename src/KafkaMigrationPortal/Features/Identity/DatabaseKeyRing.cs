using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using KafkaMigrationPortal.Engine.Storage;

namespace KafkaMigrationPortal.Features.Identity;

/// <summary>
/// Data Protection's key ring in the portal's database: every web and worker dyno shares it, so each can decrypt what
/// another encrypted (stored Heroku tokens, session cookies), and the keys survive restarts.
/// </summary>
internal sealed class DatabaseKeyRing(IDbContextFactory<PortalDbContext> contexts) : IXmlRepository
{
    private const string ApplicationName = "KafkaMigrationPortal";

    public static void AddTo(IServiceCollection services)
    {
        services.AddDataProtection().SetApplicationName(ApplicationName);
        // GetService answers null when the variable is unset; the decryptor asks for it the same way.
        services.AddSingleton(provider => KeyRingEncryptionKey.From(provider.GetRequiredService<IConfiguration>())!);
        services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(provider => new ConfigureOptions<KeyManagementOptions>(options =>
        {
            options.XmlRepository = new DatabaseKeyRing(provider.GetRequiredService<IDbContextFactory<PortalDbContext>>());
            if (provider.GetService<KeyRingEncryptionKey>() is { } key)
            {
                options.XmlEncryptor = new KeyRingEncryptor(key);
            }
            else
            {
                provider.GetRequiredService<ILoggerFactory>().CreateLogger<DatabaseKeyRing>().LogWarning(
                    "{Variable} is not set: Data Protection keys are stored unencrypted in the database, so a copy of it reveals the stored Heroku tokens",
                    KeyRingEncryptionKey.EnvironmentVariable);
            }
        }));
    }

    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var db = contexts.CreateDbContext();
        return db.DataProtectionKeys.AsNoTracking().Select(k => k.Xml).AsEnumerable()
            .Where(xml => !string.IsNullOrEmpty(xml)).Select(xml => XElement.Parse(xml!)).ToList();
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        using var db = contexts.CreateDbContext();
        db.DataProtectionKeys.Add(new DataProtectionKeyRecord { FriendlyName = friendlyName, Xml = element.ToString(SaveOptions.DisableFormatting) });
        db.SaveChanges();
    }
}
