using System.Security.Claims;
using System.Text.Encodings.Web;
using KafkaMigrationPortal.Engine;
using KafkaMigrationPortal.Features.AccessTokens;
using KafkaMigrationPortal.Features.Identity;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.Extensions.Options;

namespace KafkaMigrationPortal.Features.Api;

/// <summary>
/// <c>Authorization: Bearer kmp_…</c>: the API's only way in (no cookie, so no cross-site request can act). An accepted
/// token gives the principal sign-in gives (portal user id, e-mail, name, roles from the database) plus its scopes;
/// each use that reaches an endpoint is recorded in the audit log under the token's public id
/// (<see cref="AccessTokenUseRecorder"/>). Refusals answer 401 problem details.
/// </summary>
public sealed class AccessTokenHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, AccessTokenStore tokens)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiToken";
    public const string ScopeClaim = "kmp:token-scope";
    public const string TokenIdClaim = "kmp:token-id";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return AuthenticateResult.NoResult();
        var check = await tokens.CheckAsync(header["Bearer ".Length..].Trim(), Context.RequestAborted);
        if (!check.Accepted) return AuthenticateResult.Fail(new AccessTokenRefused(check.Refusal!, check.Message!));

        var (token, owner) = (check.Token!, check.Owner!);
        Context.Items[typeof(AccessTokenCheck)] = check;
        var identity = new ClaimsIdentity(
            [
                new Claim(ClaimTypes.NameIdentifier, owner.Id.ToString()),
                new Claim(ClaimTypes.Email, owner.Email),
                new Claim(ClaimTypes.Name, owner.Name ?? owner.Email),
                new Claim(TokenIdClaim, token.PublicId),
                .. owner.RoleList.Select(r => new Claim(ClaimTypes.Role, r)),
                .. token.ScopeList.Select(s => new Claim(ScopeClaim, s)),
            ],
            SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        var (code, detail) = result.Failure is AccessTokenRefused refused
            ? (refused.Code, refused.Message)
            : (AccessTokenRefusals.Missing, "Send a personal access token (Settings → API access tokens) as 'Authorization: Bearer kmp_…'.");
        Response.Headers.WWWAuthenticate = code == AccessTokenRefusals.Missing ? "Bearer" : "Bearer error=\"invalid_token\"";
        await ApiProblems.For(code, detail).ExecuteAsync(Context);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        ApiProblems.For(Refusals.RoleRequired, "The token's owner may not do this.").ExecuteAsync(Context);

    private sealed class AccessTokenRefused(string code, string message) : Exception(message)
    {
        public string Code { get; } = code;
    }
}

/// <summary>
/// Records each use of a token in the audit log as the endpoint is reached: after authorization and the rate limit,
/// so a refused request writes nothing.
/// </summary>
internal sealed class AccessTokenUseRecorder(AccessTokenStore tokens) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (http.Items[typeof(AccessTokenCheck)] is AccessTokenCheck { Accepted: true } check)
            await tokens.RecordUseAsync(check.Token!, check.Owner!, $"{http.Request.Method} {http.Request.Path}", http.RequestAborted);
        return await next(context);
    }
}

/// <summary>The API's authorization policies: a token with the scope, held by someone with a portal role.</summary>
public static class ApiPolicies
{
    public const string Read = "api-read";
    public const string Operate = "api-operate";
    public const string Approve = "api-approve";

    internal static AuthorizationBuilder AddApiPolicies(this AuthorizationBuilder builder) => builder
        .AddPolicy(Read, Scoped(AccessTokenScopes.Read))
        .AddPolicy(Operate, Scoped(AccessTokenScopes.Operate))
        .AddPolicy(Approve, Scoped(AccessTokenScopes.Approve));

    private static AuthorizationPolicy Scoped(string scope) => new AuthorizationPolicyBuilder(AccessTokenHandler.SchemeName)
        .RequireAuthenticatedUser()
        .RequireClaim(AccessTokenHandler.ScopeClaim, scope)
        .RequireRole(TeamRole.All)
        .Build();
}

/// <summary>Marks the API's endpoints: their refusals are problem details, never a redirect to sign-in.</summary>
internal sealed class ApiEndpointMetadata;

/// <summary>Answers a token without the endpoint's scope with the <c>wrong-scope</c> problem; elsewhere the default.</summary>
internal sealed class ApiAuthorizationResultHandler : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler fallback = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<ApiEndpointMetadata>() is null || authorizeResult.Succeeded)
        {
            await fallback.HandleAsync(next, context, policy, authorizeResult);
            return;
        }

        if (authorizeResult.Challenged)
        {
            await context.ChallengeAsync(AccessTokenHandler.SchemeName);
            return;
        }

        var failed = authorizeResult.AuthorizationFailure?.FailedRequirements ?? [];
        if (failed.OfType<ClaimsAuthorizationRequirement>().FirstOrDefault(r => r.ClaimType == AccessTokenHandler.ScopeClaim) is { } scope)
        {
            var held = context.User.FindAll(AccessTokenHandler.ScopeClaim).Select(c => c.Value).ToList();
            await ApiProblems.For(ApiProblems.WrongScope,
                    $"This needs a token with the '{string.Join(", ", scope.AllowedValues ?? [])}' scope; this one has {(held.Count == 0 ? "none" : string.Join(", ", held))}.")
                .ExecuteAsync(context);
            return;
        }

        await ApiProblems.For(Engine.Refusals.RoleRequired, "The token's owner has no role in the portal.").ExecuteAsync(context);
    }
}
