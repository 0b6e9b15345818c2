using KafkaMigrationPortal.Features.Identity;
using KafkaMigrationPortal.Engine.Execution;
using KafkaMigrationPortal.Heroku;
using KafkaMigrationPortal.Engine;

namespace KafkaMigrationPortal.Features.Settings;

/// <param name="HerokuEmail">The account Heroku answers for the signed-in person's grant; null when they hold none.</param>
/// <param name="RunsExecuteWith">Which credential a run they start now would act with (its description, never a token).</param>
public sealed record PersonalGrantView(string? HerokuEmail, string RunsExecuteWith);

/// <summary>What Settings shows about the signed-in person's own Heroku access.</summary>
public interface IPersonalHerokuGrant
{
    Task<QueryResult<PersonalGrantView>> CheckAsync(Guid userId, string email, CancellationToken cancellationToken = default);
}

/// <summary>Asks Heroku who the person's stored grant belongs to (refreshing it if due), and which credential runs use.</summary>
public sealed class PersonalHerokuGrant(UserCredentials credentials, IHerokuClientFactory clients, IRunCredentialResolver runCredentials) : IPersonalHerokuGrant
{
    public async Task<QueryResult<PersonalGrantView>> CheckAsync(Guid userId, string email, CancellationToken cancellationToken = default)
    {
        var runsExecuteWith = runCredentials.ForNewRun(email).Description;
        if (email == PortalClaims.LocalOperatorEmail)
        {
            return QueryResult<PersonalGrantView>.Ok(new(null, runsExecuteWith));
        }

        try
        {
            var account = await clients.Platform(credentials.For(userId, email)).GetAccountAsync(cancellationToken);
            return QueryResult<PersonalGrantView>.Ok(new(account.Email, runsExecuteWith));
        }
        catch (InvalidOperationException e)
        {
            // The credential's own messages say what to do ("sign in again") and never carry a token.
            return QueryResult<PersonalGrantView>.Failed($"Your Heroku grant cannot be used: {e.Message}");
        }
        catch (HerokuApiException e)
        {
            return QueryResult<PersonalGrantView>.Failed($"Heroku refused your grant ({(int)e.Status}): sign out and in again.");
        }
        catch (HttpRequestException)
        {
            return QueryResult<PersonalGrantView>.Failed("Heroku could not be reached to check your grant. Try again in a moment.");
        }
    }
}
