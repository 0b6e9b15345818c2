using KafkaMigrationPortal.Heroku;

namespace KafkaMigrationPortal.Features.Identity;

public sealed record SignInVerdict(bool Allowed, string Reason);

/// <summary>Thrown while a sign-in is completed when the allow-list does not admit the person.</summary>
public sealed class SignInRefusedException(string message) : Exception(message);

/// <summary>
/// Decides whether a Heroku account may use the portal: by its address, or by its team memberships read with the
/// person's own token (so the portal needs no team admin's credential, and sees exactly what Heroku grants them).
/// </summary>
public sealed class SignInGate(SignInAllowList allowList, IHerokuClientFactory clients)
{
    /// <summary>Whether the decision depends on team membership that may change while the person is signed in.</summary>
    public bool DependsOnTeams(string email) => allowList.Teams.Count > 0 && !allowList.AllowsAddress(email);

    public async Task<SignInVerdict> DecideAsync(string email, string accessToken, CancellationToken cancellationToken)
    {
        if (!allowList.IsConfigured) return new(true, "no allow-list is configured");
        if (allowList.AllowsAddress(email)) return new(true, "the address is allow-listed");
        if (allowList.Teams.Count == 0) return new(false, $"{email} is not on this portal's allow-list");

        IReadOnlyList<string> teams;
        try
        {
            teams = [.. (await clients.Platform(new StaticTokenCredential(accessToken, $"Heroku grant of {email}")).ListTeamsAsync(cancellationToken)).Select(t => t.Name)];
        }
        catch (HerokuApiException e)
        {
            return new(false, $"the Heroku teams of {email} could not be read ({e.Message})");
        }

        var allowed = allowList.AllowedTeamsAmong(teams);
        return allowed.Count > 0
            ? new(true, $"member of {string.Join(", ", allowed)}")
            : new(false, $"{email} is not a member of a team allowed on this portal");
    }
}
