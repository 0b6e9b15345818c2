using KafkaMigrationPortal.Engine.Execution;
using KafkaMigrationPortal.Heroku;

namespace KafkaMigrationPortal.Features.Identity;

/// <summary>
/// Whether a person's own Heroku grant can reach an app right now: a run command needs it, so someone who lost access
/// to the app on Heroku cannot act on its migration here. The credential checked is the one a run they start would act
/// with (<see cref="IRunCredentialResolver.ForNewRun"/>): their own grant, or without one (single-operator mode) the
/// portal's.
/// </summary>
public sealed class AppAccess(IRunCredentialResolver credentials, IHerokuClientFactory clients)
{
    /// <summary>Null when the person can access <paramref name="app"/>; otherwise why not, to show them.</summary>
    public async Task<AccessProblem?> RefusalAsync(PortalMember member, string app, CancellationToken cancellationToken)
    {
        // An identity-only grant cannot read apps: reading this one is the least a run command needs.
        if (member.Needs(HerokuScopes.Read, $"act on the migration of {app}") is { } grant) return new(grant.Reason, grant);
        try
        {
            await clients.Platform(credentials.ForNewRun(member.AsActor)).GetAppAsync(app, cancellationToken);
            return null;
        }
        catch (HerokuApiException e) when (e.Status is System.Net.HttpStatusCode.NotFound or System.Net.HttpStatusCode.Forbidden)
        {
            return new($"Your Heroku account ({member.Email}) cannot access the app {app}: ask its owner for access on Heroku.");
        }
        catch (Exception e) when (e is HerokuApiException or InvalidOperationException or HttpRequestException)
        {
            return new($"Your access to {app} on Heroku could not be checked ({e.Message}); nothing was done.");
        }
    }
}

/// <param name="Grant">Set when a wider Heroku grant would solve it: the page offers to ask for it.</param>
public sealed record AccessProblem(string Message, HerokuGrantNeeded? Grant = null);
