using KafkaMigrationPortal.Features.Connections;
using KafkaMigrationPortal.Heroku;
using Microsoft.EntityFrameworkCore;
using KafkaMigrationPortal.Engine.Execution;
using KafkaMigrationPortal.Engine.Storage;

namespace KafkaMigrationPortal.Features.Identity;

/// <summary>
/// A run acts with its starter's own Heroku grant (refreshed before it expires) when the starter signed in with Heroku;
/// otherwise — single-operator mode, or a run started by the engine's tests — with the portal's connection credential.
/// The choice made at start is recorded in <see cref="MigrationRun.ExecutedWith"/> and kept for the whole run.
/// </summary>
public sealed class StarterCredentialResolver(HerokuConnection connection, UserCredentials users, IDbContextFactory<PortalDbContext> contexts) : IRunCredentialResolver
{
    public IHerokuCredential ForNewRun(RunActor startedBy) => GrantOf(startedBy.UserId, startedBy.Name) ?? connection.Credential;

    public IHerokuCredential ForRun(MigrationRun run) =>
        run.ExecutedWith is { } executedWith && executedWith.StartsWith(UserHerokuCredential.DescriptionPrefix, StringComparison.Ordinal)
            ? GrantOf(run.StartedByUserId, run.StartedBy) ?? throw new InvalidOperationException($"The run acts with the Heroku grant of {run.StartedBy}, who is no longer a portal user.")
            : connection.Credential;

    /// <summary>By user id where the engine has one (an e-mail address can change), else by e-mail.</summary>
    private UserHerokuCredential? GrantOf(Guid? userId, string email)
    {
        using var db = contexts.CreateDbContext();
        var user = db.Set<UserAccount>().AsNoTracking()
            .Where(u => (userId != null ? u.Id == userId : u.Email == email) && u.ProtectedAccessToken != null)
            .Select(u => new { u.Id, u.Email })
            .FirstOrDefault();
        return user is null ? null : users.For(user.Id, user.Email);
    }
}
