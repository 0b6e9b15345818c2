using KafkaMigrationPortal.Engine.Storage;

namespace KafkaMigrationPortal.Features.Identity;

/// <summary>
/// Who may sign in: members of <see cref="Teams"/> (Heroku team names), the addresses or <c>@domain</c>s in
/// <see cref="Emails"/>, and the <see cref="Admins"/>, who are also the portal's first admins. Empty = anyone the
/// identity provider signs in, which only the sandbox and single-operator mode allow.
/// </summary>
public sealed record SignInAllowList(IReadOnlyList<string> Teams, IReadOnlyList<string> Emails, IReadOnlyList<string> Admins)
{
    public const string TeamsKey = "PORTAL_ALLOWED_TEAMS";
    public const string EmailsKey = "PORTAL_ALLOWED_EMAILS";
    public const string AdminsKey = "PORTAL_ADMINS";

    /// <summary>The very first person to sign in becomes admin: only where sign-in cannot reach strangers (sandbox, one operator).</summary>
    public bool FirstSignInIsAdmin { get; init; }

    public bool IsConfigured => Teams.Count > 0 || Emails.Count > 0 || Admins.Count > 0;

    public static SignInAllowList From(IConfiguration configuration)
    {
        var emails = List(configuration, EmailsKey);
        var admins = List(configuration, AdminsKey);
        if (emails.FirstOrDefault(e => !IsAddressOrDomain(e)) is { } badEmail)
        {
            throw new PortalConfigurationException($"{EmailsKey} holds '{badEmail}', which is neither an e-mail address nor an @domain");
        }

        if (admins.FirstOrDefault(a => a.StartsWith('@') || !IsAddressOrDomain(a)) is { } badAdmin)
        {
            throw new PortalConfigurationException($"{AdminsKey} holds '{badAdmin}': list the admins' e-mail addresses");
        }

        return new(List(configuration, TeamsKey), emails, admins);
    }

    public bool IsAdmin(string email) => Admins.Contains(email, StringComparer.OrdinalIgnoreCase);

    /// <summary>Allowed by address alone (an admin, a listed address, or an address in a listed domain).</summary>
    public bool AllowsAddress(string email) =>
        IsAdmin(email) || Emails.Any(entry => entry.StartsWith('@')
            ? email.EndsWith(entry, StringComparison.OrdinalIgnoreCase)
            : string.Equals(entry, email, StringComparison.OrdinalIgnoreCase));

    public IReadOnlyList<string> AllowedTeamsAmong(IEnumerable<string> teams) =>
        [.. teams.Where(t => Teams.Contains(t, StringComparer.OrdinalIgnoreCase))];

    private static bool IsAddressOrDomain(string entry)
    {
        var at = entry.IndexOf('@');
        return at >= 0 && at == entry.LastIndexOf('@') && at < entry.Length - 1 && !entry.Any(char.IsWhiteSpace);
    }

    private static IReadOnlyList<string> List(IConfiguration configuration, string key) =>
        (configuration[key] ?? "").Split([',', ';', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
