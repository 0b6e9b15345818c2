using Confluent.Kafka;

namespace KafkaMigrationPortal.AppClient;

/// <summary>
/// How to reach one Apache Kafka on Heroku add-on, read from the config vars its attachment defines:
/// <c>&lt;NAME&gt;_URL</c>, <c>_TRUSTED_CERT</c>, <c>_CLIENT_CERT</c>, <c>_CLIENT_CERT_KEY</c> and, on multi-tenant
/// plans, <c>_PREFIX</c>, which every topic and consumer-group name on the wire must carry.
/// </summary>
public sealed record HerokuKafkaAttachment
{
    public const string SecureScheme = "kafka+ssl://";
    public const string PlaintextScheme = "kafka://";

    private HerokuKafkaAttachment(string name, string bootstrapServers, bool usesTls, string trustedCert,
        string clientCert, string clientCertKey, string prefix)
    {
        Name = name;
        BootstrapServers = bootstrapServers;
        UsesTls = usesTls;
        TrustedCert = trustedCert;
        ClientCert = clientCert;
        ClientCertKey = clientCertKey;
        Prefix = prefix;
    }

    /// <summary>The attachment name, e.g. <c>KAFKA</c> or <c>OLD_KAFKA</c>.</summary>
    public string Name { get; }

    /// <summary><c>host:port,host:port</c>, the URL list without its scheme.</summary>
    public string BootstrapServers { get; }

    /// <summary>False only for <c>kafka://</c> URLs (the sandbox's plaintext debugging switch).</summary>
    public bool UsesTls { get; }

    public string TrustedCert { get; }
    public string ClientCert { get; }
    public string ClientCertKey { get; }

    /// <summary>Empty on dedicated plans.</summary>
    public string Prefix { get; }

    public string Topic(string name) => Prefix + name;

    public string ConsumerGroup(string name) => Prefix + name;

    /// <summary>The name the app and the data API use: the wire name without this attachment's prefix.</summary>
    public string Unprefixed(string wireName) =>
        Prefix.Length > 0 && wireName.StartsWith(Prefix, StringComparison.Ordinal) ? wireName[Prefix.Length..] : wireName;

    public static HerokuKafkaAttachment FromConfigVars(string attachmentName, IReadOnlyDictionary<string, string> configVars) =>
        TryFromConfigVars(attachmentName, configVars, out var attachment, out var problem)
            ? attachment
            : throw new HerokuKafkaConfigurationException(problem);

    /// <param name="problem">Names the offending config vars, never their values.</param>
    public static bool TryFromConfigVars(string attachmentName, IReadOnlyDictionary<string, string> configVars,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out HerokuKafkaAttachment? attachment,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? problem)
    {
        attachment = null;
        var name = attachmentName.Trim();
        string Var(string suffix) => $"{name}_{suffix}";
        string? Value(string suffix) =>
            configVars.TryGetValue(Var(suffix), out var value) && !string.IsNullOrWhiteSpace(value) ? value : null;

        var url = Value("URL");
        if (url is null)
        {
            problem = $"Config var {Var("URL")} is not set.";
            return false;
        }

        var servers = new List<string>();
        bool? secure = null;
        foreach (var entry in url.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            bool entryIsSecure;
            string hostPort;
            if (entry.StartsWith(SecureScheme, StringComparison.OrdinalIgnoreCase))
                (entryIsSecure, hostPort) = (true, entry[SecureScheme.Length..]);
            else if (entry.StartsWith(PlaintextScheme, StringComparison.OrdinalIgnoreCase))
                (entryIsSecure, hostPort) = (false, entry[PlaintextScheme.Length..]);
            else
            {
                problem = $"Config var {Var("URL")} holds an entry that is neither {SecureScheme} nor {PlaintextScheme}.";
                return false;
            }

            hostPort = hostPort.TrimEnd('/');
            if (secure is not null && secure != entryIsSecure)
            {
                problem = $"Config var {Var("URL")} mixes {SecureScheme} and {PlaintextScheme} entries.";
                return false;
            }
            if (!IsHostAndPort(hostPort))
            {
                problem = $"Config var {Var("URL")} holds an entry without host:port.";
                return false;
            }
            secure = entryIsSecure;
            servers.Add(hostPort);
        }
        if (servers.Count == 0)
        {
            problem = $"Config var {Var("URL")} lists no brokers.";
            return false;
        }

        string trusted = Value("TRUSTED_CERT") ?? "", cert = Value("CLIENT_CERT") ?? "", key = Value("CLIENT_CERT_KEY") ?? "";
        if (secure == true)
        {
            var missing = new[] { "TRUSTED_CERT", "CLIENT_CERT", "CLIENT_CERT_KEY" }.Where(s => Value(s) is null).Select(Var).ToList();
            if (missing.Count > 0)
            {
                problem = $"Config var(s) {string.Join(", ", missing)} not set, but {Var("URL")} asks for TLS.";
                return false;
            }
        }

        attachment = new HerokuKafkaAttachment(name, string.Join(',', servers), secure == true, trusted, cert, key,
            configVars.TryGetValue(Var("PREFIX"), out var prefix) ? prefix.Trim() : "");
        problem = null;
        return true;
    }

    private static bool IsHostAndPort(string hostPort)
    {
        var colon = hostPort.LastIndexOf(':');
        return colon > 0 && int.TryParse(hostPort[(colon + 1)..], out var port) && port is > 0 and <= 65535;
    }

    /// <summary>The connection settings shared by producers, consumers and admin clients.</summary>
    public void ApplyTo(ClientConfig config)
    {
        config.BootstrapServers = BootstrapServers;
        if (!UsesTls)
        {
            config.SecurityProtocol = SecurityProtocol.Plaintext;
            return;
        }
        config.SecurityProtocol = SecurityProtocol.Ssl;
        config.SslCaPem = TrustedCert;
        config.SslCertificatePem = ClientCert;
        config.SslKeyPem = ClientCertKey;
        // Heroku's broker certificates do not name the broker hosts: keep CA verification, skip the host check.
        config.SslEndpointIdentificationAlgorithm = SslEndpointIdentificationAlgorithm.None;
    }

    public ProducerConfig ProducerConfig()
    {
        var config = new ProducerConfig { EnableIdempotence = true, Acks = Acks.All, LingerMs = 5 };
        ApplyTo(config);
        return config;
    }

    /// <param name="consumerGroup">Unprefixed, as the app names it; the prefix is added here.</param>
    public ConsumerConfig ConsumerConfig(string consumerGroup)
    {
        var config = new ConsumerConfig
        {
            GroupId = ConsumerGroup(consumerGroup),
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = true,
            EnableAutoOffsetStore = false,
        };
        ApplyTo(config);
        return config;
    }

    public AdminClientConfig AdminClientConfig()
    {
        var config = new AdminClientConfig();
        ApplyTo(config);
        return config;
    }

    // Records print their properties; certificates and keys must never reach a log.
    public override string ToString() =>
        $"{nameof(HerokuKafkaAttachment)} {{ Name = {Name}, UsesTls = {UsesTls}, Prefix = {Prefix}, Brokers = {BootstrapServers.Split(',').Length} }}";
}

/// <summary>The config vars do not describe a usable Kafka add-on. The message names variables, never values.</summary>
public sealed class HerokuKafkaConfigurationException(string message) : Exception(message);
