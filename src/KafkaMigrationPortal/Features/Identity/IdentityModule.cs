using System.Security.Claims;
using KafkaMigrationPortal.Features.Connections;
using KafkaMigrationPortal.Features.Jobs;
using KafkaMigrationPortal.Features.Security;
using KafkaMigrationPortal.Heroku;
using KafkaMigrationPortal.Heroku.Platform;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OAuth;
using Microsoft.AspNetCore.Authorization;
using KafkaMigrationPortal.Engine.Audit;
using KafkaMigrationPortal.Engine.Execution;
using KafkaMigrationPortal.Engine.Storage;

namespace KafkaMigrationPortal.Features.Identity;

public static class IdentityModule
{
    public const string HerokuScheme = "Heroku";
    public const string SignInPath = "/signin";
    public const string SignOutPath = "/auth/signout";
    public const string ChallengePath = "/auth/challenge";
    private const string SandboxSignInClient = "sandbox-sign-in";
    // Kept in the OAuth state (the handler protects Items, not Parameters), so the callback knows what was asked for.
    private const string AskedScopeItem = "kmp.scope";
    private const string LoginHintItem = "kmp.login-hint";

    /// <summary>
    /// Users, roles and their encrypted Heroku grants for both roles (a worker acts with the grant of a run's
    /// starter); sign-in, sessions and authorization for the web role only.
    /// </summary>
    public static SignInSettings AddPortalIdentity(this IHostApplicationBuilder builder, HerokuConnection connection, PortalRole role)
    {
        var settings = SignInSettings.From(builder.Configuration, connection);
        var allowList = SignInAllowList.From(builder.Configuration) with { FirstSignInIsAdmin = !SignsInRealHerokuAccounts(settings) };
        if (role == PortalRole.Web && SignsInRealHerokuAccounts(settings) && !allowList.IsConfigured)
        {
            throw new PortalConfigurationException(
                $"Heroku sign-in is on but nobody is allow-listed: set {SignInAllowList.TeamsKey} (Heroku team names) and/or {SignInAllowList.EmailsKey} (addresses or @domains), and {SignInAllowList.AdminsKey} for the first admins");
        }

        var services = builder.Services;
        services.AddSingleton(settings);
        services.AddSingleton(allowList);
        services.AddSingleton<SignInGate>();
        DatabaseKeyRing.AddTo(services);
        services.AddSingleton<IRunCredentialResolver, StarterCredentialResolver>();
        services.AddSingleton<HerokuTokenVault>();
        services.AddSingleton<UserDirectory>();
        services.AddSingleton<PortalMembers>();
        services.AddSingleton<AppAccess>();
        services.AddSingleton<HerokuOAuthAddresses>();
        services.AddSingleton<HerokuTokenRefresher>();
        services.AddSingleton<UserCredentials>();
        services.AddHttpClient(nameof(HerokuTokenRefresher));
        services.AddHttpClient(SandboxSignInClient).ConfigurePrimaryHttpMessageHandler(() => new HttpClientHandler { AllowAutoRedirect = false });
        if (role == PortalRole.Worker)
        {
            return settings;
        }

        if (settings.Mode == SignInMode.SingleOperator)
        {
            SingleOperatorReach.EnsureOnlyThisMachine(builder.Configuration);
        }

        var cookieSecurity = WebExposure.From(builder.Configuration, builder.Environment).CookieSecurity;
        services.AddSingleton<LocalOperatorAccount>();
        services.AddTransient<IClaimsTransformation, RolesFromDirectory>();
        services.AddCascadingAuthenticationState();

        var authentication = services.AddAuthentication(options =>
        {
            options.DefaultScheme = settings.Mode == SignInMode.SingleOperator ? LocalOperatorHandler.SchemeName : CookieAuthenticationDefaults.AuthenticationScheme;
            options.DefaultChallengeScheme = options.DefaultScheme;
        });

        if (settings.Mode == SignInMode.SingleOperator)
        {
            authentication.AddScheme<AuthenticationSchemeOptions, LocalOperatorHandler>(LocalOperatorHandler.SchemeName, _ => { });
        }
        else
        {
            authentication
                .AddCookie(options =>
                {
                    options.LoginPath = SignInPath;
                    options.AccessDeniedPath = "/access-denied";
                    options.Cookie.Name = "kmp.session";
                    options.Cookie.HttpOnly = true;
                    options.Cookie.SameSite = SameSiteMode.Lax;
                    options.Cookie.SecurePolicy = cookieSecurity;
                    options.ExpireTimeSpan = TimeSpan.FromHours(8);
                    options.SlidingExpiration = true;
                    options.Events.OnValidatePrincipal = async context =>
                    {
                        // A removed or revoked account's cookie stops working at once, rather than at its expiry.
                        var user = context.Principal?.UserId() is { } id
                            ? await context.HttpContext.RequestServices.GetRequiredService<UserDirectory>().FindAsync(id, context.HttpContext.RequestAborted)
                            : null;
                        if (user is null || user.AccessRevokedAt is not null)
                        {
                            context.RejectPrincipal();
                            await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
                        }
                    };
                })
                .AddOAuth(HerokuScheme, options =>
                {
                    options.ClientId = settings.ClientId!;
                    options.ClientSecret = settings.ClientSecret!;
                    // Real endpoints are set per request below: the embedded sandbox's are known only once it runs.
                    options.AuthorizationEndpoint = "https://id.heroku.com/oauth/authorize";
                    options.TokenEndpoint = "https://id.heroku.com/oauth/token";
                    options.CallbackPath = "/signin-heroku";
                    options.Scope.Add(settings.Scope);
                    options.SaveTokens = false;
                    // Lax: the callback is a top-level GET from id.heroku.com.
                    options.CorrelationCookie.SameSite = SameSiteMode.Lax;
                    options.CorrelationCookie.SecurePolicy = cookieSecurity;
                    options.Events.OnRedirectToAuthorizationEndpoint = context =>
                    {
                        var endpoints = context.HttpContext.RequestServices.GetRequiredService<HerokuOAuthAddresses>();
                        var query = new Uri(context.RedirectUri).Query;
                        // Granting a wider scope is for the person already signed in: the sandbox skips its user picker.
                        if (context.Properties.Items.TryGetValue(LoginHintItem, out var hint) && hint is not null)
                            query += "&login_hint=" + Uri.EscapeDataString(hint);
                        context.Response.Redirect(endpoints.Authorization + query);
                        return Task.CompletedTask;
                    };
                    options.Events.OnCreatingTicket = OnSignedInAsync;
                    options.Events.OnRemoteFailure = context =>
                    {
                        context.Response.Redirect(SignInPath + (context.Failure is SignInRefusedException ? "?refused=true" : "?failed=true"));
                        context.HandleResponse();
                        return Task.CompletedTask;
                    };
                });
            services.AddOptions<OAuthOptions>(HerokuScheme).PostConfigure<HerokuOAuthAddresses>((options, endpoints) =>
                options.Backchannel = new HttpClient(new TokenEndpointRedirect(endpoints) { InnerHandler = new HttpClientHandler() }));
        }

        services.AddAuthorizationBuilder()
            .AddPolicy(PortalPolicies.CanView, p => p.RequireAuthenticatedUser().RequireRole(TeamRole.All))
            .AddPolicy(PortalPolicies.Admin, p => p.RequireRole(TeamRole.Admin))
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().RequireRole(TeamRole.All).Build());
        return settings;
    }

    /// <summary>Sign-in and sign-out endpoints; the sign-out takes a POST with an anti-forgery token.</summary>
    public static IEndpointRouteBuilder MapPortalIdentity(this IEndpointRouteBuilder endpoints)
    {
        if (endpoints.ServiceProvider.GetRequiredService<SignInSettings>().UsesEmbeddedSandbox)
        {
            endpoints.MapMethods(HerokuOAuthAddresses.SandboxSignInPath, [HttpMethods.Get, HttpMethods.Post], ForwardToSandboxSignInAsync)
                .AllowAnonymous()
                .DisableAntiforgery();
        }

        endpoints.MapGet(ChallengePath, (HttpContext context, SignInSettings settings, string? returnUrl, string? scope) =>
            {
                scope ??= settings.Scope;
                if (!HerokuScopes.Requestable.Contains(scope, StringComparer.Ordinal))
                    return Results.BadRequest($"scope must be one of {string.Join(", ", HerokuScopes.Requestable)}.");
                // Never less than sign-in itself asks for (admission may read teams).
                var asked = HerokuScopes.Broader(scope, settings.Scope);
                var properties = new OAuthChallengeProperties { RedirectUri = ReturnUrls.LocalOnly(returnUrl) };
                properties.SetScope(asked);
                properties.Items[AskedScopeItem] = asked;
                if (context.User.FindFirstValue(ClaimTypes.Email) is { } email) properties.Items[LoginHintItem] = email;
                return Results.Challenge(properties, [HerokuScheme]);
            })
            .AllowAnonymous();
        endpoints.MapPost(SignOutPath, async (HttpContext context, IAntiforgery antiforgery) =>
            {
                if (!await antiforgery.IsRequestValidAsync(context))
                {
                    return Results.BadRequest("The sign-out form has expired: reload the page and try again.");
                }

                await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
                return Results.Redirect(SignInPath + "?signedOut=true");
            })
            .RequireAuthorization() // signed in, with or without a role: a person whose roles were all removed can still leave
            .DisableAntiforgery();
        return endpoints;
    }

    /// <summary>Sign-in through id.heroku.com (not the sandbox's stand-in): anyone with a Heroku account could try it.</summary>
    private static bool SignsInRealHerokuAccounts(SignInSettings settings) =>
        settings.Mode == SignInMode.HerokuOAuth && settings.AuthorizationEndpoint is { IsLoopback: false };

    private static async Task OnSignedInAsync(OAuthCreatingTicketContext context)
    {
        var services = context.HttpContext.RequestServices;
        var account = await services.GetRequiredService<IHerokuClientFactory>()
            .Platform(new StaticTokenCredential(context.AccessToken!, "sign-in"))
            .GetAccountAsync(context.HttpContext.RequestAborted);
        var verdict = await services.GetRequiredService<SignInGate>().DecideAsync(account.Email, context.AccessToken!, context.HttpContext.RequestAborted);
        if (!verdict.Allowed)
        {
            await services.GetRequiredService<AuditLog>().AppendAsync(
                new AuditRecord(account.Email, "user.sign-in-refused", $"{account.Email} was refused at sign-in: {verdict.Reason}"), context.HttpContext.RequestAborted);
            throw new SignInRefusedException(verdict.Reason);
        }

        var asked = context.Properties.Items.TryGetValue(AskedScopeItem, out var scope) && scope is not null
            ? scope
            : services.GetRequiredService<SignInSettings>().Scope;
        var expiresAt = context.ExpiresIn is { } lifetime ? services.GetRequiredService<TimeProvider>().GetUtcNow() + lifetime : (DateTimeOffset?)null;
        var tokens = new HerokuTokens(context.AccessToken!, context.RefreshToken, expiresAt, asked);
        var users = services.GetRequiredService<UserDirectory>();
        var user = await users.RecordSignInAsync(
            new HerokuIdentity(account.Id, account.Email, account.Name),
            await StoredGrantStillWiderAsync(services, account, asked, context.HttpContext.RequestAborted) ? null : tokens,
            context.HttpContext.RequestAborted);

        context.Identity!.AddClaims(
        [
            new Claim(ClaimTypes.NameIdentifier, user.Id.ToString()),
            new Claim(ClaimTypes.Email, user.Email),
            new Claim(ClaimTypes.Name, user.Name ?? user.Email),
        ]);
    }

    /// <summary>
    /// A plain sign-in asks for a narrow scope; it must not replace a wider grant the person gave earlier, which their
    /// runs act with, as long as that grant still works for the same account.
    /// </summary>
    private static async Task<bool> StoredGrantStillWiderAsync(IServiceProvider services, HerokuAccount account, string asked, CancellationToken ct)
    {
        if (await services.GetRequiredService<UserDirectory>().FindByHerokuIdAsync(account.Id, ct) is not { ProtectedAccessToken: not null } user
            || HerokuScopes.Covers(asked, user.EffectiveGrantedScope()))
            return false;
        try
        {
            var stored = services.GetRequiredService<UserCredentials>().For(user.Id, user.Email);
            return (await services.GetRequiredService<IHerokuClientFactory>().Platform(stored).GetAccountAsync(ct)).Id == account.Id;
        }
        catch (Exception e) when (e is HerokuApiException or InvalidOperationException or HttpRequestException)
        {
            return false;
        }
    }

    /// <summary>The embedded sandbox's sign-in page (its form posts back to the same address), served under the portal's origin.</summary>
    private static async Task ForwardToSandboxSignInAsync(HttpContext context, HerokuOAuthAddresses addresses, IHttpClientFactory http)
    {
        using var request = new HttpRequestMessage(new HttpMethod(context.Request.Method), addresses.SandboxAuthorization + context.Request.QueryString.ToString());
        if (HttpMethods.IsPost(context.Request.Method))
        {
            request.Content = new StreamContent(context.Request.Body);
            if (context.Request.ContentType is { } contentType) request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }

        using var response = await http.CreateClient(SandboxSignInClient).SendAsync(request, context.RequestAborted);
        context.Response.StatusCode = (int)response.StatusCode;
        if (response.Headers.Location is { } location) context.Response.Headers.Location = location.ToString();
        if (response.Content.Headers.ContentType is { } type) context.Response.ContentType = type.ToString();
        await response.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
    }

    /// <summary>Sends the OAuth handler's token request to the configured (or embedded sandbox's) token endpoint.</summary>
    private sealed class TokenEndpointRedirect(HerokuOAuthAddresses endpoints) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.RequestUri = endpoints.Token;
            return base.SendAsync(request, cancellationToken);
        }
    }
}
