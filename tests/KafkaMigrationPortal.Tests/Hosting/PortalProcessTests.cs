using System.Diagnostics;
using KafkaMigrationPortal.Features.Jobs;
using KafkaMigrationPortal.Features.Storage;
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
    public async Task A_worker_without_a_Heroku_credential_is_refused_because_the_sandbox_lives_in_the_web_process()
    {
        var (exitCode, _, stderr) = await RunPortalAsync(new Dictionary<string, string>(), "--role", "worker");

        Assert.Equal(1, exitCode);
        Assert.Contains("HEROKU_API_KEY", Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
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
        start.Environment["HEROKU_API_KEY"] = "key-of-a-standalone-sandbox";
        start.Environment["Heroku__PlatformApiBaseUrl"] = "http://127.0.0.1:9/";
        using var worker = Process.Start(start)!;
        try
        {
            var servers = await Deadline.PollAsync(
                () => CountWorkerServersAsync(database.ConnectionString),
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

    private static async Task<long> CountWorkerServersAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var exists = new NpgsqlCommand("SELECT to_regclass('hangfire.server') IS NOT NULL", connection);
        if (!(bool)(await exists.ExecuteScalarAsync())!)
        {
            return 0;
        }

        await using var count = new NpgsqlCommand("SELECT count(*) FROM hangfire.server WHERE id LIKE 'worker.1:%'", connection);
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
