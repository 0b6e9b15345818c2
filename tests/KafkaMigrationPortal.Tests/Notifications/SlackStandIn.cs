using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace KafkaMigrationPortal.Tests.Notifications;

/// <summary>A local HTTP receiver in Slack's place: records each POST to its webhook path and answers <see cref="Status"/>.</summary>
public sealed class SlackStandIn : IDisposable
{
    private readonly HttpListener listener = new();
    private readonly Task serving;

    public SlackStandIn()
    {
        Port = FreePort();
        listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        listener.Start();
        serving = Task.Run(ServeAsync);
    }

    public int Port { get; }

    /// <summary>Looks like a real webhook: the path is the secret part.</summary>
    public string WebhookUrl => $"http://127.0.0.1:{Port}/services/T0001/B0002/secret-webhook-token";

    public HttpStatusCode Status { get; set; } = HttpStatusCode.OK;

    public ConcurrentQueue<(string Path, string Body)> Posts { get; } = new();

    private async Task ServeAsync()
    {
        while (listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            Posts.Enqueue((context.Request.Url!.AbsolutePath, await reader.ReadToEndAsync()));
            context.Response.StatusCode = (int)Status;
            var answer = Encoding.UTF8.GetBytes(Status == HttpStatusCode.OK ? "ok" : "no_service");
            await context.Response.OutputStream.WriteAsync(answer);
            context.Response.Close();
        }
    }

    public static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        listener.Stop();
        listener.Close();
        serving.Wait(TimeSpan.FromSeconds(5));
    }
}
