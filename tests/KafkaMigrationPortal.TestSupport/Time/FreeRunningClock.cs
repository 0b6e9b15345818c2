using Microsoft.Extensions.Time.Testing;

namespace KafkaMigrationPortal.TestSupport.Time;

public static class FreeRunningClock
{
    /// <summary>
    /// Lets a fake clock run on its own, a second at a time, until the returned handle is disposed. Only for tearing a
    /// host down: shutdown can wait on the clock (Polly's pipelines wait for calls still in flight before they dispose),
    /// and a test that failed with a call parked on the fake clock would otherwise hang there instead of failing.
    /// </summary>
    public static IAsyncDisposable RunFreely(this FakeTimeProvider clock)
    {
        var stop = new CancellationTokenSource();
        var running = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                clock.Advance(TimeSpan.FromSeconds(1));
                await Task.Delay(TimeSpan.FromMilliseconds(5), CancellationToken.None);
            }
        });
        return new Handle(stop, running);
    }

    private sealed class Handle(CancellationTokenSource stop, Task running) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await stop.CancelAsync();
            await running;
            stop.Dispose();
        }
    }
}
