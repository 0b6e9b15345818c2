using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using KafkaMigrationPortal.Sandbox.Dynos;
using KafkaMigrationPortal.Sandbox.Kafka;
using KafkaMigrationPortal.TestSupport.HerokuSchema;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace KafkaMigrationPortal.Sandbox.Tests.Support;

/// <summary>A sandbox served by real Kestrel on 127.0.0.1, with fake clusters and dynos unless <c>realKafka</c>.</summary>
internal sealed class SandboxHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly List<HttpClient> _clients = [];

    private SandboxHost(WebApplication app, Uri baseAddress, FakeKafkaClusters? clusters, FakeDynoSupervisor? dynos)
    {
        _app = app;
        BaseAddress = baseAddress;
        Clusters = clusters;
        Dynos = dynos;
    }

    public Uri BaseAddress { get; }

    public FakeKafkaClusters? Clusters { get; }

    public FakeDynoSupervisor? Dynos { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<SandboxHost> StartAsync(
        Action<SandboxOptions>? configure = null, bool realKafka = false, string pathBase = "", TimeProvider? time = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        if (time is not null)
        {
            builder.Services.AddSingleton(time);
        }

        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        FakeKafkaClusters? clusters = null;
        FakeDynoSupervisor? dynos = null;
        if (realKafka)
        {
            builder.Services.Configure<SandboxKafkaOptions>(o =>
            {
                o.GroupInitialRebalanceDelay = TimeSpan.Zero;
                o.RetentionSweepInterval = TimeSpan.FromMilliseconds(500);
            });
            builder.Services.Configure<DynoOptions>(o => o.ConsumerCommitInterval = TimeSpan.FromMilliseconds(200));
        }
        else
        {
            clusters = new FakeKafkaClusters();
            dynos = new FakeDynoSupervisor();
            builder.Services.AddSingleton<ISandboxKafkaClusters>(clusters);
            builder.Services.AddSingleton<IDynoSupervisor>(dynos);
        }

        builder.Services.AddHerokuSandbox(options =>
        {
            // Asynchronous creations at once, unless a test asks for them (KafkaDataReadinessTests do).
            options.ProvisioningDelay = TimeSpan.Zero;
            options.TopicReadyDelay = TimeSpan.Zero;
            options.ConsumerGroupReadyDelay = TimeSpan.Zero;
            options.DeprovisioningDelay = TimeSpan.Zero;
            configure?.Invoke(options);
        });
        var app = builder.Build();
        app.MapHerokuSandbox(pathBase);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new SandboxHost(app, new Uri(address.TrimEnd('/') + pathBase + "/"), clusters, dynos);
    }

    /// <summary>A client speaking to the Platform API as Heroku clients do; relative paths start without '/'.</summary>
    public HttpClient Client(string? token = "sandbox-token-alice")
    {
        var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = BaseAddress };
        client.DefaultRequestHeaders.Accept.ParseAdd("application/vnd.heroku+json; version=3");
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        _clients.Add(client);
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }

        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

internal static class HttpTestExtensions
{
    public static async Task<JsonNode?> Json(this HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync());

    public static async Task<JsonNode> GetJson(this HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path} answered {(int)response.StatusCode}: {body}");
        return JsonNode.Parse(body)!;
    }

    public static Task<HttpResponseMessage> SendJson(this HttpClient client, HttpMethod method, string path, object? body) =>
        client.SendAsync(new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body, options: AsWritten) });

    // Property names exactly as written (config var names are upper case, Heroku's fields snake_case).
    private static readonly System.Text.Json.JsonSerializerOptions AsWritten = new();

    /// <summary>Sends, asserts the status, and checks the answer against Heroku's schema with every property required.</summary>
    public static async Task<JsonNode?> AssertSchemaValid(this HttpClient client, HttpMethod method, string path, object? body = null, int expectedStatus = 200)
    {
        using var response = await client.SendJson(method, path, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(expectedStatus == (int)response.StatusCode, $"{method} {path} answered {(int)response.StatusCode}: {text}");
        var json = JsonNode.Parse(text);
        var errors = HerokuPlatformSchema.ValidateResponse(method.Method, "/" + path.Split('?')[0], json);
        Assert.True(errors.Count == 0, $"{method} /{path}: {string.Join("\n", errors)}");
        return json;
    }
}
