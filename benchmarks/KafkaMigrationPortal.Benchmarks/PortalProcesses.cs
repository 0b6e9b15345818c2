using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using KafkaMigrationPortal.Features.Connections;
using KafkaMigrationPortal.Features.Jobs;
using KafkaMigrationPortal.Sandbox;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace KafkaMigrationPortal.Benchmarks;

/// <summary>
/// What the benchmarks on separate processes share: a standalone sandbox process, portal processes built beside the
/// benchmark, and a controller (the portal's services, never started, so without a job server).
/// </summary>
public static class PortalProcesses
{
    private const int SigTerm = 15;

    /// <summary>Starts a standalone sandbox on a free loopback port and waits until it answers; returns its URL.</summary>
    public static async Task<string> StartSandboxAsync(List<Process> children, params string[] settings)
    {
        var port = FreePort();
        children.Add(Start("KafkaMigrationPortal.Sandbox.dll", ["--port", port.ToString(), .. settings],
            new() { ["Logging__LogLevel__Default"] = "Warning" }));
        var url = $"http://127.0.0.1:{port}/";
        using var probe = new HttpClient { BaseAddress = new Uri(url) };
        var waited = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                if ((await probe.GetAsync("_sandbox")).IsSuccessStatusCode) return url;
            }
            catch (HttpRequestException) when (waited.Elapsed < TimeSpan.FromSeconds(60))
            {
            }

            if (children[^1].HasExited) throw new InvalidOperationException("the sandbox process exited");
            await Task.Delay(200);
        }
    }

    /// <summary>A portal process (<c>--role web</c> on a free port, or <c>worker</c>) named <paramref name="dyno"/>.</summary>
    public static Process StartPortal(PortalRole role, string dyno, IReadOnlyDictionary<string, string> environment)
    {
        List<string> arguments = role == PortalRole.Web ? ["--role", "web", "--urls", $"http://127.0.0.1:{FreePort()}"] : ["--role", "worker"];
        return Start("KafkaMigrationPortal.dll", arguments, new(environment) { ["DYNO"] = dyno });
    }

    /// <summary>
    /// Waits until <paramref name="count"/> Hangfire servers are registered (every portal process has one), only
    /// counting those of <paramref name="dynos"/> when given (a killed process's server stays listed for minutes).
    /// </summary>
    public static async Task WaitForServersAsync(string connectionString, int count, IReadOnlyList<Process> portals, IReadOnlyList<string>? dynos = null)
    {
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < TimeSpan.FromSeconds(90))
        {
            if (portals.Any(c => c.HasExited)) throw new InvalidOperationException("a portal process exited during start-up");
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            await using var exists = new NpgsqlCommand("SELECT to_regclass('hangfire.server') IS NOT NULL", connection);
            if ((bool)(await exists.ExecuteScalarAsync())!)
            {
                await using var servers = new NpgsqlCommand(
                    "SELECT count(*) FROM hangfire.server WHERE @dynos IS NULL OR split_part(id, ':', 1) = ANY(@dynos)", connection);
                servers.Parameters.Add(new NpgsqlParameter("dynos", NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Text) { Value = dynos?.ToArray() ?? (object)DBNull.Value });
                if ((long)(await servers.ExecuteScalarAsync())! >= count) return;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("the portal processes did not register their job servers");
    }

    /// <summary>SIGTERM, as Heroku stops a dyno (on every restart and deploy) before its SIGKILL 30 s later.</summary>
    public static void Terminate(Process process)
    {
        if (!process.HasExited && SendSignal(process.Id, SigTerm) != 0) throw new InvalidOperationException($"kill -TERM {process.Id} failed");
    }

    /// <summary>The portal's services against the shared database and sandbox, never started: no job server here.</summary>
    public static IHost Controller(IReadOnlyDictionary<string, string> environment)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Production", DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(environment.Select(e => KeyValuePair.Create(e.Key.Replace("__", ":"), (string?)e.Value)));
        builder.Logging.ClearProviders();
        builder.AddPortalCore(PortalRole.Worker);
        return builder.Build();
    }

    /// <summary>A portal process on <paramref name="connectionString"/>'s database, acting as alice on a standalone sandbox.</summary>
    public static Dictionary<string, string> SandboxEnvironment(string connectionString, string sandboxUrl) => new()
    {
        ["DATABASE_URL"] = DatabaseUrl(connectionString),
        [HerokuConnection.ApiKeyVariable] = SandboxUsers.Alice.ApiToken,
        ["Heroku__PlatformApiBaseUrl"] = sandboxUrl,
        ["Heroku__KafkaApiBaseUrl"] = sandboxUrl,
        ["Logging__LogLevel__Default"] = "Warning",
    };

    public static string DatabaseUrl(string connectionString)
    {
        var b = new NpgsqlConnectionStringBuilder(connectionString);
        var credentials = Uri.EscapeDataString(b.Username ?? "postgres") + (string.IsNullOrEmpty(b.Password) ? "" : ":" + Uri.EscapeDataString(b.Password));
        return $"postgres://{credentials}@{b.Host}:{b.Port}/{b.Database}?sslmode=disable";
    }

    public static async Task StopAsync(IEnumerable<Process> children)
    {
        foreach (var child in children)
        {
            if (!child.HasExited) child.Kill(entireProcessTree: true);
            await child.WaitForExitAsync();
            child.Dispose();
        }
    }

    private static Process Start(string dll, IReadOnlyList<string> arguments, Dictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = AppContext.BaseDirectory };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, dll));
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        foreach (var (key, value) in environment) start.Environment[key] = value;
        var process = Process.Start(start)!;
        // Drained so that a full pipe never blocks the child; its output is not needed.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);
}
