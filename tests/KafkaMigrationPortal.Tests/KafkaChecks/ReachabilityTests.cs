using System.Net;
using System.Net.Sockets;
using KafkaMigrationPortal.Engine.KafkaChecks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using static KafkaMigrationPortal.Tests.KafkaChecks.KafkaChecksKit;

namespace KafkaMigrationPortal.Tests.KafkaChecks;

public sealed class ReachabilityTests(KafkaChecksFixture fixture) : IClassFixture<KafkaChecksFixture>
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task A_reachable_cluster_reports_its_brokers()
    {
        var cluster = fixture.NewCluster(brokers: 3);
        cluster.CreateTopic("orders", 1, 1);

        var reachability = (await Inspector().CheckReachableAsync(Attach(cluster))).Require();

        Assert.Equal(new ClusterReachability("KAFKA", 3, 1), reachability);
    }

    [Fact]
    public async Task Brokers_refusing_connections_are_unreachable_within_the_timeout()
    {
        var cluster = fixture.NewCluster(brokers: 1);
        var port = UnusedPort();
        var attachment = Attach(cluster) with { ConfigVars = WithUrl(Attach(cluster), $"kafka+ssl://127.0.0.1:{port}") };

        await AssertUnreachable(attachment, port);
    }

    [Fact]
    public async Task Brokers_that_accept_but_never_answer_are_unreachable_within_the_timeout()
    {
        // What a Private Space looks like from outside is closer to silence than to a refusal.
        var cluster = fixture.NewCluster(brokers: 1);
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var accepted = new List<Socket>();
        using var stop = new CancellationTokenSource();
        var accepting = Task.Run(async () =>
        {
            try { while (true) accepted.Add(await silent.AcceptSocketAsync(stop.Token)); }
            catch (OperationCanceledException) { }
        });
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;
        var attachment = Attach(cluster) with { ConfigVars = WithUrl(Attach(cluster), $"kafka+ssl://127.0.0.1:{port}") };

        try
        {
            await AssertUnreachable(attachment, port);
        }
        finally
        {
            await stop.CancelAsync();
            await accepting;
            foreach (var socket in accepted) socket.Dispose();
        }
    }

    [Fact]
    public async Task Missing_config_vars_are_a_misconfiguration_naming_the_var_not_its_value()
    {
        var cluster = fixture.NewCluster(brokers: 1);
        var vars = new Dictionary<string, string>(Attach(cluster).ConfigVars);
        vars.Remove("KAFKA_CLIENT_CERT_KEY");

        var result = await Inspector().GetWatermarksAsync(new KafkaAttachmentVars("KAFKA", vars), ["orders"]);

        Assert.Equal(KafkaCheckOutcome.Misconfigured, result.Outcome);
        Assert.Contains("KAFKA_CLIENT_CERT_KEY", result.Message);
        Assert.DoesNotContain("BEGIN", result.Message);
    }

    [Fact]
    public void The_module_registers_one_inspector_with_the_configured_options()
    {
        using var provider = new ServiceCollection().AddLogging()
            .AddKafkaChecks(o => o.ConnectTimeout = TimeSpan.FromSeconds(3))
            .BuildServiceProvider();

        var inspector = provider.GetRequiredService<IKafkaInspector>();

        Assert.IsType<KafkaInspector>(inspector);
        Assert.Same(inspector, provider.GetRequiredService<IKafkaInspector>());
        Assert.Equal(TimeSpan.FromSeconds(3),
            provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<KafkaChecksOptions>>().Value.ConnectTimeout);
    }

    [Fact]
    public void Attachment_vars_never_print_their_values()
    {
        var vars = new KafkaAttachmentVars("KAFKA", new Dictionary<string, string> { ["KAFKA_CLIENT_CERT_KEY"] = "-----BEGIN PRIVATE KEY-----" });

        Assert.DoesNotContain("BEGIN", vars.ToString());
    }

    private static async Task AssertUnreachable(KafkaAttachmentVars attachment, int port)
    {
        // No cancellation: the check must give up by itself. The generous bound only turns a hang into a failure;
        // librdkafka measures the connect timeout on the machine's clock, so its duration is not asserted.
        var result = await Inspector(connectTimeout: ConnectTimeout).GetLagAsync(attachment, ["g"], ["orders"])
            .WaitAsync(TimeSpan.FromMinutes(2));

        Assert.Equal(KafkaCheckOutcome.Unreachable, result.Outcome);
        Assert.Contains("could not be reached within 2 s", result.Message);
        Assert.Contains("KAFKA", result.Message);
        Assert.Contains("Private Space", result.Message);
        Assert.DoesNotContain(port.ToString(), result.Message);
        Assert.DoesNotContain("BEGIN", result.Message);
    }

    private static Dictionary<string, string> WithUrl(KafkaAttachmentVars attachment, string url) =>
        new(attachment.ConfigVars) { [$"{attachment.AttachmentName}_URL"] = url };

    private static int UnusedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
