using KafkaMigrationPortal.Sandbox.Dynos;
using KafkaMigrationPortal.Sandbox.Kafka;
using KafkaMigrationPortal.Sandbox.Tests.Kafka;
using Microsoft.Extensions.Options;

namespace KafkaMigrationPortal.Sandbox.Tests.Dynos;

/// <summary>
/// An app called <c>mackerel</c> with two Kafka add-ons: a multi-tenant one attached as <c>KAFKA</c> (prefix) and a
/// dedicated one attached as <c>OTHER</c>, each holding the topics <c>orders</c> and <c>payments</c>.
/// </summary>
internal sealed class DynoHarness : IAsyncDisposable
{
    public const string App = "mackerel";
    public const string Prefix = "mackerel-5678.";
    public const int Partitions = 3;
    public static readonly string[] Topics = ["orders", "payments"];

    public DynoHarness(double messagesPerSecond = 100, Microsoft.Extensions.Logging.ILoggerFactory? loggerFactory = null, TimeProvider? time = null,
        bool durableDuplicateFilter = false)
    {
        Clusters = new SandboxKafkaClusters(KafkaTestKit.FastOptions());
        Kafka = Clusters.Create(Guid.NewGuid(), 3);
        Other = Clusters.Create(Guid.NewGuid(), 1);
        foreach (var topic in Topics)
        {
            Kafka.CreateTopic(Prefix + topic, Partitions, 3);
            Other.CreateTopic(topic, Partitions, 1);
        }
        Ledger = new Ledger();
        Supervisor = new DynoSupervisor(Ledger, Options.Create(new DynoOptions
        {
            ProducerMessagesPerSecond = messagesPerSecond,
            ConsumerCommitInterval = TimeSpan.FromMilliseconds(200),
            StopTimeout = TimeSpan.FromSeconds(5),
            DurableDuplicateFilter = durableDuplicateFilter,
        }), loggerFactory, Clusters, time);
    }

    public SandboxKafkaClusters Clusters { get; }
    public SandboxKafkaCluster Kafka { get; }
    public SandboxKafkaCluster Other { get; }
    public Ledger Ledger { get; }
    public DynoSupervisor Supervisor { get; }

    public Dictionary<string, string> Vars(string producerAddons = "KAFKA", string consumerAddon = "KAFKA", string consumerGroup = "workers")
    {
        var vars = KafkaTestKit.AttachmentVars("KAFKA", Kafka, Prefix);
        foreach (var (name, value) in KafkaTestKit.AttachmentVars("OTHER", Other)) vars[name] = value;
        vars["PRODUCER_ADDON_NAMES"] = producerAddons;
        vars["CONSUMER_ADDON_NAME"] = consumerAddon;
        vars[SandboxAppVars.Topics] = string.Join(',', Topics);
        vars[SandboxAppVars.ConsumerGroup] = consumerGroup;
        return vars;
    }

    public Task Run(int producers, int consumers, IReadOnlyDictionary<string, string> vars, int release) =>
        Supervisor.ReconcileAsync(App,
        [
            new DynoSpec(App, "web", 1, vars, release),
            new DynoSpec(App, "producer", producers, vars, release),
            new DynoSpec(App, "consumer", consumers, vars, release),
        ]);

    public long Written(SandboxKafkaCluster cluster) =>
        Topics.Sum(topic => KafkaTestKit.MessagesWritten(cluster, (cluster == Kafka ? Prefix : "") + topic, Partitions));

    public LedgerReport Report() => Ledger.Report(App, maxMissingIds: int.MaxValue);

    public static int Sum(LedgerReport report, Func<LedgerTopicReport, int> field) => report.Topics.Sum(field);

    /// <summary>One group's counts summed over the topics; zeros for a group that received nothing.</summary>
    public static LedgerGroupReport Group(LedgerReport report, string consumerGroup) =>
        report.Topics.SelectMany(t => t.Groups).Where(g => g.ConsumerGroup == consumerGroup)
            .Aggregate(new LedgerGroupReport(consumerGroup, 0, 0, 0, 0, 0, 0), (sum, g) => new LedgerGroupReport(consumerGroup,
                sum.Deliveries + g.Deliveries, sum.Consumed + g.Consumed, sum.Duplicates + g.Duplicates,
                sum.DuplicateDeliveries + g.DuplicateDeliveries, sum.HandledAgain + g.HandledAgain, sum.RepeatedHandlings + g.RepeatedHandlings));

    public async ValueTask DisposeAsync()
    {
        await Supervisor.DisposeAsync();
        Clusters.Dispose();
    }
}
