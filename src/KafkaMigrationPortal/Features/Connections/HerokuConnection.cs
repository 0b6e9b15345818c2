using KafkaMigrationPortal.Heroku;

namespace KafkaMigrationPortal.Features.Connections;

/// <summary><c>PORTAL_MODE</c>: which Heroku the portal talks to.</summary>
public enum HerokuConnectionMode
{
    /// <summary>The real Heroku.</summary>
    Heroku,

    /// <summary>A simulated Heroku: in-process when no credential is configured, or a standalone one on this machine.</summary>
    Sandbox,
}

/// <summary>How this portal reaches Heroku, decided once at start-up (<see cref="PortalMode.Decide"/>).</summary>
/// <param name="Credential">What the portal acts with when a run has no starter's grant: <c>HEROKU_API_KEY</c>, the
/// embedded sandbox's first user, or <see cref="NoPortalCredential"/> when everyone signs in with Heroku.</param>
public sealed record HerokuConnection(HerokuConnectionMode Mode, IHerokuCredential Credential)
{
    public const string ApiKeyVariable = "HEROKU_API_KEY";

    public bool IsSandbox => Mode == HerokuConnectionMode.Sandbox;

    /// <summary>The sandbox runs inside this process; its addresses are known once it has started.</summary>
    public bool EmbedsSandbox { get; init; }

    public bool HasOwnCredential => Credential is not NoPortalCredential;
}

/// <summary>
/// Heroku sign-in without <c>HEROKU_API_KEY</c>: the portal has no Heroku identity of its own, and every run acts with
/// the grant of whoever started it.
/// </summary>
public sealed class NoPortalCredential : IHerokuCredential
{
    public string Description => $"no credential of the portal's own ({HerokuConnection.ApiKeyVariable} unset)";

    public ValueTask<string> GetAccessTokenAsync(CancellationToken cancellationToken) =>
        throw new InvalidOperationException(
            $"The portal has no Heroku credential of its own ({HerokuConnection.ApiKeyVariable} is unset): runs act with the Heroku grant of whoever starts them.");
}
