using KafkaMigrationPortal;
using KafkaMigrationPortal.Features.Jobs;
using KafkaMigrationPortal.Features.Storage;

try
{
    var role = PortalRoles.From(args, Environment.GetEnvironmentVariable);
    if (role == PortalRole.Worker)
    {
        var worker = Host.CreateApplicationBuilder(args);
        worker.AddPortalCore(role);
        using var host = worker.Build();
        await host.RunAsync();
        return 0;
    }

    var builder = WebApplication.CreateBuilder(args);
    builder.AddPortalCore(role);
    builder.Services.AddPortalWeb();

    var app = builder.Build();
    app.UsePortalWeb();
    await app.RunAsync();
    return 0;
}
catch (PortalConfigurationException e)
{
    Console.Error.WriteLine($"kafka-migration-portal: {e.Message}");
    return 1;
}
