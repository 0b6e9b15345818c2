using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using KafkaMigrationPortal.TestSupport;

namespace KafkaMigrationPortal.EndToEnd.Tests;

/// <summary>
/// The built portal started as its own process (as Heroku starts it) on a free loopback port, with its embedded
/// sandbox on another known port, SQLite in a temporary file, and sandbox waits short enough for a whole migration
/// to finish inside a test.
/// </summary>
public sealed class PortalProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly StringBuilder output = new();
    private readonly string dataDirectory;

    private PortalProcess(Process process, Uri baseUrl, Uri sandboxUrl, string dataDirectory)
    {
        this.process = process;
        BaseUrl = baseUrl;
        SandboxUrl = sandboxUrl;
        this.dataDirectory = dataDirectory;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public Uri BaseUrl { get; }

    public Uri SandboxUrl { get; }

    public string DatabasePath => Path.Combine(dataDirectory, "portal.db");

    /// <summary>Everything the portal wrote to its console since it started.</summary>
    public string Output
    {
        get
        {
            lock (output) return output.ToString();
        }
    }

    /// <summary>The last lines the portal wrote, for failure messages.</summary>
    public string RecentOutput
    {
        get
        {
            lock (output)
            {
                var text = output.ToString();
                return text.Length > 6000 ? text[^6000..] : text;
            }
        }
    }

    public static async Task<PortalProcess> StartAsync(IReadOnlyDictionary<string, string>? settings = null)
    {
        int port = FreePort(), sandboxPort = FreePort();
        var dataDirectory = Directory.CreateTempSubdirectory("kmp-e2e-").FullName;
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "KafkaMigrationPortal.dll"));
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add($"http://127.0.0.1:{port}");
        foreach (var inherited in new[] { "HEROKU_API_KEY", "DATABASE_URL", "ConnectionStrings__Portal", "PORTAL_ROLE", "PORTAL_MODE" })
        {
            start.Environment.Remove(inherited);
        }

        // Development: serves the static web assets (MudBlazor's CSS and JS) from the build output, not a publish folder.
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["Storage__SqlitePath"] = Path.Combine(dataDirectory, "portal.db");
        start.Environment["Sandbox__Port"] = sandboxPort.ToString();
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information";
        start.Environment["Logging__LogLevel__KafkaMigrationPortal.Startup"] = "Information";
        start.Environment["Logging__LogLevel__KafkaMigrationPortal.Features.Connections.EmbeddedSandbox"] = "Information";
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        var portal = new PortalProcess(Process.Start(start)!, new Uri($"http://127.0.0.1:{port}/"), new Uri($"http://127.0.0.1:{sandboxPort}/"), dataDirectory);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            await Deadline.PollAsync(async () =>
            {
                if (portal.process.HasExited) throw new InvalidOperationException($"The portal exited with {portal.process.ExitCode}:\n{portal.RecentOutput}");
                try
                {
                    using var response = await http.GetAsync(new Uri(portal.BaseUrl, "health"));
                    return response.StatusCode == HttpStatusCode.OK;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
                catch (TaskCanceledException)
                {
                    return false;
                }
            }, TimeSpan.FromSeconds(90), "the portal answers /health");
        }
        catch (TimeoutException e)
        {
            await portal.DisposeAsync();
            throw new TimeoutException($"{e.Message}\n{portal.RecentOutput}");
        }

        return portal;
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (output)
        {
            output.AppendLine(line);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            try
            {
                await process.WaitForExitAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
            }
        }

        process.Dispose();
        try
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
