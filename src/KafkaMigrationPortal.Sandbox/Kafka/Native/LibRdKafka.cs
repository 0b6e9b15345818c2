using System.Reflection;
using System.Runtime.InteropServices;

namespace KafkaMigrationPortal.Sandbox.Kafka.Native;

/// <summary>
/// The few exported librdkafka functions the sandbox needs beyond Confluent.Kafka: the mock cluster API.
/// Only calls verified against the mock are declared here (see kafka-test-broker.md).
/// </summary>
internal static partial class LibRdKafka
{
    private const string LibraryName = "librdkafka";

    public const int ProducerHandleType = 0;
    public const int NoError = 0;

    static LibRdKafka() => NativeLibrary.SetDllImportResolver(typeof(LibRdKafka).Assembly, ResolveSameCopyAsConfluent);

    /// <summary>
    /// Debian 12 lacks libsasl2.so.3, which the plain build needs, so (like Confluent.Kafka) fall back to the
    /// centos8 build beside it. Resolving the same files keeps a single copy of the library in the process,
    /// so handles and clusters are shared with Confluent.Kafka's clients.
    /// </summary>
    private static IntPtr ResolveSameCopyAsConfluent(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (name != LibraryName) return IntPtr.Zero;

        // Let Confluent.Kafka pick and load its copy first; dlopen of the same file then returns the same handle.
        try { Confluent.Kafka.Library.Load(); } catch (Exception) { /* fall through to our own probing */ }

        foreach (var candidate in CandidatePaths())
            if (NativeLibrary.TryLoad(candidate, out var handle)) return handle;
        return IntPtr.Zero;
    }

    private static IEnumerable<string> CandidatePaths()
    {
        var nativeFolders = new[]
        {
            Path.Combine(AppContext.BaseDirectory, "runtimes", RuntimeFolder(), "native"),
            AppContext.BaseDirectory,
        };
        string[] fileNames = OperatingSystem.IsLinux()
            ? ["librdkafka.so", "centos8-librdkafka.so", "alpine-librdkafka.so"]
            : OperatingSystem.IsMacOS() ? ["librdkafka.dylib"] : ["librdkafka.dll"];
        foreach (var folder in nativeFolders)
        foreach (var file in fileNames)
        {
            var path = Path.Combine(folder, file);
            if (File.Exists(path)) yield return path;
        }
    }

    private static string RuntimeFolder()
    {
        var os = OperatingSystem.IsLinux() ? "linux" : OperatingSystem.IsMacOS() ? "osx" : "win";
        var arch = RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.Arm64 => "arm64",
            Architecture.X86 => "x86",
            _ => "x64",
        };
        return $"{os}-{arch}";
    }

    [LibraryImport(LibraryName)]
    public static partial IntPtr rd_kafka_conf_new();

    [LibraryImport(LibraryName, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int rd_kafka_conf_set(IntPtr conf, string name, string value, byte[] errstr, nuint errstrSize);

    [LibraryImport(LibraryName)]
    public static partial void rd_kafka_conf_destroy(IntPtr conf);

    /// <summary>Takes ownership of <paramref name="conf"/> on success only.</summary>
    [LibraryImport(LibraryName)]
    public static partial IntPtr rd_kafka_new(int type, IntPtr conf, byte[] errstr, nuint errstrSize);

    [LibraryImport(LibraryName)]
    public static partial void rd_kafka_destroy(IntPtr handle);

    [LibraryImport(LibraryName)]
    public static partial IntPtr rd_kafka_mock_cluster_new(IntPtr handle, int brokerCount);

    [LibraryImport(LibraryName)]
    public static partial void rd_kafka_mock_cluster_destroy(IntPtr cluster);

    [LibraryImport(LibraryName)]
    public static partial IntPtr rd_kafka_mock_cluster_bootstraps(IntPtr cluster);

    [LibraryImport(LibraryName, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int rd_kafka_mock_topic_create(IntPtr cluster, string topic, int partitionCount, int replicationFactor);

    [LibraryImport(LibraryName, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int rd_kafka_mock_broker_set_host_port(IntPtr cluster, int brokerId, string host, int port);

    [LibraryImport(LibraryName, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int rd_kafka_mock_partition_delete_records(IntPtr cluster, string topic, int partition, long beforeOffset);

    [LibraryImport(LibraryName)]
    public static partial void rd_kafka_mock_group_initial_rebalance_delay_ms(IntPtr cluster, int delayMs);

    [LibraryImport(LibraryName)]
    public static partial int rd_kafka_mock_broker_set_rtt(IntPtr cluster, int brokerId, int rttMs);

    [LibraryImport(LibraryName)]
    public static partial IntPtr rd_kafka_err2str(int errorCode);

    public static string ErrorText(int errorCode) =>
        Marshal.PtrToStringUTF8(rd_kafka_err2str(errorCode)) ?? $"error {errorCode}";
}
