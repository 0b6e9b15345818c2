using KafkaMigrationPortal.Benchmarks;

// dotnet run -c Release --project benchmarks/KafkaMigrationPortal.Benchmarks -- <benchmark> [--option value ...]
IBenchmark[] benchmarks =
[
    new LagSnapshotBenchmark(),
    new HistoryPageBenchmark(),
    new DispatchLatencyBenchmark(),
    new RunPageBenchmark(),
    new RecoveryBenchmark(),
    new CutoverBenchmark(),
    new MirrorBenchmark(),
];

var name = args.FirstOrDefault();
var benchmark = benchmarks.FirstOrDefault(b => string.Equals(b.Name, name, StringComparison.OrdinalIgnoreCase));
if (benchmark is null)
{
    Console.Error.WriteLine("usage: KafkaMigrationPortal.Benchmarks <benchmark> [--option value ...]");
    foreach (var b in benchmarks) Console.Error.WriteLine($"  {b.Name,-10} {b.Description}");
    return 2;
}

try
{
    return await benchmark.RunAsync(BenchmarkArgs.Parse(args[1..]));
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"{benchmark.Name}: {e.Message}");
    return 2;
}
