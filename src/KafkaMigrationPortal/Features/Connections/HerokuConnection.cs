using KafkaMigrationPortal.Heroku;

namespace KafkaMigrationPortal.Features.Connections;

public enum HerokuConnectionMode
{
    /// <summary>The real Heroku, with the credential in <c>HEROKU_API_KEY</c>.</summary>
    Heroku,

    /// <summary>A simulated Heroku: in-process when no credential is configured, or a standalone one on this machine.</summary>
    Sandbox,
}

/// <summary>How this portal reaches Heroku, decided once at start-up.</summary>
/// <param name="Credential">The credential the portal acts with until per-user sign-in exists.</param>
public sealed record HerokuConnection(HerokuConnectionMode Mode, IHerokuCredential Credential)
{
    public const string ApiKeyVariable = "HEROKU_API_KEY";

    public bool IsSandbox => Mode == HerokuConnectionMode.Sandbox;
}
