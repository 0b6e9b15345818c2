namespace KafkaMigrationPortal.Heroku.Http;

/// <summary>Per-request values carried in <see cref="HttpRequestMessage.Options"/> from the client to the handlers.</summary>
public static class HerokuRequestOptions
{
    public const string FollowPagesKey = "Heroku.FollowPages";

    /// <summary>The caller's credential; the token itself is fetched from it by the auth handler on every attempt.</summary>
    public static readonly HttpRequestOptionsKey<IHerokuCredential> Credential = new("Heroku.Credential");

    /// <summary>False for calls that want one page only (e.g. the newest releases).</summary>
    public static readonly HttpRequestOptionsKey<bool> FollowPages = new(FollowPagesKey);

    internal static void CopyTo(HttpRequestMessage from, HttpRequestMessage to)
    {
        if (from.Options.TryGetValue(Credential, out var credential)) to.Options.Set(Credential, credential);
        if (from.Options.TryGetValue(FollowPages, out var follow)) to.Options.Set(FollowPages, follow);
    }
}

/// <summary>Outermost handler of a client made for one credential: stamps that credential on every request.</summary>
internal sealed class CredentialStampingHandler(IHerokuCredential credential, HttpMessageHandler inner) : DelegatingHandler(inner)
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Options.Set(HerokuRequestOptions.Credential, credential);
        return base.SendAsync(request, cancellationToken);
    }

    // The inner handler belongs to IHttpClientFactory, which recycles it; disposing it here would break other clients.
    protected override void Dispose(bool disposing) { }
}
