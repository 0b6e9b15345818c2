using KafkaMigrationPortal.Components;
using KafkaMigrationPortal.Components.Shared;
using KafkaMigrationPortal.Engine.Audit;
using KafkaMigrationPortal.Features.Connections;
using KafkaMigrationPortal.Features.Health;
using KafkaMigrationPortal.Features.Identity;
using KafkaMigrationPortal.Features.History;
using KafkaMigrationPortal.Features.Jobs;
using KafkaMigrationPortal.Features.Migrations;
using KafkaMigrationPortal.Features.Notifications;
using KafkaMigrationPortal.Engine.Execution;
using KafkaMigrationPortal.Engine.Storage;
using MudBlazor.Services;
using KafkaMigrationPortal.Features.Api;
using KafkaMigrationPortal.Features.Audit;
using KafkaMigrationPortal.Features.Security;

namespace KafkaMigrationPortal;

/// <summary>Wires the features together; each feature folder owns its own registrations.</summary>
public static class PortalModule
{
    /// <summary>What both roles need: storage, the Heroku connection and jobs.</summary>
    public static IHostApplicationBuilder AddPortalCore(this IHostApplicationBuilder builder, PortalRole role)
    {
        var storage = builder.AddPortalStorage();
        builder.Services.AddPortalHealth();
        var connection = builder.AddPortalConnections(role);
        if (role == PortalRole.Web) builder.AddWebExposure();
        builder.AddPortalIdentity(connection, role);
        builder.Services.AddAuditLog();
        builder.AddPortalJobs(storage);
        builder.AddApproverNotifications();
        builder.Services.AddMigrationExecution();
        return builder;
    }

    public static IServiceCollection AddPortalWeb(this IServiceCollection services)
    {
        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddMudServices();
        services.AddScoped<ViewerTime>();
        CircuitPresence.Register(services);
        services.AddMigrationsFeature();
        services.AddHistoryFeature();
        services.AddAuditReaders();
        services.AddPortalApi();
        return services;
    }

    /// <summary>The category of the line naming the portal's address once it is ready.</summary>
    public const string StartupLogCategory = "KafkaMigrationPortal.Startup";

    public static WebApplication UsePortalWeb(this WebApplication app)
    {
        app.UseSingleOperatorReach();
        app.UseWebExposure();
        if (!app.Environment.IsDevelopment())
        {
            app.UseExceptionHandler("/not-found", createScopeForErrors: true);
        }

        app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        app.UseAntiforgery();

        app.MapPortalHealth().AllowAnonymous();
        app.MapPortalIdentity();
        app.MapAuditEndpoints();
        app.MapPortalApi();
        app.MapPortalJobsDashboard();
        app.MapStaticAssets().AllowAnonymous();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        // Last of the start-up lines (the host's own "Application started" was registered later, so runs first).
        app.Lifetime.ApplicationStarted.Register(() => app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(StartupLogCategory)
            .LogInformation("Kafka Migration Portal is ready: open {PortalUrls}", string.Join(" or ", app.Urls)));
        return app;
    }
}
