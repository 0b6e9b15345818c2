using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql;

namespace KafkaMigrationPortal.Engine.Storage;

/// <summary>A part of the database besides the portal's own tables (Hangfire's), applied under the same lock.</summary>
public interface ISchemaPart
{
    string Name { get; }

    Task ApplyAsync(NpgsqlConnection connection, CancellationToken ct);
}

/// <summary>
/// Brings the database up to date once per process, before it serves a request or runs a job. On PostgreSQL it first
/// waits for the server to answer (a log line per try, one <see cref="PortalStartupException"/> when it never does),
/// then applies the portal's migrations and every <see cref="ISchemaPart"/> while holding an advisory lock, so that
/// processes starting together on a fresh database take turns instead of racing to create the same tables.
/// </summary>
public sealed class PortalSchema(
    StorageSettings settings,
    IDbContextFactory<PortalDbContext> contexts,
    IEnumerable<ISchemaPart> parts,
    TimeProvider time,
    ILogger<PortalSchema> logger)
{
    // The same in every portal process; PostgreSQL's advisory locks belong to one database, so other databases on the
    // server (other apps, other tests) never wait for it.
    private const long SchemaLockKey = 0x4B4D_505F_5343_4845;
    private static readonly TimeSpan LongestPause = TimeSpan.FromSeconds(5);
    private readonly SemaphoreSlim gate = new(1, 1);
    private bool applied;

    public async Task ApplyAsync(CancellationToken ct = default)
    {
        await gate.WaitAsync(ct);
        try
        {
            if (applied) return;
            if (settings.Provider == StorageProvider.PostgreSql)
            {
                await ApplyToPostgresAsync(ct);
            }
            else
            {
                await using var db = await contexts.CreateDbContextAsync(ct);
                await db.Database.MigrateAsync(ct);
            }

            applied = true;
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task ApplyToPostgresAsync(CancellationToken ct)
    {
        await using var connection = await OpenWhenReachableAsync(ct);
        // No command timeout on the wait: another process may hold the lock for longer than one (a slow migration on a
        // busy database), and start-up's own cancellation bounds it.
        await ExecuteAsync(connection, $"SELECT pg_advisory_lock({SchemaLockKey})", ct, timeoutSeconds: 0);
        try
        {
            await using (var db = await contexts.CreateDbContextAsync(ct))
            {
                // Otherwise EF's first look at a fresh database reads a history table that is not there yet and logs that
                // as a failed command, though it goes on to create it.
                await db.GetService<IHistoryRepository>().CreateIfNotExistsAsync(ct);
                await db.Database.MigrateAsync(ct);
            }

            foreach (var part in parts)
            {
                await part.ApplyAsync(connection, ct);
                logger.LogDebug("{Part} schema is up to date", part.Name);
            }
        }
        finally
        {
            // Also released when the connection closes; unlocking first lets a waiting process go on at once.
            await ExecuteAsync(connection, $"SELECT pg_advisory_unlock({SchemaLockKey})", CancellationToken.None);
        }
    }

    private async Task<NpgsqlConnection> OpenWhenReachableAsync(CancellationToken ct)
    {
        var target = new NpgsqlConnectionStringBuilder(settings.ConnectionString);
        var endpoint = $"{target.Host}:{target.Port}";
        var giveUpAt = time.GetUtcNow() + settings.DatabaseWait;
        var pause = TimeSpan.FromSeconds(1);
        for (var attempt = 1; ; attempt++)
        {
            var left = giveUpAt - time.GetUtcNow();
            // A host that drops packets would otherwise hold one attempt for Npgsql's 15 s default.
            target.Timeout = (int)Math.Clamp(Math.Ceiling(left.TotalSeconds), 1, 15);
            var connection = new NpgsqlConnection(target.ConnectionString);
            try
            {
                await connection.OpenAsync(ct);
                if (attempt > 1) logger.LogInformation("PostgreSQL at {Endpoint} answered (attempt {Attempt})", endpoint, attempt);
                return connection;
            }
            catch (Exception e) when (IsUnreachable(e) && !ct.IsCancellationRequested)
            {
                await connection.DisposeAsync();
                left = giveUpAt - time.GetUtcNow();
                if (left <= TimeSpan.Zero)
                {
                    throw new PortalStartupException(
                        $"PostgreSQL at {endpoint} did not answer within {settings.DatabaseWait.TotalSeconds:0.#} s ({Reason(e)}); " +
                        $"{StorageSettings.DatabaseWaitKey.Replace(":", "__")} sets how long start-up waits");
                }

                logger.LogWarning("waiting for PostgreSQL at {Endpoint}: {Reason} (attempt {Attempt}; giving up in {Left:0} s)",
                    endpoint, Reason(e), attempt, left.TotalSeconds);
                await Task.Delay(pause < left ? pause : left, time, ct);
                pause = pause * 2 < LongestPause ? pause * 2 : LongestPause;
            }
            catch (PostgresException e)
            {
                await connection.DisposeAsync();
                throw new PortalStartupException($"PostgreSQL at {endpoint} refused the portal: {e.MessageText} ({e.SqlState})");
            }
        }
    }

    /// <summary>No answer at all, or the server is not accepting connections yet (starting up, too many clients).</summary>
    private static bool IsUnreachable(Exception e) =>
        e is TimeoutException || e is NpgsqlException { IsTransient: true } || (e is NpgsqlException and not PostgresException);

    /// <summary>The innermost message (the socket's "Connection refused", not Npgsql's wrapper), on one line.</summary>
    private static string Reason(Exception e)
    {
        while (e.InnerException is not null) e = e.InnerException;
        return e.Message.Split('\n', 2)[0].Trim();
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken ct, int? timeoutSeconds = null)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        if (timeoutSeconds is { } seconds) command.CommandTimeout = seconds;
        await command.ExecuteNonQueryAsync(ct);
    }
}
