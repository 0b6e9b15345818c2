var builder = WebApplication.CreateBuilder(args);
var app = builder.Build();
app.MapGet("/", () => "KafkaMigrationPortal sandbox");
app.Run();
