using KafkaMigrationPortal.Engine.Audit;
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
        var contexts = services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        long auditEntries;
        await using (var before = await contexts.CreateDbContextAsync()) auditEntries = await before.AuditEntries.LongCountAsync();

        await services.GetRequiredService<ExecutionWarmUp>().WarmAsync(credential, CancellationToken.None);

        await using var db = await contexts.CreateDbContextAsync();
        Assert.Equal(0, await db.MigrationRuns.CountAsync());
        Assert.Equal(0, await db.Set<RunStep>().CountAsync());
        Assert.Equal(0, await db.RunEvents.CountAsync());
        // Its audit entry was written inside a transaction that was rolled back: the chain is as it was, and whole.
        Assert.Equal(auditEntries, await db.AuditEntries.LongCountAsync());
        Assert.True((await services.GetRequiredService<AuditLog>().VerifyAsync()).Intact);
    }

    public void Dispose()
    {
        foreach (var file in new[] { databaseFile, databaseFile + "-wal", databaseFile + "-shm" })
            if (File.Exists(file)) File.Delete(file);
    }
}
