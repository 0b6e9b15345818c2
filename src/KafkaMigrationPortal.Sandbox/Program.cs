using KafkaMigrationPortal.Sandbox;
using KafkaMigrationPortal.Sandbox.Dynos;
using KafkaMigrationPortal.Sandbox.Kafka;

// Standalone host: dotnet run --project src/KafkaMigrationPortal.Sandbox -- --port 5199 [--plaintext true]
//   [--Sandbox:<option> value] [--Dynos:<option> value]
var builder = WebApplication.CreateBuilder(args);
var port = builder.Configuration.GetValue("port", 5199);
builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
builder.Services.AddHerokuSandbox(options => builder.Configuration.GetSection("Sandbox").Bind(options));
builder.Services.Configure<DynoOptions>(builder.Configuration.GetSection("Dynos"));
builder.Services.Configure<SandboxKafkaOptions>(options =>
    options.Plaintext = builder.Configuration.GetValue("plaintext", options.Plaintext));

var app = builder.Build();
app.MapHerokuSandbox();
app.Run();
