namespace KafkaMigrationPortal.Sandbox.Kafka;

/// <summary>
/// The Kafka clusters behind the sandbox's Kafka add-ons: one librdkafka mock cluster per add-on,
/// reached through a TLS front that demands client certificates, as on Heroku.
/// </summary>
public interface ISandboxKafkaClusters
{
    /// <summary>Starts a cluster for a new add-on. Idempotent per add-on id.</summary>
    ISandboxKafkaCluster Create(Guid addonId, int brokerCount);

    ISandboxKafkaCluster? Find(Guid addonId);

    /// <summary>Stops and forgets the add-on's cluster; its data is gone. Idempotent.</summary>
    void Destroy(Guid addonId);
}

public interface ISandboxKafkaCluster
{
    Guid AddonId { get; }

    /// <summary>What Heroku puts in the attachment's config vars (URL, TRUSTED_CERT, CLIENT_CERT, CLIENT_CERT_KEY).</summary>
    SandboxKafkaCredentials Credentials { get; }

    /// <summary>
    /// Plaintext bootstrap servers of the mock brokers themselves, for debugging only. With the TLS front on, the
    /// brokers advertise the front ports, so plaintext clients get no further than metadata; use
    /// <c>SandboxKafkaCluster.ApplyClientSettings</c> for a working client.
    /// </summary>
    string PlaintextBootstrapServers { get; }

    /// <summary>Creates the topic on the brokers. The name is the full name as clients see it (prefix included).</summary>
    void CreateTopic(string name, int partitions, int replicationFactor);

    /// <summary>Records older than this are deleted by the retention sweeper.</summary>
    void SetRetention(string name, TimeSpan retention);

    /// <summary>The plan's produce quota, enforced at the TLS front (null: none, as on dedicated plans).</summary>
    long? ProduceQuotaBytesPerSecond { get; set; }
}

/// <param name="Url">Comma-separated <c>kafka+ssl://host:port</c> list, as in <c>KAFKA_URL</c>.</param>
public sealed record SandboxKafkaCredentials(string Url, string TrustedCert, string ClientCert, string ClientCertKey);
