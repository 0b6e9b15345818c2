namespace KafkaMigrationPortal.TestSupport;

/// <summary>Polls a condition until it holds or a deadline passes; the way tests wait, never a fixed sleep.</summary>
public static class Deadline
{
    public static async Task<T> PollAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan within, string what)
    {
        var until = DateTime.UtcNow + within;
        var delay = TimeSpan.FromMilliseconds(20);
        T last;
        while (true)
        {
            last = await probe();
            if (done(last))
            {
                return last;
            }

            if (DateTime.UtcNow > until)
            {
                throw new TimeoutException($"Not true within {within.TotalSeconds:0.#} s: {what} (last value: {last})");
            }

            await Task.Delay(delay);
            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 250));
        }
    }

    public static Task PollAsync(Func<Task<bool>> condition, TimeSpan within, string what) =>
        PollAsync(condition, ok => ok, within, what);
}
