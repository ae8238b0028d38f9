using BenchmarkDotNet.Running;
using Orchestrator.Benchmarks;

// Micro benchmarks: dotnet run -c Release --project bench/Orchestrator.Benchmarks -- --filter '*'
// Engine end to end: dotnet run -c Release --project bench/Orchestrator.Benchmarks -- engine [repetitions] [all|chain|fanout|scale]
// Engine memory with five 50 MB-line tasks: dotnet run -c Release --project bench/Orchestrator.Benchmarks -- engine-memory
// Dataset ingest + profile of 1,000,000 rows vs a plain Sep parse: dotnet run -c Release --project bench/Orchestrator.Benchmarks -- ingest [repetitions]
// Taxi-fare train+evaluate, direct ML.NET vs ModelTrainer vs the ml.* tasks: dotnet run -c Release --project bench/Orchestrator.Benchmarks -- train [repetitions] [csv]
// Model serving, in process vs HTTP, and HTTP with the inference log off vs on: dotnet run -c Release --project bench/Orchestrator.Benchmarks -- serving [seconds] [connections] [sqlite|discard]
// (discard: the log's store drops the rows, to tell the cost of queueing and building rows from SQLite's)
// The inference log store alone, SQLite appends: dotnet run -c Release --project bench/Orchestrator.Benchmarks -- inference-append
if (args is ["inference-append"])
{
    var folder = Directory.CreateTempSubdirectory("orchestrator-inference-append-").FullName;
    await Orchestrator.Benchmarks.Serving.ServingBenchmark.MeasureAppendAsync(folder);
    Directory.Delete(folder, recursive: true);
    return;
}

if (args is ["serving", ..])
{
    await Orchestrator.Benchmarks.Serving.ServingBenchmark.RunAsync(
        args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 10,
        args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 16,
        discard: args.Contains("discard"),
        rounds: args.Length > 3 && int.TryParse(args[3], System.Globalization.CultureInfo.InvariantCulture, out var rounds) ? rounds : 8);
    return;
}

// Dashboard reads (grid, graph, DAGs list) over HTTP: dotnet run -c Release --project bench/Orchestrator.Benchmarks -- dashboard [requests]
if (args is ["dashboard", ..])
{
    await Orchestrator.Benchmarks.Dashboard.DashboardBenchmark.RunAsync(
        args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 200);
    return;
}

if (args is ["engine-memory"])
{
    await MemoryBenchmark.RunAsync();
    return;
}

if (args is ["ingest", ..])
{
    await Orchestrator.Benchmarks.Ingest.IngestBenchmark.RunAsync(
        args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 5);
    return;
}

// Drift computation, 1,000,000 rows × 10 columns vs a small and a large reference: ... -- drift [repetitions] [rows]
if (args is ["drift", ..])
{
    Orchestrator.Benchmarks.Drift.DriftBenchmark.Run(
        args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 5,
        args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 1_000_000);
    return;
}

if (args is ["train", ..])
{
    await Orchestrator.Benchmarks.Training.TrainingBenchmark.RunAsync(
        args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 3,
        args.Length > 2 ? args[2] : Path.Combine("dags", "data", "taxi-fare", "taxi-fare-train.csv"));
    return;
}

// Distributed baseline, raw Hangfire.PostgreSql (fsync on, worker processes), per option set:
// dotnet run -c Release --project bench/Orchestrator.Benchmarks -- hangfire-pg [--workers 2] [--threads 2] [--repetitions 3] [--sets default,longpoll,longpoll-5ms] [--bulk-clients 4]
// (ORCHESTRATOR_BENCH_POSTGRES=connection string uses that server instead of a throwaway one; hangfire-pg-worker is its child process)
if (args is ["hangfire-pg-worker", var connection, var optionSet, var threads, var name])
{
    await Orchestrator.Benchmarks.HangfirePostgres.HangfirePgWorker.RunAsync(connection, optionSet, int.Parse(threads, System.Globalization.CultureInfo.InvariantCulture), name);
    return;
}

if (args is ["hangfire-pg", ..])
{
    await Orchestrator.Benchmarks.HangfirePostgres.HangfirePgBenchmark.RunAsync(args[1..]);
    return;
}

// Distributed engine end to end: 1 scheduler + N worker processes (the built CLI) on a throwaway PostgreSQL (fsync on),
// CHAIN / FANOUT / BULK timed from the store, next to the embedded engine and raw Hangfire.PostgreSql in the same run:
// dotnet run -c Release --project bench/Orchestrator.Benchmarks -- cluster [--workers 2] [--concurrency 2] [--repetitions 1] [--task-type empty|shell] [--baseline default|none] [--timeout-minutes 10]
if (args is ["cluster", ..])
{
    await Orchestrator.Benchmarks.Cluster.ClusterBenchmark.RunAsync(args[1..]);
    return;
}

if (args is ["engine", ..])
{
    await EngineBenchmark.RunAsync(
        args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 5,
        args.Length > 2 ? args[2] : "all");
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
