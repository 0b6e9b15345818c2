using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace KafkaMigrationPortal.Heroku.Tests.Infrastructure;

/// <summary>A request as it arrived at the loopback server, stamped by the server's clock.</summary>
public sealed record RecordedRequest(
    string Method, string Path, string Query, IReadOnlyDictionary<string, string> Headers, string Body, DateTimeOffset ArrivedAt)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var v) ? v : null;
}

/// <summary>
/// A real Kestrel server on 127.0.0.1 (random port) playing Heroku: every request is recorded, then answered by
/// <see cref="Respond"/>. Lets the tests exercise the real HTTP stack and handler pipeline.
/// </summary>
public sealed class LoopbackHerokuServer : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly ConcurrentQueue<RecordedRequest> requests = new();
    private readonly TimeProvider clock;

    private LoopbackHerokuServer(WebApplication app, TimeProvider clock)
    {
        this.app = app;
        this.clock = clock;
    }

    public Uri BaseUri { get; private set; } = null!;

    /// <summary>Answers a request; the argument is the request's number (1-based) and its recording.</summary>
    public Func<HttpContext, RecordedRequest, int, Task> Respond { get; set; } =
        (context, _, _) => { context.Response.StatusCode = 404; return Task.CompletedTask; };

    public IReadOnlyList<RecordedRequest> Requests => requests.ToArray();

    /// <param name="clock">Stamps each request's arrival; share the clients' fake clock to compare with their decisions.</param>
    public static async Task<LoopbackHerokuServer> StartAsync(TimeProvider? clock = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.Urls.Add("http://127.0.0.1:0");
        var server = new LoopbackHerokuServer(app, clock ?? TimeProvider.System);
        app.Run(server.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        server.BaseUri = new Uri(address);
        return server;
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync();
        var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        var recorded = new RecordedRequest(context.Request.Method, context.Request.Path.Value ?? "",
            context.Request.QueryString.Value ?? "", headers, body, clock.GetUtcNow());
        requests.Enqueue(recorded);
        await Respond(context, recorded, requests.Count);
    }

    public static async Task WriteJsonAsync(HttpContext context, int status, string json, params (string Name, string Value)[] headers)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        foreach (var (name, value) in headers) context.Response.Headers[name] = value;
        await context.Response.WriteAsync(json);
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
