using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using KafkaMigrationPortal.Engine.Storage;

namespace KafkaMigrationPortal.Features.Identity;

/// <summary>
/// Single-operator mode (<c>HEROKU_API_KEY</c> set, no OAuth client): whoever reaches the portal is the one local
/// operator, with every role, acting with that key. Meant for a run on one's own machine; the UI labels it.
/// </summary>
internal sealed class LocalOperatorHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, LocalOperatorAccount account)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "LocalOperator";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var user = await account.EnsureAsync(Context.RequestAborted);
        var identity = new ClaimsIdentity(
            [
                new Claim(ClaimTypes.NameIdentifier, user.Id.ToString()),
                new Claim(ClaimTypes.Email, user.Email),
                new Claim(ClaimTypes.Name, "Local operator (HEROKU_API_KEY)"),
            ],
            SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }
}

/// <summary>The one account of single-operator mode, created on first use.</summary>
internal sealed class LocalOperatorAccount(UserDirectory users)
{
    private UserAccount? account;

    public async Task<UserAccount> EnsureAsync(CancellationToken cancellationToken) =>
        account ??= await users.EnsureLocalOperatorAsync(cancellationToken);
}
