using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;

namespace KafkaMigrationPortal.Features.Identity;

/// <summary>
/// The key that encrypts Data Protection's key ring before it reaches the database, derived from
/// <c>PORTAL_KEY_ENCRYPTION_KEY</c>. It is not in the database, so a dump of it reveals no key and hence no token.
/// </summary>
public sealed class KeyRingEncryptionKey
{
    public const string EnvironmentVariable = "PORTAL_KEY_ENCRYPTION_KEY";

    private KeyRingEncryptionKey(byte[] key) => Key = key;

    internal byte[] Key { get; }

    /// <summary>Null when the variable is not set: the key ring is then stored unencrypted (sandbox and development).</summary>
    public static KeyRingEncryptionKey? From(IConfiguration configuration) =>
        configuration[EnvironmentVariable] is { Length: > 0 } secret
            ? new(HKDF.DeriveKey(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(secret), 32, info: "KafkaMigrationPortal.KeyRing.v1"u8.ToArray()))
            : null;
}

/// <summary>AES-256-GCM over a key element's XML; the result names <see cref="KeyRingDecryptor"/>, as Data Protection expects.</summary>
public sealed class KeyRingEncryptor(KeyRingEncryptionKey key) : IXmlEncryptor
{
    internal const int NonceSize = 12, TagSize = 16;

    internal static ReadOnlySpan<byte> AssociatedData => "KafkaMigrationPortal key ring"u8;

    public EncryptedXmlInfo Encrypt(XElement plaintextElement)
    {
        var plaintext = Encoding.UTF8.GetBytes(plaintextElement.ToString(SaveOptions.DisableFormatting));
        var sealedBytes = new byte[NonceSize + TagSize + plaintext.Length];
        var nonce = sealedBytes.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key.Key, TagSize);
        aes.Encrypt(nonce, plaintext, sealedBytes.AsSpan(NonceSize + TagSize), sealedBytes.AsSpan(NonceSize, TagSize), AssociatedData);
        var element = new XElement("encryptedKey",
            new XComment(" Encrypted with a key derived from PORTAL_KEY_ENCRYPTION_KEY (AES-256-GCM). "),
            new XElement("value", Convert.ToBase64String(sealedBytes)));
        return new EncryptedXmlInfo(element, typeof(KeyRingDecryptor));
    }
}

/// <summary>Created by Data Protection's activator (hence the service-provider constructor) to read a key back.</summary>
public sealed class KeyRingDecryptor(IServiceProvider services) : IXmlDecryptor
{
    public XElement Decrypt(XElement encryptedElement)
    {
        var key = services.GetService<KeyRingEncryptionKey>()
            ?? throw new CryptographicException($"The key ring is encrypted but {KeyRingEncryptionKey.EnvironmentVariable} is not set.");
        var sealedBytes = Convert.FromBase64String((string?)encryptedElement.Element("value") ?? throw new CryptographicException("An encrypted key has no value."));
        var plaintext = new byte[sealedBytes.Length - KeyRingEncryptor.NonceSize - KeyRingEncryptor.TagSize];
        using var aes = new AesGcm(key.Key, KeyRingEncryptor.TagSize);
        aes.Decrypt(sealedBytes.AsSpan(0, KeyRingEncryptor.NonceSize), sealedBytes.AsSpan(KeyRingEncryptor.NonceSize + KeyRingEncryptor.TagSize),
            sealedBytes.AsSpan(KeyRingEncryptor.NonceSize, KeyRingEncryptor.TagSize), plaintext, KeyRingEncryptor.AssociatedData);
        return XElement.Parse(Encoding.UTF8.GetString(plaintext));
    }
}
