using System.Text;
using Confluent.Kafka;
using KafkaMigrationPortal.AppClient;

namespace KafkaMigrationPortal.Sandbox.Tests.AppClient;

public sealed class HerokuKafkaAttachmentTests
{
    private const string Ca = "-----BEGIN CERTIFICATE-----\nCA-SECRET\n-----END CERTIFICATE-----";
    private const string Cert = "-----BEGIN CERTIFICATE-----\nCERT-SECRET\n-----END CERTIFICATE-----";
    private const string Key = "-----BEGIN PRIVATE KEY-----\nKEY-SECRET\n-----END PRIVATE KEY-----";

    private static Dictionary<string, string> Vars(string name, string url, string? prefix = null, bool certs = true)
    {
        var vars = new Dictionary<string, string> { [$"{name}_URL"] = url };
        if (certs)
        {
            vars[$"{name}_TRUSTED_CERT"] = Ca;
            vars[$"{name}_CLIENT_CERT"] = Cert;
            vars[$"{name}_CLIENT_CERT_KEY"] = Key;
        }
        if (prefix is not null) vars[$"{name}_PREFIX"] = prefix;
        return vars;
    }

    [Fact]
    public void Ssl_url_list_becomes_bootstrap_servers_with_client_certificates_and_no_hostname_check()
    {
        var vars = Vars("OLD_KAFKA", "kafka+ssl://ec2-1.compute.amazonaws.com:9096, kafka+ssl://ec2-2.compute.amazonaws.com:9096/");

        var attachment = HerokuKafkaAttachment.FromConfigVars("OLD_KAFKA", vars);
        var config = attachment.ProducerConfig();

        Assert.Equal("ec2-1.compute.amazonaws.com:9096,ec2-2.compute.amazonaws.com:9096", config.BootstrapServers);
        Assert.Equal(SecurityProtocol.Ssl, config.SecurityProtocol);
        Assert.Equal(SslEndpointIdentificationAlgorithm.None, config.SslEndpointIdentificationAlgorithm);
        Assert.Equal(Ca, config.SslCaPem);
        Assert.Equal(Cert, config.SslCertificatePem);
        Assert.Equal(Key, config.SslKeyPem);
        Assert.Equal("", attachment.Prefix);
    }

    [Fact]
    public void Prefix_applies_to_topics_and_consumer_groups_on_the_wire()
    {
        var attachment = HerokuKafkaAttachment.FromConfigVars("KAFKA", Vars("KAFKA", "kafka+ssl://h:9096", "columbia-123."));

        Assert.Equal("columbia-123.orders", attachment.Topic("orders"));
        Assert.Equal("columbia-123.billing", attachment.ConsumerConfig("billing").GroupId);
        Assert.Equal("orders", attachment.Unprefixed("columbia-123.orders"));
        Assert.Equal("other.orders", attachment.Unprefixed("other.orders"));
    }

    [Fact]
    public void Consumer_config_commits_only_what_was_stored_and_starts_from_earliest()
    {
        var config = HerokuKafkaAttachment.FromConfigVars("KAFKA", Vars("KAFKA", "kafka+ssl://h:9096")).ConsumerConfig("g");

        Assert.False(config.EnableAutoOffsetStore);
        Assert.Equal(AutoOffsetReset.Earliest, config.AutoOffsetReset);
    }

    [Fact]
    public void Plain_kafka_url_is_the_debugging_switch_and_needs_no_certificates()
    {
        var attachment = HerokuKafkaAttachment.FromConfigVars("KAFKA", Vars("KAFKA", "kafka://127.0.0.1:9092", certs: false));

        Assert.False(attachment.UsesTls);
        var config = attachment.AdminClientConfig();
        Assert.Equal(SecurityProtocol.Plaintext, config.SecurityProtocol);
        Assert.Null(config.SslKeyPem);
    }

    [Theory]
    [InlineData(null, "KAFKA_URL is not set")]
    [InlineData("https://h:9096", "neither")]
    [InlineData("kafka+ssl://h:9096,kafka://h:9092", "mixes")]
    [InlineData("kafka+ssl://h", "host:port")]
    [InlineData(" , ", "no brokers")]
    public void Unusable_urls_are_refused_with_the_variable_named(string? url, string expected)
    {
        var vars = url is null ? new Dictionary<string, string>() : Vars("KAFKA", url);

        Assert.False(HerokuKafkaAttachment.TryFromConfigVars("KAFKA", vars, out _, out var problem));
        Assert.Contains(expected, problem);
        var thrown = Assert.Throws<HerokuKafkaConfigurationException>(() => HerokuKafkaAttachment.FromConfigVars("KAFKA", vars));
        Assert.Equal(problem, thrown.Message);
    }

    [Fact]
    public void Missing_certificates_are_named_but_present_secrets_are_never_echoed()
    {
        var vars = Vars("KAFKA", "kafka+ssl://h:9096");
        vars.Remove("KAFKA_CLIENT_CERT_KEY");

        Assert.False(HerokuKafkaAttachment.TryFromConfigVars("KAFKA", vars, out _, out var problem));
        Assert.Contains("KAFKA_CLIENT_CERT_KEY", problem);
        Assert.DoesNotContain("KAFKA_TRUSTED_CERT", problem);
        Assert.DoesNotContain("SECRET", problem);
    }

    [Fact]
    public void Printing_an_attachment_does_not_leak_its_key()
    {
        var attachment = HerokuKafkaAttachment.FromConfigVars("KAFKA", Vars("KAFKA", "kafka+ssl://h:9096"));
        Assert.DoesNotContain("SECRET", attachment.ToString());
        Assert.Contains("KAFKA", attachment.ToString());
    }

    [Theory]
    [InlineData(null, new[] { "KAFKA" })]
    [InlineData("OLD_KAFKA", new[] { "OLD_KAFKA" })]
    [InlineData(" OLD_KAFKA , KAFKA,OLD_KAFKA,", new[] { "OLD_KAFKA", "KAFKA" })]
    [InlineData(" ", new[] { "KAFKA" })]
    public void Producer_addon_names_default_to_KAFKA_and_are_trimmed_and_distinct(string? value, string[] expected)
    {
        var vars = value is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["PRODUCER_ADDON_NAMES"] = value };
        Assert.Equal(expected, KafkaAddonSelection.ProducerAddonNames(vars));
    }

    [Theory]
    [InlineData(null, "KAFKA")]
    [InlineData(" NEW_KAFKA ", "NEW_KAFKA")]
    [InlineData("", "KAFKA")]
    public void Consumer_addon_name_defaults_to_KAFKA(string? value, string expected)
    {
        var vars = value is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["CONSUMER_ADDON_NAME"] = value };
        Assert.Equal(expected, KafkaAddonSelection.ConsumerAddonName(vars));
    }

    [Fact]
    public void Producer_from_config_vars_refuses_an_addon_whose_vars_are_missing()
    {
        var vars = Vars("KAFKA", "kafka+ssl://h:9096");
        vars["PRODUCER_ADDON_NAMES"] = "KAFKA,NEW_KAFKA";

        var thrown = Assert.Throws<HerokuKafkaConfigurationException>(() => MultiAddonProducer.FromConfigVars(vars));
        Assert.Contains("NEW_KAFKA_URL", thrown.Message);
    }

    [Fact]
    public void Message_id_comes_from_the_header_only()
    {
        Assert.Equal("from-header", MessageIds.Read(MessageIds.Headers("from-header")));
        // An app key such as a customer id is shared by many messages: read as an id, it would mark distinct messages as duplicates.
        Assert.Null(MessageIds.Read([new Header("customer", Encoding.UTF8.GetBytes("c-7"))]));
        Assert.Null(MessageIds.Read(null));
    }
}
