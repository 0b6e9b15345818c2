using Microsoft.AspNetCore.Hosting;
using KafkaMigrationPortal.Components;
using Microsoft.AspNetCore.Mvc.Testing;

namespace KafkaMigrationPortal.Tests.Hosting;

/// <summary>The real portal (found through its root component's assembly), in-process, configured only through the settings a deployment would use.</summary>
public sealed class PortalFactory(IReadOnlyDictionary<string, string?> settings) : WebApplicationFactory<App>
{
    public static PortalFactory OnSqlite(string databaseFile) =>
        new(new Dictionary<string, string?> { ["Storage:SqlitePath"] = databaseFile });

    public static PortalFactory OnPostgres(string databaseUrl) =>
        new(new Dictionary<string, string?> { ["DATABASE_URL"] = databaseUrl });

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }
    }
}
