using System.Net.Http.Headers;

namespace KafkaMigrationPortal.Heroku.Http;

/// <summary>
/// Sets <c>Authorization: Bearer</c> from the credential stamped on the request. Handlers are pooled and outlive DI
/// scopes (and Blazor circuits), so the token is never taken from scoped state, only from the request itself.
/// </summary>
public sealed class HerokuAuthenticationHandler : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (!request.Options.TryGetValue(HerokuRequestOptions.Credential, out var credential))
            throw new InvalidOperationException("No Heroku credential on the request: create clients through IHerokuClientFactory.");
        var token = await credential.GetAccessTokenAsync(cancellationToken);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await base.SendAsync(request, cancellationToken);
    }
}

/// <summary>The versioned Accept header Heroku requires, and a User-Agent naming the portal and its version.</summary>
public sealed class HerokuHeadersHandler(string userAgent) : DelegatingHandler
{
    public const string Accept = "application/vnd.heroku+json; version=3";

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Headers.Accept.Clear();
        request.Headers.TryAddWithoutValidation("Accept", Accept);
        request.Headers.UserAgent.Clear();
        request.Headers.TryAddWithoutValidation("User-Agent", userAgent);
        return base.SendAsync(request, cancellationToken);
    }
}
