namespace KafkaMigrationPortal.Features.Identity;

/// <summary>
/// The Heroku OAuth scopes the portal asks for, from the narrowest: <c>identity</c> (the account only), <c>read</c>
/// (apps, teams, add-ons), <c>global</c> (everything, and the only scope the Kafka data API takes).
/// </summary>
public static class HerokuScopes
{
    public const string Identity = "identity";
    public const string Read = "read";
    public const string Global = "global";

    public static readonly IReadOnlyList<string> Requestable = [Identity, Read, Global];

    /// <summary>Whether a grant of <paramref name="granted"/> (space-separated, as sent to Heroku) can do what <paramref name="needed"/> allows.</summary>
    public static bool Covers(string granted, string needed) => Level(granted) >= Level(needed);

    /// <summary>The broader of two grants.</summary>
    public static string Broader(string a, string b) => Level(a) >= Level(b) ? a : b;

    private static int Level(string scopes)
    {
        var set = scopes.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries);
        if (set.Contains(Global, StringComparer.Ordinal)) return 2;
        if (set.Any(s => s is Read or "write" or "read-protected" or "write-protected")) return 1;
        return set.Contains(Identity, StringComparer.Ordinal) ? 0 : -1;
    }
}

/// <summary>What a person must grant the portal on Heroku before doing something, and why; the page offers the grant.</summary>
public sealed record HerokuGrantNeeded(string Scope, string Reason)
{
    /// <summary>The portal address that asks Heroku for <see cref="Scope"/> and comes back to <paramref name="returnUrl"/>.</summary>
    public string ChallengeUrl(string returnUrl) =>
        $"{IdentityModule.ChallengePath}?scope={Uri.EscapeDataString(Scope)}&returnUrl={Uri.EscapeDataString(returnUrl)}";
}

public static class GrantedScopes
{
    /// <summary>The scope of the person's stored grant; grants stored before the portal recorded it were all <c>global</c>.</summary>
    public static string EffectiveGrantedScope(this KafkaMigrationPortal.Engine.Storage.UserAccount user) => user.GrantedScope ?? HerokuScopes.Global;
}
