using System.Security.Cryptography.X509Certificates;
using System.Text;
using Confluent.Kafka;
using KafkaMigrationPortal.AppClient;
using KafkaMigrationPortal.Sandbox.Kafka;
using Microsoft.Extensions.Time.Testing;

namespace KafkaMigrationPortal.Sandbox.Tests.Kafka;

/// <summary>The brokers are reached as on Heroku: TLS, client certificate required, certificate not matching the host.</summary>
public sealed class TlsFrontTests(SandboxKafkaClustersFixture fixture) : IClassFixture<SandboxKafkaClustersFixture>
{
    private static readonly TimeSpan NoAnswerWithin = TimeSpan.FromSeconds(4);

    [Fact]
    public void Credentials_look_like_Herokus_config_vars()
    {
        var cluster = fixture.NewCluster(brokers: 3);

        var urls = cluster.Credentials.Url.Split(',');
        Assert.Equal(3, urls.Length);
        Assert.All(urls, url => Assert.Matches(@"^kafka\+ssl://127\.0\.0\.1:\d+$", url));
        Assert.DoesNotContain(urls, url => cluster.PlaintextBootstrapServers.Contains(url["kafka+ssl://".Length..]));
        Assert.StartsWith("-----BEGIN CERTIFICATE-----", cluster.Credentials.TrustedCert);
        Assert.StartsWith("-----BEGIN CERTIFICATE-----", cluster.Credentials.ClientCert);
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", cluster.Credentials.ClientCertKey);
    }

    [Fact]
    public void Certificates_are_valid_from_five_minutes_before_they_are_made_for_a_year()
    {
        var madeAt = new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

        using var certificates = SandboxCertificates.Create("validity", clock: new FakeTimeProvider(madeAt));

        static (DateTimeOffset From, DateTimeOffset To) Window(X509Certificate2 c) => (new(c.NotBefore), new(c.NotAfter));
        Assert.Equal((madeAt.AddMinutes(-5), madeAt.AddYears(1)), Window(certificates.Server));
        Assert.Equal((madeAt.AddMinutes(-5), madeAt.AddYears(1)), Window(certificates.Client));
        Assert.Equal((madeAt.AddMinutes(-5), madeAt.AddYears(1).AddDays(1)), Window(certificates.Authority));
    }

    [Fact]
    public async Task Client_certificate_and_no_hostname_check_produce_and_consume_through_the_front()
    {
        var cluster = fixture.NewCluster(brokers: 3);
        const string prefix = "tls-test.";
        cluster.CreateTopic(prefix + "orders", partitions: 3, replicationFactor: 3);
        var vars = KafkaTestKit.AttachmentVars("KAFKA", cluster, prefix);

        using (var admin = new AdminClientBuilder(HerokuKafkaAttachment.FromConfigVars("KAFKA", vars).AdminClientConfig())
                   .SetLogHandler((_, _) => { }).Build())
        {
            var metadata = admin.GetMetadata(TimeSpan.FromSeconds(10));
            var advertised = metadata.Brokers.Select(b => $"kafka+ssl://{b.Host}:{b.Port}").Order().ToList();
            Assert.Equal(cluster.Credentials.Url.Split(',').Order().ToList(), advertised);
        }

        using var producer = MultiAddonProducer.FromConfigVars(vars);
        var ids = Enumerable.Range(1, 12).Select(n => $"m-{n}").ToList();
        foreach (var id in ids)
        {
            var reports = await producer.ProduceAsync("orders", id, Encoding.UTF8.GetBytes(id));
            Assert.All(reports, r => Assert.True(r.Delivered, r.Error));
        }
        Assert.Equal(12, KafkaTestKit.MessagesWritten(cluster, prefix + "orders", 3));

        using var consumer = DedupingConsumer.FromConfigVars(vars, "readers", ["orders"]);
        var seen = new HashSet<string>();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (seen.Count < ids.Count && DateTime.UtcNow < deadline)
        {
            var message = consumer.Consume(TimeSpan.FromMilliseconds(200));
            if (message is null) continue;
            Assert.Equal("orders", message.Topic);
            Assert.False(message.IsDuplicate);
            Assert.Equal(message.MessageId, Encoding.UTF8.GetString(message.Value!));
            seen.Add(message.MessageId!);
            consumer.MarkProcessed(message);
        }
        Assert.Equal(ids.Order(), seen.Order());
    }

    [Fact]
    public void Hostname_verification_fails_as_on_Heroku()
    {
        var cluster = fixture.NewCluster(brokers: 1);
        var config = KafkaTestKit.Attachment(cluster).AdminClientConfig();
        config.SslEndpointIdentificationAlgorithm = SslEndpointIdentificationAlgorithm.Https;

        using var admin = new AdminClientBuilder(config).SetLogHandler((_, _) => { }).Build();
        Assert.ThrowsAny<KafkaException>(() => admin.GetMetadata(NoAnswerWithin));
    }

    [Fact]
    public async Task A_client_without_a_certificate_is_refused()
    {
        var cluster = fixture.NewCluster(brokers: 1);
        var config = KafkaTestKit.Attachment(cluster).AdminClientConfig();
        config.SslCertificatePem = null;
        config.SslKeyPem = null;

        using var admin = new AdminClientBuilder(config).SetLogHandler((_, _) => { }).Build();
        Assert.ThrowsAny<KafkaException>(() => admin.GetMetadata(NoAnswerWithin));
        await KafkaTestKit.Poll(() => cluster.RejectedTlsHandshakes, n => n > 0, TimeSpan.FromSeconds(5), "front refused the handshake");
    }

    [Fact]
    public async Task A_certificate_from_another_add_on_is_refused()
    {
        var cluster = fixture.NewCluster(brokers: 1);
        var stranger = fixture.NewCluster(brokers: 1);
        var config = KafkaTestKit.Attachment(cluster).AdminClientConfig();
        config.SslCertificatePem = stranger.Credentials.ClientCert;
        config.SslKeyPem = stranger.Credentials.ClientCertKey;

        using var admin = new AdminClientBuilder(config).SetLogHandler((_, _) => { }).Build();
        Assert.ThrowsAny<KafkaException>(() => admin.GetMetadata(NoAnswerWithin));
        await KafkaTestKit.Poll(() => cluster.RejectedTlsHandshakes, n => n > 0, TimeSpan.FromSeconds(5), "front refused the handshake");
    }

    [Fact]
    public async Task Plaintext_switch_serves_kafka_urls_without_certificates()
    {
        using var clusters = new Sandbox.Kafka.SandboxKafkaClusters(KafkaTestKit.FastOptions(plaintext: true));
        var cluster = clusters.Create(Guid.NewGuid(), 1);
        Assert.StartsWith("kafka://", cluster.Credentials.Url);
        Assert.Equal("", cluster.Credentials.ClientCertKey);

        using var producer = MultiAddonProducer.FromConfigVars(KafkaTestKit.AttachmentVars("KAFKA", cluster));
        var reports = await producer.ProduceAsync("debug", "d-1", [1]);
        Assert.True(reports.Single().Delivered, reports.Single().Error);
    }
}
