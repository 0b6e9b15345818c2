using System.Diagnostics;

namespace KafkaMigrationPortal.Benchmarks;

/// <summary>One command of the benchmark console: add a class and list it in Program.cs.</summary>
public interface IBenchmark
{
    /// <summary>The first command-line argument that selects it, e.g. <c>lag</c>.</summary>
    string Name { get; }

    string Description { get; }

    /// <returns>The process exit code: 0 when the figures meet their targets, 1 when not.</returns>
    Task<int> RunAsync(BenchmarkArgs args);
}

/// <summary><c>--name value</c> pairs after the benchmark's name.</summary>
public sealed class BenchmarkArgs(IReadOnlyDictionary<string, string> values)
{
    public static BenchmarkArgs Parse(IReadOnlyList<string> args)
    {
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < args.Count; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Count)
                throw new ArgumentException($"expected --option value, got '{args[i]}'");
            values[args[i][2..]] = args[++i];
        }
        return new BenchmarkArgs(values);
    }

    public int Int(string name, int fallback, bool allowZero = false) =>
        !values.TryGetValue(name, out var text) ? fallback
        : int.TryParse(text, out var value) && (value > 0 || allowZero && value == 0) ? value
        : throw new ArgumentException($"--{name} must be a {(allowZero ? "non-negative" : "positive")} whole number");
}

public static class Timing
{
    public static async Task<TimeSpan> MeasureAsync(Func<Task> action)
    {
        var started = Stopwatch.GetTimestamp();
        await action();
        return Stopwatch.GetElapsedTime(started);
    }

    public static TimeSpan Median(IReadOnlyList<TimeSpan> samples)
    {
        var sorted = samples.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    /// <summary>Nearest-rank percentile, e.g. <c>0.95</c> for p95.</summary>
    public static TimeSpan Percentile(IReadOnlyList<TimeSpan> samples, double share)
    {
        var sorted = samples.Order().ToList();
        return sorted[Math.Clamp((int)Math.Ceiling(share * sorted.Count) - 1, 0, sorted.Count - 1)];
    }

    public static string Format(TimeSpan elapsed) =>
        elapsed < TimeSpan.FromSeconds(1) ? $"{elapsed.TotalMilliseconds:0} ms" : $"{elapsed.TotalSeconds:0.0#} s";
}

public static class Postgres
{
    public static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new Npgsql.NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
