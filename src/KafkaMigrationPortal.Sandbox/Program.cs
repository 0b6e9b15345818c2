using KafkaMigrationPortal.Sandbox;

// Standalone host: dotnet run --project src/KafkaMigrationPortal.Sandbox -- --port 5199
var builder = WebApplication.CreateBuilder(args);
var port = builder.Configuration.GetValue("port", 5199);
builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
builder.Services.AddHerokuSandbox(options => builder.Configuration.GetSection("Sandbox").Bind(options));

var app = builder.Build();
app.MapHerokuSandbox();
app.Run();
