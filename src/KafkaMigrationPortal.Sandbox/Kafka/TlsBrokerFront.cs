using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using Microsoft.Extensions.Logging;

namespace KafkaMigrationPortal.Sandbox.Kafka;

/// <summary>
/// A TLS terminator in front of one mock broker: listens on 127.0.0.1 (port chosen by the OS), demands a client
/// certificate signed by the cluster's CA, and relays bytes to the broker's plaintext listener. Unless told otherwise it
/// forbids topic auto-creation on the way (<see cref="KafkaRequestRewriter"/>), as Heroku does.
/// </summary>
public sealed class TlsBrokerFront : IDisposable
{
    private static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(10);

    // Kafka's own socket.request.max.bytes.
    private const int MaxRequestBytes = 100 * 1024 * 1024;

    private const short ProduceApiKey = 0;

    private readonly bool _refuseTopicAutoCreation;
    private readonly ProduceThrottle? _throttle;
    private readonly TimeProvider _time;

    private readonly TcpListener _listener;
    private readonly DnsEndPoint _broker;
    private readonly SandboxCertificates _certificates;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly HashSet<TcpClient> _connections = [];
    private readonly Lock _connectionsGate = new();
    private readonly Task _acceptLoop;

    public TlsBrokerFront(DnsEndPoint broker, SandboxCertificates certificates, ILogger logger, bool refuseTopicAutoCreation = true,
        ProduceThrottle? throttle = null, TimeProvider? time = null)
    {
        _refuseTopicAutoCreation = refuseTopicAutoCreation;
        _throttle = throttle;
        _time = time ?? TimeProvider.System;
        _broker = broker;
        _certificates = certificates;
        _logger = logger;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    public int Port { get; }

    /// <summary>Connections whose client certificate was refused, for tests and diagnostics.</summary>
    public int RejectedHandshakes => _rejectedHandshakes;
    private int _rejectedHandshakes;

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stopping.Token);
            }
            catch (Exception) when (_stopping.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException exception)
            {
                _logger.LogDebug(exception, "TLS front on port {Port}: accept failed", Port);
                continue;
            }
            _ = Task.Run(() => RelayAsync(client));
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        lock (_connectionsGate) _connections.Add(client);
        using var upstream = new TcpClient();
        try
        {
            client.NoDelay = true;
            await using var tls = new SslStream(client.GetStream(), leaveInnerStreamOpen: false,
                (_, certificate, _, _) => _certificates.IsTrustedClient(certificate));
            using (var handshakeDeadline = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token))
            {
                handshakeDeadline.CancelAfter(HandshakeTimeout);
                await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
                {
                    ServerCertificate = _certificates.Server,
                    ClientCertificateRequired = true,
                    EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                    CertificateRevocationCheckMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck,
                }, handshakeDeadline.Token);
            }

            lock (_connectionsGate) _connections.Add(upstream);
            upstream.NoDelay = true;
            await upstream.ConnectAsync(_broker.Host, _broker.Port, _stopping.Token);
            await using var brokerStream = upstream.GetStream();

            using var either = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
            var toBroker = _refuseTopicAutoCreation || _throttle is not null
                ? RelayRequestsAsync(tls, brokerStream, either.Token)
                : tls.CopyToAsync(brokerStream, either.Token);
            var toClient = brokerStream.CopyToAsync(tls, either.Token);
            await Task.WhenAny(toBroker, toClient);
            await either.CancelAsync();
        }
        catch (AuthenticationException)
        {
            Interlocked.Increment(ref _rejectedHandshakes);
            _logger.LogDebug("TLS front on port {Port}: refused a client handshake", Port);
        }
        catch (Exception exception) when (exception is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Either side hung up; Kafka clients reconnect by themselves.
        }
        finally
        {
            lock (_connectionsGate)
            {
                _connections.Remove(client);
                _connections.Remove(upstream);
            }
            client.Dispose();
        }
    }

    /// <summary>Client to broker, one request frame at a time, so that Metadata requests can be edited and Produce requests held back.</summary>
    private async Task RelayRequestsAsync(Stream client, Stream broker, CancellationToken cancellationToken)
    {
        var sizePrefix = new byte[4];
        while (await client.ReadAtLeastAsync(sizePrefix, sizePrefix.Length, throwOnEndOfStream: false, cancellationToken) == sizePrefix.Length)
        {
            var size = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(sizePrefix);
            if (size is < 0 or > MaxRequestBytes) throw new IOException($"A Kafka request of {size} bytes is out of bounds.");
            var frame = System.Buffers.ArrayPool<byte>.Shared.Rent(size);
            try
            {
                await client.ReadExactlyAsync(frame.AsMemory(0, size), cancellationToken);
                if (_refuseTopicAutoCreation) KafkaRequestRewriter.RefuseTopicAutoCreation(frame.AsSpan(0, size));
                if (_throttle is not null && size >= 2 && System.Buffers.Binary.BinaryPrimitives.ReadInt16BigEndian(frame) == ProduceApiKey
                    && _throttle.Reserve(size) is { } wait && wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, _time, cancellationToken);
                }

                await broker.WriteAsync(sizePrefix, cancellationToken);
                await broker.WriteAsync(frame.AsMemory(0, size), cancellationToken);
            }
            finally
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(frame);
            }
        }
    }

    public void Dispose()
    {
        if (_stopping.IsCancellationRequested) return;
        _stopping.Cancel();
        _listener.Stop();
        TcpClient[] open;
        lock (_connectionsGate) open = [.. _connections];
        foreach (var connection in open) connection.Dispose();
        try { _acceptLoop.Wait(TimeSpan.FromSeconds(2)); } catch (AggregateException) { }
    }
}
