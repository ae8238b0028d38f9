using BenchmarkDotNet.Running;
using Orchestrator.Benchmarks;

// Micro benchmarks: dotnet run -c Release --project bench/Orchestrator.Benchmarks -- --filter '*'
// Engine end to end: dotnet run -c Release --project bench/Orchestrator.Benchmarks -- engine
if (args is ["engine", ..])
{
    await EngineBenchmark.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 5);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
