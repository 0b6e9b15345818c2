namespace KafkaMigrationPortal.Engine.Storage;

/// <summary>
/// Something the portal needs at start-up is not there (PostgreSQL does not answer). Program prints its message as one
/// line and exits 1, as for a <see cref="PortalConfigurationException"/>; the message never holds a password.
/// </summary>
public sealed class PortalStartupException(string message) : Exception(message);
