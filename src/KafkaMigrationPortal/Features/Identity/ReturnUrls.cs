using Microsoft.AspNetCore.Http.HttpResults;

namespace KafkaMigrationPortal.Features.Identity;

/// <summary>Where sign-in may send the browser afterwards: only a path of this portal, never another site.</summary>
public static class ReturnUrls
{
    public const string Home = "/";

    /// <summary>
    /// The framework's own local-URL rule (a rooted path, not <c>//</c> or <c>/\</c>, no control characters), and
    /// stricter where browsers or a later decoding could turn a path into another host: no <c>~/</c> virtual paths
    /// (meaningless to a browser), no backslash anywhere, no percent-encoded slash or backslash.
    /// </summary>
    public static string LocalOnly(string? returnUrl) =>
        returnUrl is { Length: > 0 }
        && returnUrl[0] == '/'
        && RedirectHttpResult.IsLocalUrl(returnUrl)
        && !returnUrl.Contains('\\')
        && !returnUrl.Contains("%2f", StringComparison.OrdinalIgnoreCase)
        && !returnUrl.Contains("%5c", StringComparison.OrdinalIgnoreCase)
            ? returnUrl
            : Home;
}
