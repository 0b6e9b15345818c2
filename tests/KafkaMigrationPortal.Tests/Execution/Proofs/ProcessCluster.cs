using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using KafkaMigrationPortal.Features.Connections;
using KafkaMigrationPortal.Features.Jobs;
using KafkaMigrationPortal.Engine.Execution;
using KafkaMigrationPortal.Heroku;
using KafkaMigrationPortal.Heroku.Platform;
using KafkaMigrationPortal.Sandbox;
using KafkaMigrationPortal.Sandbox.Control;
using KafkaMigrationPortal.Sandbox.Dynos;
using KafkaMigrationPortal.TestSupport;
using KafkaMigrationPortal.TestSupport.Postgres;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace KafkaMigrationPortal.Tests.Execution.Proofs;

/// <summary>
/// A standalone sandbox process, any number of portal processes (built from this test's bin folder) sharing one fresh
/// PostgreSQL database, and a "controller": the portal's services built in the test process against the same database
/// and sandbox but never started, so it has no job server — it starts runs and approves steps, and the portal
/// processes' Hangfire servers execute them.
/// </summary>
public sealed class ProcessCluster : IAsyncDisposable
{
    public const string App = "mackerel";

    /// <summary>How the sandbox's control endpoints write JSON (snake_case).</summary>
    private static readonly JsonSerializerOptions SandboxJson = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private readonly TestDatabase database;
    private readonly Process sandbox;
    private readonly IReadOnlyDictionary<string, string> engineSettings;
    private readonly List<PortalProcess> portals = [];
    private readonly IHost controller;
    private int started;

    private ProcessCluster(TestDatabase database, Process sandbox, Uri sandboxUrl, IReadOnlyDictionary<string, string> engineSettings, IHost controller)
    {
        this.database = database;
        this.sandbox = sandbox;
        SandboxUrl = sandboxUrl;
        this.engineSettings = engineSettings;
        this.controller = controller;
        SandboxControl = new HttpClient { BaseAddress = new Uri(sandboxUrl, "/_sandbox/") };
    }

    public Uri SandboxUrl { get; }

    public HttpClient SandboxControl { get; }

    public IServiceProvider Services => controller.Services;

    public MigrationRunService Runs => Services.GetRequiredService<MigrationRunService>();

    public IHerokuPlatformApi Platform =>
        Services.GetRequiredService<IHerokuClientFactory>().Platform(Services.GetRequiredService<HerokuConnection>().Credential);

    public string ConnectionString => database.ConnectionString;

    public IReadOnlyList<PortalProcess> Portals => portals;

    /// <summary>SIGKILL to every portal process still running, as when Heroku evicts them all at once.</summary>
    public async Task KillAllPortalsAsync()
    {
        foreach (var portal in portals.Where(p => !p.HasExited)) portal.Kill();
        foreach (var portal in portals) await portal.WaitForExitAsync();
    }

    /// <summary>Runs SQL on the cluster's database (the portal's tables and Hangfire's); returns the first column of the first row.</summary>
    public async Task<object?> SqlAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        return await command.ExecuteScalarAsync();
    }

    /// <param name="sandboxSettings">Extra <c>Sandbox:*</c> settings of the sandbox process.</param>
    /// <param name="engineSettings">Extra <c>Execution:*</c> (or other) settings of every portal process and the controller.</param>
    /// <param name="timings">
    /// <see cref="EngineTimings.Shortened"/>: polls, check windows, the lease and the reconciler shortened so that a
    /// run and its recovery take seconds; <see cref="EngineTimings.Shipped"/>: no <c>Execution:*</c> setting at all.
    /// </param>
    public static async Task<ProcessCluster> StartAsync(IDictionary<string, string>? sandboxSettings = null, IDictionary<string, string>? engineSettings = null,
        EngineTimings timings = EngineTimings.Shortened)
    {
        var database = await TestPostgres.CreateDatabaseAsync();
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = AppContext.BaseDirectory };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "KafkaMigrationPortal.Sandbox.dll"));
        start.ArgumentList.Add("--port");
        start.ArgumentList.Add(port.ToString());
        var sandboxAll = new Dictionary<string, string>
        {
            ["Sandbox:ProvisioningDelay"] = "00:00:01",
            // Consumers that fall further behind than the new cluster's retention lose messages when they switch to it
            // (they start there at its earliest record until consumer positions are carried over): 10 s was less than
            // a consumer lags on a loaded 2-core machine. Heroku's shortest retention is hours.
            ["Sandbox:DemoTopicRetention"] = "00:00:30",
        };
        foreach (var (key, value) in sandboxSettings ?? new Dictionary<string, string>()) sandboxAll[key] = value;
        foreach (var (key, value) in sandboxAll)
        {
            start.ArgumentList.Add($"--{key}");
            start.ArgumentList.Add(value);
        }

        start.Environment["Logging__LogLevel__Default"] = "Warning";
        var sandbox = Process.Start(start)!;
        Drain(sandbox, new OutputTail());
        var sandboxUrl = new Uri($"http://127.0.0.1:{port}/");

        var engine = timings == EngineTimings.Shipped ? [] : new Dictionary<string, string>
        {
            ["Execution:ProvisioningPollInterval"] = "00:00:00.500",
            ["Execution:KafkaDataReadyPollInterval"] = "00:00:00.500",
            ["Execution:CatchUpPollInterval"] = "00:00:01",
            ["Execution:DoubleWriteVerifyWindow"] = "00:00:03",
            ["Execution:CheckRetryInterval"] = "00:00:01",
            ["Execution:TransientRetryBase"] = "00:00:00.200",
            ["Execution:TransientRetryMax"] = "00:00:02",
            // A dead holder's claim runs out soon and the reconciler looks often, so a restart resumes within seconds.
            ["Execution:LeaseDuration"] = "00:00:06",
            ["Execution:ReconcilerCron"] = "*/3 * * * * *",
        };
        foreach (var (key, value) in engineSettings ?? new Dictionary<string, string>()) engine[key] = value;

        ProcessCluster? cluster = null;
        try
        {
            using var probe = new HttpClient { BaseAddress = sandboxUrl };
            await Deadline.PollAsync(async () =>
            {
                if (sandbox.HasExited) throw new InvalidOperationException($"The sandbox process exited with {sandbox.ExitCode}.");
                try
                {
                    return (await probe.GetAsync("_sandbox")).IsSuccessStatusCode;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            }, TimeSpan.FromSeconds(60), "the sandbox process answers");

            var settings = new Dictionary<string, string?>(engine.Select(e => KeyValuePair.Create(e.Key, (string?)e.Value)))
            {
                ["DATABASE_URL"] = database.DatabaseUrl,
                [HerokuConnection.ApiKeyVariable] = SandboxUsers.Alice.ApiToken,
                ["Heroku:PlatformApiBaseUrl"] = sandboxUrl.ToString(),
                ["Heroku:KafkaApiBaseUrl"] = sandboxUrl.ToString(),
                ["Logging:LogLevel:Default"] = "Warning",
            };
            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Production", DisableDefaults = true });
            builder.Configuration.AddInMemoryCollection(settings);
            builder.Logging.ClearProviders();
            builder.AddPortalCore(PortalRole.Worker);
            cluster = new ProcessCluster(database, sandbox, sandboxUrl, engine, builder.Build());
            return cluster;
        }
        catch
        {
            if (cluster is not null) await cluster.DisposeAsync();
            else
            {
                sandbox.Kill(entireProcessTree: true);
                await database.DisposeAsync();
            }

            throw;
        }
    }

    /// <summary>Starts a portal process (web with a job server, or worker) and waits until its Hangfire server is registered.</summary>
    public async Task<PortalProcess> StartPortalAsync(PortalRole role = PortalRole.Worker)
    {
        var dyno = $"{(role == PortalRole.Web ? "web" : "worker")}.{Interlocked.Increment(ref started)}";
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = AppContext.BaseDirectory };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "KafkaMigrationPortal.dll"));
        start.ArgumentList.Add("--role");
        start.ArgumentList.Add(role == PortalRole.Web ? "web" : "worker");
        if (role == PortalRole.Web)
        {
            start.ArgumentList.Add("--urls");
            start.ArgumentList.Add($"http://127.0.0.1:{FreePort()}");
        }

        start.Environment["DATABASE_URL"] = database.DatabaseUrl;
        start.Environment["DYNO"] = dyno;
        start.Environment[HerokuConnection.ApiKeyVariable] = SandboxUsers.Alice.ApiToken;
        start.Environment["Heroku__PlatformApiBaseUrl"] = SandboxUrl.ToString();
        start.Environment["Heroku__KafkaApiBaseUrl"] = SandboxUrl.ToString();
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in engineSettings) start.Environment[key.Replace(":", "__")] = value;

        var process = Process.Start(start)!;
        var output = new OutputTail();
        Drain(process, output);
        var portal = new PortalProcess(dyno, process, output);
        portals.Add(portal);
        await Deadline.PollAsync(async () =>
        {
            if (process.HasExited) throw new InvalidOperationException($"Portal {dyno} exited with {process.ExitCode}:\n{output}");
            return await CountServersAsync(dyno) > 0;
        }, TimeSpan.FromSeconds(90), $"portal {dyno} registers its job server");
        return portal;
    }

    private async Task<long> CountServersAsync(string dyno)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var exists = new NpgsqlCommand("SELECT to_regclass('hangfire.server') IS NOT NULL", connection);
        if (!(bool)(await exists.ExecuteScalarAsync())!) return 0;
        await using var count = new NpgsqlCommand("SELECT count(*) FROM hangfire.server WHERE id LIKE @dyno", connection);
        count.Parameters.AddWithValue("dyno", dyno + ":%");
        return (long)(await count.ExecuteScalarAsync())!;
    }

    public async Task<IReadOnlyList<SandboxMutation>> MutationsAsync() =>
        (await SandboxControl.GetFromJsonAsync<List<SandboxMutation>>("mutations", SandboxJson))!;

    public async Task<LedgerReport> LedgerAsync() =>
        (await SandboxControl.GetFromJsonAsync<LedgerReport>($"ledger/{App}", SandboxJson))!;

    public async Task SetFaultsAsync(SandboxFaults faults) =>
        (await SandboxControl.PutAsJsonAsync("faults", faults, SandboxJson)).EnsureSuccessStatusCode();

    public async ValueTask DisposeAsync()
    {
        foreach (var portal in portals) portal.Kill();
        if (!sandbox.HasExited) sandbox.Kill(entireProcessTree: true);
        await sandbox.WaitForExitAsync();
        foreach (var portal in portals) await portal.WaitForExitAsync();
        controller.Dispose();
        SandboxControl.Dispose();
        sandbox.Dispose();
        await database.DisposeAsync();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Reads a child's output continuously (a full pipe would block it) and keeps the last lines for diagnostics.</summary>
    private static void Drain(Process process, OutputTail tail)
    {
        process.OutputDataReceived += (_, e) => tail.Add(e.Data);
        process.ErrorDataReceived += (_, e) => tail.Add(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }
}

public sealed class OutputTail
{
    private readonly ConcurrentQueue<string> lines = new();

    public void Add(string? line)
    {
        if (line is null) return;
        lines.Enqueue(line);
        while (lines.Count > 200) lines.TryDequeue(out _);
    }

    public override string ToString() => string.Join("\n", lines);
}

public enum EngineTimings
{
    Shortened,
    Shipped,
}

/// <summary>
/// One portal process; <see cref="Kill"/> is SIGKILL, as a crashed or evicted dyno, <see cref="Terminate"/> SIGTERM,
/// as Heroku's daily restart and every deploy begin.
/// </summary>
public sealed class PortalProcess(string dyno, Process process, OutputTail output)
{
    private const int SigTerm = 15;

    public string Dyno => dyno;

    public OutputTail Output => output;

    public bool HasExited => process.HasExited;

    public int ExitCode => process.ExitCode;

    public void Kill()
    {
        if (!process.HasExited) process.Kill(entireProcessTree: true);
    }

    public void Terminate()
    {
        if (!process.HasExited && SendSignal(process.Id, SigTerm) != 0) throw new InvalidOperationException($"kill -TERM {process.Id} failed");
    }

    public Task WaitForExitAsync(CancellationToken ct = default) => process.WaitForExitAsync(ct);

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);
}
