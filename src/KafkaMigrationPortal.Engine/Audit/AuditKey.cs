using System.Security.Cryptography;
using System.Text;

namespace KafkaMigrationPortal.Engine.Audit;

/// <summary>
/// The secret the audit chain's HMACs are keyed with. It lives outside the database (an environment variable), so
/// whoever can write the database cannot re-seal an edited chain or forge its checkpoint.
/// </summary>
public sealed class AuditKey
{
    public const string EnvironmentVariable = "PORTAL_AUDIT_KEY";

    // Without a configured secret every portal shares this one: the chain then only detects accidental damage.
    private const string UnconfiguredSecret = "KafkaMigrationPortal audit chain: no PORTAL_AUDIT_KEY configured";

    private readonly byte[] key;

    private AuditKey(string secret, bool configured)
    {
        key = HKDF.DeriveKey(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(secret), 32, info: "KafkaMigrationPortal.AuditChain.v1"u8.ToArray());
        Configured = configured;
    }

    /// <summary>False when no secret is configured and the well-known development key is used.</summary>
    public bool Configured { get; }

    public static AuditKey Unconfigured { get; } = new(UnconfiguredSecret, configured: false);

    public static AuditKey FromSecret(string secret) => new(secret, configured: true);

    public static AuditKey From(IConfiguration configuration) =>
        configuration[EnvironmentVariable] is { Length: > 0 } secret ? FromSecret(secret) : Unconfigured;

    internal string Mac(string canonical) => Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(canonical)));
}
