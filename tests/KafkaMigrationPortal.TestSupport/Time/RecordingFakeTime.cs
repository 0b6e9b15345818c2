using Microsoft.Extensions.Time.Testing;

namespace KafkaMigrationPortal.TestSupport.Time;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that records every wait started on it (each timer, with the due time it was given).
/// A test lets the code under test run until it is parked on the wait the test expects, checks the delay the code
/// chose, and only then advances the clock, so nothing depends on how fast the machine is.
/// </summary>
public sealed class RecordingFakeTime(DateTimeOffset start) : FakeTimeProvider(start)
{
    private readonly Lock gate = new();
    private readonly List<TimeSpan> waits = [];

    /// <summary>The due time of every timer created so far (a <c>Task.Delay</c> on this clock is one), in order.</summary>
    public IReadOnlyList<TimeSpan> Waits
    {
        get
        {
            lock (gate) return [.. waits];
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        lock (gate) waits.Add(dueTime);
        return timer;
    }

    /// <summary>
    /// Polls (in real time, generously) until <paramref name="count"/> waits matching <paramref name="matching"/> have
    /// been started, or <paramref name="orUntil"/> has ended first; returns the matching waits seen.
    /// </summary>
    public async Task<IReadOnlyList<TimeSpan>> WaitsStartedAsync(Func<TimeSpan, bool> matching, int count = 1, Task? orUntil = null,
        TimeSpan? within = null)
    {
        var seen = await Deadline.PollAsync(
            () => Task.FromResult(new WaitsSeen([.. Waits.Where(matching)], Waits)),
            found => found.Matching.Count >= count || orUntil?.IsCompleted == true,
            within ?? TimeSpan.FromSeconds(30),
            $"{count} matching wait(s) started");
        return seen.Matching;
    }

    private sealed record WaitsSeen(IReadOnlyList<TimeSpan> Matching, IReadOnlyList<TimeSpan> All)
    {
        public override string ToString() => $"matching [{string.Join(", ", Matching)}] of all waits [{string.Join(", ", All)}]";
    }
}
