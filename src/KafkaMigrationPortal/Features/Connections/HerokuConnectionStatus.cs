using KafkaMigrationPortal.Heroku;
using KafkaMigrationPortal.Engine;

namespace KafkaMigrationPortal.Features.Connections;

public sealed record ConnectionStatusView(HerokuConnectionMode Mode, string CredentialDescription, string AccountEmail, int RateLimitRemaining);

/// <summary>Who the portal acts as on Heroku, asked of Heroku itself.</summary>
public sealed class HerokuConnectionStatus(HerokuConnection connection, IHerokuClientFactory clients)
{
    public async Task<QueryResult<ConnectionStatusView>> CheckAsync(CancellationToken cancellationToken = default)
    {
        if (!connection.HasOwnCredential)
        {
            return QueryResult<ConnectionStatusView>.Failed(
                $"The portal has no Heroku credential of its own ({HerokuConnection.ApiKeyVariable} is unset): runs act with the Heroku grant of whoever starts them.");
        }

        try
        {
            var platform = clients.Platform(connection.Credential);
            var account = await platform.GetAccountAsync(cancellationToken);
            var rateLimit = await platform.GetRateLimitAsync(cancellationToken);
            return QueryResult<ConnectionStatusView>.Ok(new(connection.Mode, connection.Credential.Description, account.Email, rateLimit.Remaining));
        }
        catch (HerokuApiException e)
        {
            return QueryResult<ConnectionStatusView>.Failed($"Heroku refused the portal's credential ({connection.Credential.Description}): {e.Message}");
        }
        catch (HttpRequestException)
        {
            return QueryResult<ConnectionStatusView>.Failed("Heroku could not be reached. Check the network and try again.");
        }
    }
}
