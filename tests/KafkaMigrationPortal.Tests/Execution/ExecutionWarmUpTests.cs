using KafkaMigrationPortal.Engine.Execution;
using KafkaMigrationPortal.Engine.Storage;
using KafkaMigrationPortal.Features.Connections;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace KafkaMigrationPortal.Tests.Execution;

public sealed class ExecutionWarmUpTests : IDisposable
{
    private readonly string databaseFile = Path.Combine(Path.GetTempPath(), $"kmp-warm-{Guid.NewGuid():N}.db");

    [Fact]
    public async Task Warming_the_engine_runs_its_queries_and_calls_but_changes_nothing()
    {
        await using var host = EngineHost.OnSqlite(databaseFile);
        var services = host.Services; // started: the job server's warm-up has already run once
        var credential = services.GetRequiredService<HerokuConnection>().Credential;

        await services.GetRequiredService<ExecutionWarmUp>().WarmAsync(credential, CancellationToken.None);

        await using var db = await services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        Assert.Equal(0, await db.MigrationRuns.CountAsync());
        Assert.Equal(0, await db.RunEvents.CountAsync());
    }

    public void Dispose()
    {
        foreach (var file in new[] { databaseFile, databaseFile + "-wal", databaseFile + "-shm" })
            if (File.Exists(file)) File.Delete(file);
    }
}
