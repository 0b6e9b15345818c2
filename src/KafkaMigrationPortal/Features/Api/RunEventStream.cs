using System.Text;
using System.Text.Json;
using KafkaMigrationPortal.Engine;
using KafkaMigrationPortal.Engine.Execution;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace KafkaMigrationPortal.Features.Api;

/// <summary>
/// A run's events as Server-Sent Events: each event's <c>id</c> is its sequence, so a client that reconnects with
/// <c>Last-Event-ID</c> (or <c>?after=</c>) gets what it missed and nothing twice. Woken by the portal's run notifier;
/// polled as well, because a worker process's changes are not notified in this one. The stream ends once the run has
/// finished and every event was sent, or when the client goes away.
/// </summary>
internal static class RunEventStream
{
    private const int Batch = 200;
    private static readonly TimeSpan PollFallback = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(20);

    // The engine saves a run's final status, then appends the event that says so: the stream waits for that event.
    private static readonly HashSet<string> FinalKinds = [RunEventKinds.RunSucceeded, RunEventKinds.RunRolledBack, RunEventKinds.Aborted];

    public static async Task<IResult> FollowAsync(
        Guid runId, int? after, HttpContext http, ApiRunReader reader, IRunNotifier notifier, IOptions<JsonOptions> json, CancellationToken ct)
    {
        var cursor = after ?? (int.TryParse(http.Request.Headers["Last-Event-ID"].ToString(), out var last) ? last : 0);
        using var wake = new SemaphoreSlim(0);
        using var subscription = notifier.Subscribe(runId, _ =>
        {
            if (wake.CurrentCount == 0) wake.Release();
        });

        var first = await reader.EventsAfterAsync(runId, cursor, Batch, ct);
        if (!first.Succeeded) return ApiProblems.Refused(first.ErrorCode, first.Error!);
        if (first.Value is null) return ApiProblems.For(Refusals.RunNotFound, $"There is no migration run {runId}.");

        http.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        http.Response.Headers["X-Accel-Buffering"] = "no";
        await http.Response.WriteAsync($"retry: {(int)PollFallback.TotalMilliseconds}\n\n", ct);

        var page = first.Value.Value;
        var quietSince = DateTime.UtcNow;
        var lastKind = "";
        DateTime? seenFinished = null;
        try
        {
            while (true)
            {
                foreach (var e in page.Events)
                {
                    await WriteAsync(http.Response, ApiRunEvent.Of(e), json.Value.SerializerOptions, ct);
                    (cursor, lastKind) = (e.Sequence, e.Kind);
                    quietSince = DateTime.UtcNow;
                }

                await http.Response.Body.FlushAsync(ct);
                var more = page.Events.Count == Batch;
                if (page.Version.Finished) seenFinished ??= DateTime.UtcNow;
                // Ended: its final event was sent, or (a run that ended without one) nothing came for a poll interval since.
                if (!more && seenFinished is { } since && cursor >= page.Version.LastEventId
                    && (FinalKinds.Contains(lastKind) || DateTime.UtcNow - since >= PollFallback)) break;
                if (!more)
                {
                    await WaitAsync(wake, PollFallback, ct);
                    if (DateTime.UtcNow - quietSince > KeepAlive)
                    {
                        // A comment line: keeps routers (Heroku's closes a connection idle for 55 s) from cutting the stream.
                        await http.Response.WriteAsync(": keep-alive\n\n", ct);
                        quietSince = DateTime.UtcNow;
                    }
                }

                var next = await reader.EventsAfterAsync(runId, cursor, Batch, ct);
                if (next is not { Succeeded: true, Value: { } read }) break;
                page = read;
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The client went away.
        }

        return Results.Empty;
    }

    private static Task WriteAsync(HttpResponse response, ApiRunEvent e, JsonSerializerOptions options, CancellationToken ct)
    {
        var text = new StringBuilder()
            .Append("id: ").Append(e.Id).Append('\n')
            .Append("event: ").Append(e.Kind).Append('\n')
            .Append("data: ").Append(JsonSerializer.Serialize(e, options)).Append("\n\n");
        return response.WriteAsync(text.ToString(), ct);
    }

    private static async Task WaitAsync(SemaphoreSlim wake, TimeSpan atMost, CancellationToken ct)
    {
        await wake.WaitAsync(atMost, ct);
        // Changes come in bursts (an event, then the run's save): take them together.
        while (wake.CurrentCount > 0) await wake.WaitAsync(TimeSpan.Zero, ct);
    }
}
