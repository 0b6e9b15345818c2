using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using KafkaMigrationPortal.Features.Jobs;
using KafkaMigrationPortal.Engine.Storage;
using KafkaMigrationPortal.Sandbox;
using KafkaMigrationPortal.TestSupport;
using KafkaMigrationPortal.TestSupport.Postgres;
using Npgsql;

namespace KafkaMigrationPortal.Tests.Hosting;

/// <summary>The built portal started as a real process, as Heroku starts it.</summary>
public sealed class PortalProcessTests
{
    private static async Task<(int ExitCode, string StdOut, string StdErr)> RunPortalAsync(IDictionary<string, string> environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "KafkaMigrationPortal.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    [Fact]
    public async Task A_bad_DATABASE_URL_stops_start_up_with_one_line_naming_the_variable()
    {
        var (exitCode, stdout, stderr) = await RunPortalAsync(
            new Dictionary<string, string> { ["DATABASE_URL"] = "postgres//oops:hunter2@nowhere", ["ASPNETCORE_URLS"] = "http://127.0.0.1:0" });

        Assert.Equal(1, exitCode);
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var line = Assert.Single(lines);
        Assert.Contains("DATABASE_URL", line);
        Assert.DoesNotContain("hunter2", stderr + stdout);
        Assert.DoesNotContain("   at ", stderr + stdout);
    }

    [Fact]
    public async Task Heroku_sign_in_without_an_allow_list_stops_start_up_with_one_line_naming_the_settings()
    {
        var databaseFile = Path.Combine(Path.GetTempPath(), $"kmp-allow-{Guid.NewGuid():N}.db");
        var (exitCode, stdout, stderr) = await RunPortalAsync(new Dictionary<string, string>
        {
            ["HEROKU_OAUTH_ID"] = "0f6a2c3e-client",
            ["HEROKU_OAUTH_SECRET"] = "oauth-secret-value",
            ["HEROKU_API_KEY"] = "api-key-value",
            ["Storage__SqlitePath"] = databaseFile,
            ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
        });

        Assert.Equal(1, exitCode);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("PORTAL_ALLOWED_TEAMS", line);
        Assert.Contains("PORTAL_ALLOWED_EMAILS", line);
        Assert.Contains("PORTAL_ADMINS", line);
        Assert.DoesNotContain("oauth-secret-value", stderr + stdout);
        Assert.DoesNotContain("Now listening on", stdout);
        Assert.False(File.Exists(databaseFile));
    }

    [Fact]
    public async Task With_PostgreSQL_unreachable_start_up_says_it_waits_then_stops_with_one_line_and_exit_code_1()
    {
        var port = ClosedPort();
        var (exitCode, stdout, stderr) = await RunPortalAsync(new Dictionary<string, string>
        {
            ["DATABASE_URL"] = $"postgres://portal:hunter2@127.0.0.1:{port}/portal?sslmode=disable",
            [StorageSettings.DatabaseWaitKey.Replace(":", "__")] = "00:00:05",
            ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
        });

        Assert.Equal(1, exitCode);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains($"PostgreSQL at 127.0.0.1:{port} did not answer within 5 s", line);
        var waiting = stdout.Split('\n').Count(l => l.Contains($"waiting for PostgreSQL at 127.0.0.1:{port}"));
        Assert.True(waiting >= 2, $"start-up said it was waiting {waiting} time(s):\n{stdout}");
        Assert.DoesNotContain("   at ", stderr + stdout);
        Assert.DoesNotContain("hunter2", stderr + stdout);
    }

    [Fact]
    public async Task Two_processes_starting_together_on_a_fresh_database_take_turns_applying_the_schema()
    {
        await using var database = await TestPostgres.CreateDatabaseAsync();
        var outputs = new[] { new StringWriter(), new StringWriter() };
        var workers = Enumerable.Range(1, 2).Select(i => StartWorker(database.DatabaseUrl, $"worker.{i}", outputs[i - 1])).ToList();
        try
        {
            await Deadline.PollAsync(async () =>
            {
                if (workers.FirstOrDefault(w => w.HasExited) is { } exited) throw new InvalidOperationException($"a worker exited with {exited.ExitCode}:\n{string.Join("\n", outputs.Select(o => o.ToString()))}");
                return await CountServersAsync(database.ConnectionString, "worker.%") == 2;
            }, TimeSpan.FromSeconds(90), "both workers register a Hangfire server");
        }
        finally
        {
            foreach (var worker in workers)
            {
                worker.Kill(entireProcessTree: true);
                await worker.WaitForExitAsync();
            }
        }

        foreach (var output in outputs.Select(o => o.ToString()))
        {
            Assert.False(output.Contains("fail:") || output.Contains("   at "), output);
        }
    }

    private static Process StartWorker(string databaseUrl, string dyno, StringWriter output)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = AppContext.BaseDirectory };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "KafkaMigrationPortal.dll"));
        start.ArgumentList.Add("--role");
        start.ArgumentList.Add("worker");
        start.Environment["DATABASE_URL"] = databaseUrl;
        start.Environment["DYNO"] = dyno;
        start.Environment["HEROKU_API_KEY"] = SandboxUsers.Alice.ApiToken;
        start.Environment["Heroku__PlatformApiBaseUrl"] = "http://127.0.0.1:9/";
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => { lock (output) output.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (output) output.WriteLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static Dictionary<string, string> SingleOperatorEnvironment(string databaseFile) => new()
    {
        ["HEROKU_API_KEY"] = SandboxUsers.Alice.ApiToken,
        ["Heroku__PlatformApiBaseUrl"] = "http://127.0.0.1:9/",
        ["Heroku__KafkaApiBaseUrl"] = "http://127.0.0.1:9/",
        ["Storage__SqlitePath"] = databaseFile,
    };

    [Fact]
    public async Task Single_operator_mode_on_the_Procfiles_address_for_every_interface_stops_with_one_line_naming_the_setting()
    {
        var databaseFile = Path.Combine(Path.GetTempPath(), $"kmp-reach-{Guid.NewGuid():N}.db");
        var port = ClosedPort();

        var (exitCode, stdout, stderr) = await RunPortalAsync(SingleOperatorEnvironment(databaseFile), "--urls", $"http://0.0.0.0:{port}");

        Assert.Equal(1, exitCode);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("single-operator mode", line);
        Assert.Contains($"http://0.0.0.0:{port}", line);
        Assert.Contains("--urls", line);
        Assert.DoesNotContain("Now listening on", stdout);
        Assert.DoesNotContain("   at ", stderr + stdout);
        Assert.False(File.Exists(databaseFile));
    }

    [Fact]
    public async Task Single_operator_mode_on_a_loopback_address_starts_and_answers()
    {
        var databaseFile = Path.Combine(Path.GetTempPath(), $"kmp-reach-{Guid.NewGuid():N}.db");
        var port = ClosedPort();
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = AppContext.BaseDirectory };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "KafkaMigrationPortal.dll"));
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add($"http://127.0.0.1:{port}");
        foreach (var (key, value) in SingleOperatorEnvironment(databaseFile))
        {
            start.Environment[key] = value;
        }

        var output = new StringWriter();
        using var portal = Process.Start(start)!;
        portal.OutputDataReceived += (_, e) => { lock (output) output.WriteLine(e.Data); };
        portal.ErrorDataReceived += (_, e) => { lock (output) output.WriteLine(e.Data); };
        portal.BeginOutputReadLine();
        portal.BeginErrorReadLine();
        try
        {
            using var client = new HttpClient();
            var health = await Deadline.PollAsync(async () =>
            {
                if (portal.HasExited) throw new InvalidOperationException($"the portal exited with {portal.ExitCode}:\n{output}");
                try
                {
                    using var response = await client.GetAsync($"http://127.0.0.1:{port}/health");
                    return (HttpStatusCode?)response.StatusCode;
                }
                catch (HttpRequestException)
                {
                    return null;
                }
            }, status => status is not null, TimeSpan.FromSeconds(120), "the portal answers on its loopback address");

            Assert.NotEqual(HttpStatusCode.Forbidden, health);
        }
        finally
        {
            portal.Kill(entireProcessTree: true);
            await portal.WaitForExitAsync();
            File.Delete(databaseFile);
        }
    }

    [Fact]
    public async Task A_worker_in_sandbox_mode_is_refused_because_the_sandbox_lives_in_the_web_process()
    {
        var (exitCode, _, stderr) = await RunPortalAsync(new Dictionary<string, string> { ["PORTAL_MODE"] = "sandbox" }, "--role", "worker");

        Assert.Equal(1, exitCode);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("kafka-migration-portal: A worker cannot run in sandbox mode:", line);
        Assert.Contains("PORTAL_MODE=heroku", line);
    }

    /// <summary>Configurations that would send real Heroku tokens to a sandbox stop before anything starts.</summary>
    public static TheoryData<string, Dictionary<string, string>> MixedModes => new()
    {
        // A real OAuth client while the APIs point at this machine: sign-in at id.heroku.com, its tokens sent to a sandbox.
        { "HEROKU_OAUTH_ID is not the sandbox's OAuth client", new() { ["HEROKU_OAUTH_ID"] = "a-real-client", ["HEROKU_OAUTH_SECRET"] = "hunter2", ["Heroku__PlatformApiBaseUrl"] = "http://127.0.0.1:9/" } },
        { "PORTAL_MODE=heroku but Heroku__KafkaApiBaseUrl points at this machine", new() { ["PORTAL_MODE"] = "heroku", ["HEROKU_API_KEY"] = "hunter2", ["Heroku__KafkaApiBaseUrl"] = "http://127.0.0.1:9/" } },
        { "PORTAL_MODE=sandbox with HEROKU_OAUTH_ID set needs a standalone sandbox", new() { ["PORTAL_MODE"] = "sandbox", ["HEROKU_OAUTH_ID"] = "a-real-client", ["HEROKU_OAUTH_SECRET"] = "hunter2" } },
        { "PORTAL_MODE is 'demo': use sandbox (the simulated Heroku) or heroku", new() { ["PORTAL_MODE"] = "demo" } },
    };

    [Theory]
    [MemberData(nameof(MixedModes))]
    public async Task A_configuration_mixing_a_sandbox_with_Heroku_stops_start_up_with_one_line_saying_what_to_change(string expected, Dictionary<string, string> environment)
    {
        var databaseFile = Path.Combine(Path.GetTempPath(), $"kmp-mode-{Guid.NewGuid():N}.db");
        environment["Storage__SqlitePath"] = databaseFile;

        var (exitCode, stdout, stderr) = await RunPortalAsync(environment, "--urls", $"http://127.0.0.1:{ClosedPort()}");

        Assert.Equal(1, exitCode);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("kafka-migration-portal: ", line);
        Assert.Contains(expected, line);
        Assert.DoesNotContain("hunter2", stderr + stdout);
        Assert.DoesNotContain("Now listening on", stdout);
        Assert.DoesNotContain("   at ", stderr + stdout);
        Assert.False(File.Exists(databaseFile));
    }

    [Fact]
    public async Task An_unknown_role_is_refused_the_same_way()
    {
        var (exitCode, _, stderr) = await RunPortalAsync(new Dictionary<string, string>(), "--role", "janitor");

        Assert.Equal(1, exitCode);
        Assert.Contains(PortalRoles.EnvironmentVariable, Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
    }

    [Fact]
    public async Task A_worker_process_runs_a_job_server_on_the_shared_database_and_no_web_server()
    {
        await using var database = await TestPostgres.CreateDatabaseAsync();
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = AppContext.BaseDirectory };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "KafkaMigrationPortal.dll"));
        start.ArgumentList.Add("--role");
        start.ArgumentList.Add("worker");
        start.Environment["DATABASE_URL"] = database.DatabaseUrl;
        start.Environment["DYNO"] = "worker.1";
        start.Environment["HEROKU_API_KEY"] = SandboxUsers.Alice.ApiToken;
        start.Environment["Heroku__PlatformApiBaseUrl"] = "http://127.0.0.1:9/";
        using var worker = Process.Start(start)!;
        try
        {
            var servers = await Deadline.PollAsync(
                () => CountServersAsync(database.ConnectionString, "worker.1:%"),
                count => count > 0,
                TimeSpan.FromSeconds(60),
                "the worker registers a Hangfire server");
            Assert.Equal(1, servers);
            Assert.False(worker.HasExited);
            Assert.DoesNotContain("Now listening on", await ReadAvailableAsync(worker.StandardOutput));
        }
        finally
        {
            worker.Kill(entireProcessTree: true);
        }
    }

    private static async Task<long> CountServersAsync(string connectionString, string idPattern)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var exists = new NpgsqlCommand("SELECT to_regclass('hangfire.server') IS NOT NULL", connection);
        if (!(bool)(await exists.ExecuteScalarAsync())!)
        {
            return 0;
        }

        await using var count = new NpgsqlCommand("SELECT count(*) FROM hangfire.server WHERE id LIKE @pattern", connection);
        count.Parameters.AddWithValue("pattern", idPattern);
        return (long)(await count.ExecuteScalarAsync())!;
    }

    private static async Task<string> ReadAvailableAsync(StreamReader output)
    {
        var buffer = new char[64 * 1024];
        using var soon = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        try
        {
            var read = await output.ReadAsync(buffer.AsMemory(), soon.Token);
            return new string(buffer, 0, read);
        }
        catch (OperationCanceledException)
        {
            return "";
        }
    }

    [Theory]
    [InlineData(new string[0], null, PortalRole.Web)]
    [InlineData(new[] { "--role", "worker" }, null, PortalRole.Worker)]
    [InlineData(new string[0], "worker", PortalRole.Worker)]
    [InlineData(new[] { "--role", "web" }, "worker", PortalRole.Web)]
    public void The_role_comes_from_the_command_line_before_the_environment(string[] args, string? environment, PortalRole expected) =>
        Assert.Equal(expected, PortalRoles.From(args, _ => environment));

    [Fact]
    public void Roles_other_than_web_and_worker_are_refused() =>
        Assert.Throws<PortalConfigurationException>(() => PortalRoles.From(["--role", "cron"], _ => null));
}
