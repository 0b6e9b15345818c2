using KafkaMigrationPortal.Features.Jobs;
using KafkaMigrationPortal.Heroku;
using KafkaMigrationPortal.Sandbox;

namespace KafkaMigrationPortal.Features.Connections;

public static class ConnectionsModule
{
    /// <summary>
    /// Decides <c>PORTAL_MODE</c> (<see cref="PortalMode.Decide"/>) and connects the Heroku clients accordingly: in
    /// sandbox mode with no credential, a sandbox hosted in-process, acting as its first seeded user; otherwise
    /// <c>Heroku:PlatformApiBaseUrl</c> (Heroku itself unless set) with <c>HEROKU_API_KEY</c>, or with each run's
    /// starter's grant when only an OAuth client is configured.
    /// </summary>
    public static HerokuConnection AddPortalConnections(this IHostApplicationBuilder builder, PortalRole role)
    {
        var mode = PortalMode.Decide(builder.Configuration, role);
        var apiKey = builder.Configuration[HerokuConnection.ApiKeyVariable];
        IHerokuCredential credential = mode.EmbedsSandbox
            ? new StaticTokenCredential(SandboxUsers.Alice.ApiToken, $"sandbox user {SandboxUsers.Alice.Email}")
            : string.IsNullOrWhiteSpace(apiKey) ? new NoPortalCredential() : new StaticTokenCredential(apiKey.Trim(), HerokuConnection.ApiKeyVariable);
        var connection = new HerokuConnection(mode.Mode, credential) { EmbedsSandbox = mode.EmbedsSandbox };

        builder.Services.AddSingleton(connection);
        builder.Services.AddHerokuClients();
        builder.Services.AddScoped<HerokuConnectionStatus>();

        if (mode.EmbedsSandbox)
        {
            builder.Services.AddSingleton<EmbeddedSandbox>();
            builder.Services.AddHostedService(sp => sp.GetRequiredService<EmbeddedSandbox>());
            builder.Services.AddOptions<HerokuClientOptions>().PostConfigure<EmbeddedSandbox>((options, sandbox) =>
            {
                options.PlatformApiBaseUrl = sandbox.BaseUrl;
                options.KafkaApiBaseUrl = sandbox.BaseUrl;
            });
        }
        else if (mode.Mode == HerokuConnectionMode.Sandbox && string.IsNullOrWhiteSpace(builder.Configuration[PortalMode.KafkaUrlKey]))
        {
            // A sandbox serves both APIs on one address; the default would send its tokens to api.data.heroku.com.
            builder.Services.AddOptions<HerokuClientOptions>().PostConfigure(options => options.KafkaApiBaseUrl = options.PlatformApiBaseUrl);
        }

        return connection;
    }
}
