using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace KafkaMigrationPortal.Sandbox.Kafka;

/// <summary>
/// A throwaway certificate authority for one cluster, made at run time: it signs the brokers' server certificate
/// and the one client certificate that Heroku hands out in <c>_CLIENT_CERT</c> / <c>_CLIENT_CERT_KEY</c>.
/// The server certificate names a host that is not the address clients dial, so, as on Heroku, clients must
/// keep CA verification but turn hostname verification off.
/// </summary>
public sealed class SandboxCertificates : IDisposable
{
    public const string DefaultBrokerHostName = "kafka-sandbox.local";

    private SandboxCertificates(X509Certificate2 authority, X509Certificate2 server, X509Certificate2 client, string clientKeyPem)
    {
        Authority = authority;
        Server = server;
        Client = client;
        ClientKeyPem = clientKeyPem;
    }

    /// <summary>The CA, without its private key once construction is over.</summary>
    public X509Certificate2 Authority { get; }

    /// <summary>The brokers' certificate, with its private key.</summary>
    public X509Certificate2 Server { get; }

    public X509Certificate2 Client { get; }

    public string AuthorityPem => Authority.ExportCertificatePem();
    public string ClientCertificatePem => Client.ExportCertificatePem();
    public string ClientKeyPem { get; }

    /// <param name="clock">Where the validity window (five minutes back, a year ahead) starts. TLS peers check it
    /// against the machine's clock, so only a test of the window itself passes another one.</param>
    public static SandboxCertificates Create(string clusterName, string brokerHostName = DefaultBrokerHostName, TimeProvider? clock = null)
    {
        var now = (clock ?? TimeProvider.System).GetUtcNow();
        var notBefore = now.AddMinutes(-5);
        var notAfter = now.AddYears(1);

        using var authorityKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var authorityRequest = new CertificateRequest($"CN=Sandbox Kafka CA {clusterName}", authorityKey, HashAlgorithmName.SHA256);
        authorityRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        authorityRequest.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        authorityRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(authorityRequest.PublicKey, false));
        using var authorityWithKey = authorityRequest.CreateSelfSigned(notBefore, notAfter.AddDays(1));

        var server = Issue(authorityWithKey, $"CN={brokerHostName}", notBefore, notAfter, isServer: true, brokerHostName);
        var client = Issue(authorityWithKey, $"CN=sandbox-client-{clusterName}", notBefore, notAfter, isServer: false, null);
        var clientKeyPem = client.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem();

        return new SandboxCertificates(X509CertificateLoader.LoadCertificate(authorityWithKey.RawData), server, client, clientKeyPem);
    }

    private static X509Certificate2 Issue(X509Certificate2 authority, string subject, DateTimeOffset notBefore,
        DateTimeOffset notAfter, bool isServer, string? dnsName)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyAgreement, true));
        var purpose = isServer ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2";
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(purpose)], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(authority, true, false));
        if (dnsName is not null)
        {
            var names = new SubjectAlternativeNameBuilder();
            names.AddDnsName(dnsName);
            request.CertificateExtensions.Add(names.Build());
        }

        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        using var issued = request.Create(authority, notBefore, notAfter, serial);
        return issued.CopyWithPrivateKey(key);
    }

    /// <summary>Accepts only a client certificate that chains to this cluster's CA.</summary>
    public bool IsTrustedClient(X509Certificate? presented)
    {
        if (presented is null) return false;
        using var certificate = X509CertificateLoader.LoadCertificate(presented.GetRawCertData());
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(Authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid("1.3.6.1.5.5.7.3.2"));
        return chain.Build(certificate);
    }

    public void Dispose()
    {
        Authority.Dispose();
        Server.Dispose();
        Client.Dispose();
    }
}
