using KafkaMigrationPortal;
using KafkaMigrationPortal.Features.Jobs;
using KafkaMigrationPortal.Engine.Storage;

try
{
    var role = PortalRoles.From(args, Environment.GetEnvironmentVariable);
    using var host = role == PortalRole.Worker ? BuildWorker(role) : BuildWeb(role);
    await host.Services.PreparePortalStorageAsync();
    await host.RunAsync();
    return 0;
}
catch (Exception e) when (e is PortalConfigurationException or PortalStartupException)
{
    Console.Error.WriteLine($"kafka-migration-portal: {e.Message}");
    return 1;
}

IHost BuildWorker(PortalRole role)
{
    var worker = Host.CreateApplicationBuilder(args);
    worker.AddPortalCore(role);
    return worker.Build();
}

IHost BuildWeb(PortalRole role)
{
    var builder = WebApplication.CreateBuilder(args);
    builder.AddPortalCore(role);
    builder.Services.AddPortalWeb();
    var app = builder.Build();
    app.UsePortalWeb();
    return app;
}
