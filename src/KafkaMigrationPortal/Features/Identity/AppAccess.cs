using KafkaMigrationPortal.Features.Connections;
using KafkaMigrationPortal.Heroku;

namespace KafkaMigrationPortal.Features.Identity;

/// <summary>
/// Whether a person's own Heroku grant can reach an app right now: a run command needs it, so someone who lost access
/// to the app on Heroku cannot act on its migration here. Without a grant of their own (single-operator mode) the
/// portal's credential is what they act with, so that is what is checked.
/// </summary>
public sealed class AppAccess(UserCredentials credentials, HerokuConnection connection, IHerokuClientFactory clients)
{
    /// <summary>Null when the person can access <paramref name="app"/>; otherwise why not, to show them.</summary>
    public async Task<string?> RefusalAsync(PortalMember member, string app, CancellationToken cancellationToken)
    {
        IHerokuCredential credential = member.HasHerokuGrant ? credentials.For(member.Id, member.Email) : connection.Credential;
        try
        {
            await clients.Platform(credential).GetAppAsync(app, cancellationToken);
            return null;
        }
        catch (HerokuApiException e) when (e.Status is System.Net.HttpStatusCode.NotFound or System.Net.HttpStatusCode.Forbidden)
        {
            return $"Your Heroku account ({member.Email}) cannot access the app {app}: ask its owner for access on Heroku.";
        }
        catch (Exception e) when (e is HerokuApiException or InvalidOperationException or HttpRequestException)
        {
            return $"Your access to {app} on Heroku could not be checked ({e.Message}); nothing was done.";
        }
    }
}
