using KafkaMigrationPortal.Features.Jobs;
using KafkaMigrationPortal.Engine.Storage;
using KafkaMigrationPortal.Heroku;
using KafkaMigrationPortal.Sandbox;

namespace KafkaMigrationPortal.Features.Connections;

public static class ConnectionsModule
{
    private const string PlatformUrlKey = "Heroku:PlatformApiBaseUrl";

    /// <summary>
    /// With <c>HEROKU_API_KEY</c>, the Heroku clients act with that key against <c>Heroku:PlatformApiBaseUrl</c>
    /// (Heroku itself unless set; a loopback address means a standalone sandbox). Without it, a web process hosts a
    /// sandbox in-process and acts as its first seeded user.
    /// </summary>
    public static HerokuConnection AddPortalConnections(this IHostApplicationBuilder builder, PortalRole role)
    {
        var apiKey = builder.Configuration[HerokuConnection.ApiKeyVariable];
        var embedded = string.IsNullOrWhiteSpace(apiKey);
        if (embedded && role == PortalRole.Worker)
        {
            throw new PortalConfigurationException(
                $"A worker needs {HerokuConnection.ApiKeyVariable}: without it the portal runs its sandbox inside the web process, which a worker cannot share");
        }

        var connection = embedded
            ? new HerokuConnection(HerokuConnectionMode.Sandbox, new StaticTokenCredential(SandboxUsers.Alice.ApiToken, $"sandbox user {SandboxUsers.Alice.Email}"))
            : new HerokuConnection(
                IsLoopback(builder.Configuration[PlatformUrlKey]) ? HerokuConnectionMode.Sandbox : HerokuConnectionMode.Heroku,
                new StaticTokenCredential(apiKey!, HerokuConnection.ApiKeyVariable));

        builder.Services.AddSingleton(connection);
        builder.Services.AddHerokuClients();
        builder.Services.AddScoped<HerokuConnectionStatus>();

        if (embedded)
        {
            builder.Services.AddSingleton<EmbeddedSandbox>();
            builder.Services.AddHostedService(sp => sp.GetRequiredService<EmbeddedSandbox>());
            builder.Services.AddOptions<HerokuClientOptions>().PostConfigure<EmbeddedSandbox>((options, sandbox) =>
            {
                options.PlatformApiBaseUrl = sandbox.BaseUrl;
                options.KafkaApiBaseUrl = sandbox.BaseUrl;
            });
        }

        return connection;
    }

    private static bool IsLoopback(string? url) => Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.IsLoopback;
}
