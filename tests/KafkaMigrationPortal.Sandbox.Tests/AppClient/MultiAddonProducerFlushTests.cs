using System.Net;
using System.Net.Sockets;
using KafkaMigrationPortal.AppClient;
using Microsoft.Extensions.Time.Testing;

namespace KafkaMigrationPortal.Sandbox.Tests.AppClient;

public sealed class MultiAddonProducerFlushTests
{
    [Fact]
    public void Flush_shares_one_deadline_on_the_injected_clock_over_every_add_on()
    {
        var timeout = TimeSpan.FromMinutes(10);
        // Every reading of this clock moves it on by the whole timeout: the deadline has passed as soon as it is set.
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero)) { AutoAdvanceAmount = timeout };
        var vars = new Dictionary<string, string>
        {
            ["KAFKA_URL"] = $"kafka://127.0.0.1:{UnusedPort()}",
            ["OLD_KAFKA_URL"] = $"kafka://127.0.0.1:{UnusedPort()}",
            ["PRODUCER_ADDON_NAMES"] = "KAFKA,OLD_KAFKA",
        };
        var reports = new List<AddonDeliveryReport>();
        // Nobody listens on those ports, so nothing is acknowledged; a message gives up only after a minute of real time.
        using var producer = MultiAddonProducer.FromConfigVars(vars, config => config.MessageTimeoutMs = 60_000, time: clock);

        producer.Produce("orders", "m-1", [1], report =>
        {
            lock (reports) reports.Add(report);
        });
        var undelivered = producer.Flush(timeout);

        // A flush that measured its deadline on the machine's clock would wait out the message timeout instead, and
        // find both messages failed (0 undelivered, 2 error reports).
        Assert.Equal(2, undelivered);
        lock (reports) Assert.Empty(reports);
    }

    private static int UnusedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
