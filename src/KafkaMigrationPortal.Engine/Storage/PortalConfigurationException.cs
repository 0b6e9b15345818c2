namespace KafkaMigrationPortal.Engine.Storage;

/// <summary>
/// A setting the portal cannot start with. Program prints its message as one line and exits;
/// the message names the setting and never repeats its value, which may hold a password.
/// </summary>
public sealed class PortalConfigurationException(string message) : Exception(message);
