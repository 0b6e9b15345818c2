using KafkaMigrationPortal.Engine.Execution;
using KafkaMigrationPortal.Engine.Planning;
using KafkaMigrationPortal.Features.AccessTokens;
using KafkaMigrationPortal.Features.Identity;
using KafkaMigrationPortal.Tests.Execution;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace KafkaMigrationPortal.Tests.Api;

/// <summary>
/// One portal for the API's run tests, with the embedded sandbox and its job server running: alice (admin, global
/// grant) operates, bob (approver, read grant) approves, carol is a viewer (read grant) whose Heroku account cannot reach the app. Each holds a token with every scope, so
/// what refuses them is the portal's rules, not the token.
/// </summary>
public sealed class RunApiPortal : IAsyncLifetime
{
    private readonly string databaseFile = Path.Combine(Path.GetTempPath(), $"kmp-api-runs-{Guid.NewGuid():N}.db");

    public EngineHost Host { get; private set; } = null!;

    public ApiPerson Alice { get; private set; } = null!;

    public ApiPerson Bob { get; private set; } = null!;

    public HttpClient AliceApi { get; private set; } = null!;

    public HttpClient BobApi { get; private set; } = null!;

    /// <summary>Bob's token without the operate scope.</summary>
    public HttpClient BobDecidingOnly { get; private set; } = null!;

    public HttpClient CarolApi { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Host = EngineHost.OnSqlite(databaseFile, manualScheduling: false, extra: new Dictionary<string, string?> { ["Wizard:RetentionMargin"] = "00:00:02" });
        Alice = await Host.PersonAsync("alice@example.com", HerokuScopes.Global);
        Bob = await Host.PersonAsync("bob@example.com", HerokuScopes.Read, TeamRole.Viewer, TeamRole.Approver);
        var bob = Bob;
        // A viewer whose Heroku account cannot reach the app.
        var carol = await Host.PersonAsync("carol@example.com", HerokuScopes.Read);
        AliceApi = Host.Client(await Host.TokenAsync(Alice, [.. AccessTokenScopes.All]));
        BobApi = Host.Client(await Host.TokenAsync(bob, [.. AccessTokenScopes.All]));
        BobDecidingOnly = Host.Client(await Host.TokenAsync(bob, AccessTokenScopes.Read, AccessTokenScopes.Approve));
        CarolApi = Host.Client(await Host.TokenAsync(carol, [.. AccessTokenScopes.All]));
    }

    /// <summary>A one-step run started by alice (through the engine: the API's start is the whole-run test's), waiting at its gate.</summary>
    public async Task<Guid> RunAtItsGateAsync()
    {
        await EndActiveRunsAsync();
        var plan = EngineHost.HandPlan(await Host.SourceAsync(), EngineHost.Step(new SetMaintenance(false), approval: true));
        var runId = await Host.Runs.StartAsync(plan, Alice.AsActor());
        await Host.WaitForAsync(runId, d => d.CurrentStep?.Status == RunStepStatus.AwaitingApproval, "the run waits at its gate", TimeSpan.FromSeconds(60));
        return runId;
    }

    /// <summary>Sets a person's roles as an admin (alice) does in Settings.</summary>
    public async Task SetRolesAsync(ApiPerson person, params string[] roles)
    {
        var changed = await Host.Services.GetRequiredService<UserDirectory>().SetRolesAsync(Alice.Id, person.Id, roles);
        Assert.True(changed.Succeeded, changed.Error);
    }

    /// <summary>Aborts what a failed test may have left running, so the next one can start a run of the app.</summary>
    public async Task EndActiveRunsAsync()
    {
        await using var db = await Host.Databases.CreateDbContextAsync();
        var active = await db.MigrationRuns.Where(r => MigrationRunStatuses.Active.Contains(r.Status)).Select(r => r.Id).ToListAsync();
        foreach (var runId in active) await Host.Runs.AbortAsync(runId, "test", "left over by an earlier test");
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        File.Delete(databaseFile);
    }
}

internal static class ApiPersonActors
{
    public static RunActor AsActor(this ApiPerson person) => new(person.Id, person.Email);
}
