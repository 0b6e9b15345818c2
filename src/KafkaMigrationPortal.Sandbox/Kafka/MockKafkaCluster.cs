using System.Runtime.InteropServices;
using System.Text;
using KafkaMigrationPortal.Sandbox.Kafka.Native;

namespace KafkaMigrationPortal.Sandbox.Kafka;

/// <summary>
/// One librdkafka mock cluster: real Kafka protocol brokers on loopback TCP ports, owned by a private rd_kafka handle.
/// Not Apache Kafka: no TLS, no retention, no ListOffsets by timestamp (see kafka-test-broker.md).
/// </summary>
public sealed class MockKafkaCluster : IDisposable
{
    private readonly Lock _gate = new();
    private IntPtr _handle;
    private IntPtr _cluster;

    public MockKafkaCluster(int brokerCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(brokerCount, 1);
        BrokerCount = brokerCount;
        _handle = CreateOwnerHandle();
        _cluster = LibRdKafka.rd_kafka_mock_cluster_new(_handle, brokerCount);
        if (_cluster == IntPtr.Zero)
        {
            LibRdKafka.rd_kafka_destroy(_handle);
            _handle = IntPtr.Zero;
            throw new InvalidOperationException("librdkafka could not start a mock cluster.");
        }
        BootstrapServers = Marshal.PtrToStringUTF8(LibRdKafka.rd_kafka_mock_cluster_bootstraps(_cluster))
                           ?? throw new InvalidOperationException("The mock cluster reported no bootstrap servers.");
    }

    public int BrokerCount { get; }

    /// <summary>The brokers' own listeners, <c>127.0.0.1:p1,127.0.0.1:p2,...</c> (plaintext).</summary>
    public string BootstrapServers { get; }

    public void CreateTopic(string name, int partitions, int replicationFactor) =>
        Check(c => LibRdKafka.rd_kafka_mock_topic_create(c, name, partitions, Math.Min(replicationFactor, BrokerCount)),
            $"create topic '{name}'");

    /// <summary>Makes the broker advertise another address in metadata (its listener does not move).</summary>
    public void SetBrokerAdvertisedAddress(int brokerId, string host, int port) =>
        Check(c => LibRdKafka.rd_kafka_mock_broker_set_host_port(c, brokerId, host, port),
            $"advertise broker {brokerId}");

    /// <summary>Delays every answer of the broker by <paramref name="roundTrip"/>, as a distant network would.</summary>
    public void SetBrokerRoundTripTime(int brokerId, TimeSpan roundTrip) =>
        Check(c => LibRdKafka.rd_kafka_mock_broker_set_rtt(c, brokerId, (int)roundTrip.TotalMilliseconds),
            $"set broker {brokerId}'s round-trip time");

    /// <summary>The broker's <c>group.initial.rebalance.delay.ms</c>: how long a new group waits for more members.</summary>
    public void SetGroupInitialRebalanceDelay(TimeSpan delay)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_cluster == IntPtr.Zero, this);
            LibRdKafka.rd_kafka_mock_group_initial_rebalance_delay_ms(_cluster, (int)delay.TotalMilliseconds);
        }
    }

    /// <summary>Removes every record of the partition before <paramref name="beforeOffset"/>, as retention would.</summary>
    public void DeleteRecordsBefore(string topic, int partition, long beforeOffset) =>
        Check(c => LibRdKafka.rd_kafka_mock_partition_delete_records(c, topic, partition, beforeOffset),
            $"delete records of '{topic}' [{partition}] before {beforeOffset}");

    private void Check(Func<IntPtr, int> call, string what)
    {
        int error;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_cluster == IntPtr.Zero, this);
            error = call(_cluster);
        }
        if (error != LibRdKafka.NoError)
            throw new MockKafkaClusterException(error, $"Mock cluster could not {what}: {LibRdKafka.ErrorText(error)}");
    }

    private static IntPtr CreateOwnerHandle()
    {
        var errorText = new byte[512];
        var conf = LibRdKafka.rd_kafka_conf_new();
        // The owner handle never connects anywhere; keep it from logging about that.
        LibRdKafka.rd_kafka_conf_set(conf, "log_level", "3", errorText, (nuint)errorText.Length);
        var handle = LibRdKafka.rd_kafka_new(LibRdKafka.ProducerHandleType, conf, errorText, (nuint)errorText.Length);
        if (handle != IntPtr.Zero) return handle;

        LibRdKafka.rd_kafka_conf_destroy(conf);
        var message = Encoding.UTF8.GetString(errorText).TrimEnd('\0');
        throw new InvalidOperationException($"librdkafka could not create the mock cluster's handle: {message}");
    }

    public void Dispose()
    {
        lock (_gate)
        {
            // Order matters: the cluster belongs to the handle, so it goes first.
            if (_cluster != IntPtr.Zero) LibRdKafka.rd_kafka_mock_cluster_destroy(_cluster);
            if (_handle != IntPtr.Zero) LibRdKafka.rd_kafka_destroy(_handle);
            _cluster = IntPtr.Zero;
            _handle = IntPtr.Zero;
        }
    }
}

public sealed class MockKafkaClusterException(int errorCode, string message) : Exception(message)
{
    /// <summary>librdkafka's <c>rd_kafka_resp_err_t</c>.</summary>
    public int ErrorCode { get; } = errorCode;
}
