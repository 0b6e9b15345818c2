using System.Security.Cryptography;
using KafkaMigrationPortal.Sandbox.Http;
using KafkaMigrationPortal.Sandbox.Platform;
using Microsoft.Extensions.Options;

namespace KafkaMigrationPortal.Sandbox.OAuth;

/// <summary>
/// Who a Bearer token belongs to: the seeded users' API keys (scope <c>global</c>) and the access tokens issued by the
/// sandbox's id.heroku.com-like OAuth endpoints, which expire.
/// </summary>
public sealed class SandboxIdentity(IOptions<SandboxOptions> options, TimeProvider? time = null)
{
    private static readonly TimeSpan CodeLifetime = TimeSpan.FromMinutes(5);
    private static readonly string[] KnownScopes = ["global", "identity", "read", "write", "read-protected", "write-protected"];

    private readonly object _gate = new();
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly Dictionary<string, PendingCode> _codes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IssuedToken> _accessTokens = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RefreshGrant> _refreshTokens = new(StringComparer.Ordinal);

    /// <summary>Resolves an <c>Authorization</c> header (<c>Bearer token</c>, or Basic with the token as password).</summary>
    public SandboxCaller Authenticate(string? authorization)
    {
        var token = ExtractToken(authorization) ?? throw SandboxApiException.Unauthorized();
        if (SandboxUsers.All.FirstOrDefault(u => CryptographicOperations.FixedTimeEquals(
                System.Text.Encoding.UTF8.GetBytes(u.ApiToken), System.Text.Encoding.UTF8.GetBytes(token))) is { } user)
        {
            return SandboxCaller.Global(user);
        }

        lock (_gate)
        {
            if (_accessTokens.TryGetValue(token, out var issued) && issued.ExpiresAt > _time.GetUtcNow())
            {
                return new SandboxCaller(issued.User, issued.Scopes);
            }
        }

        throw SandboxApiException.Unauthorized();
    }

    public static bool IsKnownClient(SandboxOptions options, string? clientId) =>
        clientId is not null && options.OAuthClients.ContainsKey(clientId);

    public static IReadOnlySet<string> ParseScopes(string? scope)
    {
        var scopes = (scope ?? "global").Split([' ', ','], StringSplitOptions.RemoveEmptyEntries)
            .Select(s => s.Trim()).ToHashSet(StringComparer.Ordinal);
        if (scopes.Count == 0)
        {
            scopes.Add("global");
        }

        var unknown = scopes.FirstOrDefault(s => !KnownScopes.Contains(s));
        return unknown is null ? scopes : throw SandboxApiException.InvalidParams($"Unknown scope {unknown}.");
    }

    public string IssueCode(string clientId, SandboxUser user, IReadOnlySet<string> scopes, string? redirectUri)
    {
        var code = NewSecret();
        lock (_gate)
        {
            _codes[code] = new PendingCode(clientId, user, scopes, redirectUri, _time.GetUtcNow() + CodeLifetime);
        }

        return code;
    }

    /// <summary>POST /oauth/token with <c>grant_type=authorization_code</c> (single use) or <c>refresh_token</c>.</summary>
    public TokenGrant Exchange(string? grantType, string? code, string? refreshToken, string? clientSecret)
    {
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            switch (grantType)
            {
                case "authorization_code":
                {
                    if (code is null || !_codes.Remove(code, out var pending) || pending.ExpiresAt <= now)
                    {
                        throw SandboxApiException.Unauthorized("Invalid or expired authorization code.");
                    }

                    CheckSecret(pending.ClientId, clientSecret);
                    var refresh = NewSecret();
                    _refreshTokens[refresh] = new RefreshGrant(pending.ClientId, pending.User, pending.Scopes);
                    return IssueLocked(pending.User, pending.Scopes, refresh, now);
                }

                case "refresh_token":
                {
                    if (refreshToken is null || !_refreshTokens.TryGetValue(refreshToken, out var grant))
                    {
                        throw SandboxApiException.Unauthorized("Invalid refresh token.");
                    }

                    CheckSecret(grant.ClientId, clientSecret);
                    return IssueLocked(grant.User, grant.Scopes, refreshToken, now);
                }

                default:
                    throw SandboxApiException.InvalidParams("grant_type must be authorization_code or refresh_token.");
            }
        }
    }

    private TokenGrant IssueLocked(SandboxUser user, IReadOnlySet<string> scopes, string refreshToken, DateTimeOffset now)
    {
        var access = NewSecret();
        var lifetime = options.Value.OAuthAccessTokenLifetime;
        _accessTokens[access] = new IssuedToken(user, scopes, now + lifetime);
        return new TokenGrant(access, refreshToken, (int)Math.Ceiling(lifetime.TotalSeconds), user, scopes, NewSecret());
    }

    private void CheckSecret(string clientId, string? clientSecret)
    {
        if (!options.Value.OAuthClients.TryGetValue(clientId, out var expected) || clientSecret is null
            || !CryptographicOperations.FixedTimeEquals(System.Text.Encoding.UTF8.GetBytes(expected), System.Text.Encoding.UTF8.GetBytes(clientSecret)))
        {
            throw SandboxApiException.Unauthorized("Invalid client secret.");
        }
    }

    private static string? ExtractToken(string? authorization)
    {
        if (string.IsNullOrWhiteSpace(authorization))
        {
            return null;
        }

        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return authorization["Bearer ".Length..].Trim();
        }

        if (authorization.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                var decoded = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(authorization["Basic ".Length..].Trim()));
                var colon = decoded.IndexOf(':');
                return colon >= 0 ? decoded[(colon + 1)..] : null;
            }
            catch (FormatException)
            {
                return null;
            }
        }

        return null;
    }

    private static string NewSecret() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));

    private sealed record PendingCode(string ClientId, SandboxUser User, IReadOnlySet<string> Scopes, string? RedirectUri, DateTimeOffset ExpiresAt);

    private sealed record IssuedToken(SandboxUser User, IReadOnlySet<string> Scopes, DateTimeOffset ExpiresAt);

    private sealed record RefreshGrant(string ClientId, SandboxUser User, IReadOnlySet<string> Scopes);
}

public sealed record TokenGrant(string AccessToken, string RefreshToken, int ExpiresIn, SandboxUser User, IReadOnlySet<string> Scopes, string SessionNonce);
