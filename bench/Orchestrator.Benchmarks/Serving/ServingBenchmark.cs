using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.ObjectPool;
using Orchestrator.ML.Data;
using Orchestrator.ML.Models;
using Orchestrator.ML.Training;
using Orchestrator.Serving;
using Orchestrator.Serving.InferenceLog;
using Orchestrator.Storage;
using Orchestrator.Storage.Artifacts;
using Orchestrator.Storage.Records;
using Orchestrator.Storage.Sql;
using Orchestrator.Storage.Sqlite;

namespace Orchestrator.Benchmarks.Serving;

/// <summary>Serving, in one run: trains the taxi-fare regression model (FastTree, 100k rows), registers it in a SQLite
/// store with a folder artifact store, then measures single-row predictions (a) in process through a pooled scorer on
/// every core and (b) over HTTP/1.1 keep-alive on loopback (Kestrel + MapModelServing, an in-process load generator
/// on the same cores), the latter in interleaved rounds with the inference log off and on (sampling every request
/// into the same SQLite store). Prints requests/s and p50/p99 latency for each and their ratios.</summary>
internal static class ServingBenchmark
{
    private static DatasetSchema TaxiSchema => TaxiFareData.Schema;

    // Off and on alternate (8 rounds by default): the shared machine's load drifts by tens of percent within a minute.

    private const string Body =
        """{"dataframe_split": {"columns": ["vendor_id", "rate_code", "passenger_count", "trip_time_in_secs", "trip_distance", "payment_type"], "data": [["CMT", 1, 1, 1271, 3.8, "CRD"]]}}""";

    public static async Task RunAsync(int seconds, int connections, bool discard = false, int rounds = 8)
    {
        var folder = Directory.CreateTempSubdirectory("orchestrator-serving-bench-").FullName;
        try
        {
            var package = Train(folder);
            var inProcess = InProcess(package, TimeSpan.FromSeconds(seconds));
            var (http, logged, bracketed) = await OverHttpAsync(folder, package, connections, TimeSpan.FromSeconds(seconds), discard, Math.Max(2, rounds));
            Console.WriteLine();
            Console.WriteLine("| path | requests/s | p50 | p99 |");
            Console.WriteLine("|---|---|---|---|");
            Console.WriteLine(inProcess.Row($"in process, pooled scorer, {Environment.ProcessorCount} threads"));
            Console.WriteLine(http.Row($"HTTP/1.1 loopback, {connections} keep-alive connections, inference log off"));
            Console.WriteLine(logged.Row($"HTTP/1.1 loopback, {connections} keep-alive connections, inference log on (every request)"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"HTTP / in-process throughput: {http.PerSecond / inProcess.PerSecond:F3} (in-process is {inProcess.PerSecond / http.PerSecond:F1}x); failed HTTP requests: {http.Failures + logged.Failures}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Inference log on / off throughput: {logged.PerSecond / http.PerSecond:F3} (logging costs {(1 - (logged.PerSecond / http.PerSecond)) * 100:F1} % of throughput)"));
            // Each on round against the mean of the off rounds just before and after it: drift in the machine's load
            // over the run cancels out, and one disturbed round does not move the median.
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Bracketed on / off, median of {bracketed.Count} on rounds: {Median(bracketed):F3} (logging costs {(1 - Median(bracketed)) * 100:F1} %); each: {string.Join(", ", bracketed.Select(r => r.ToString("F3", CultureInfo.InvariantCulture)))}"));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static string Train(string folder)
    {
        var csv = Path.Combine(RepositoryRoot(), "dags", "data", "taxi-fare", "taxi-fare-train.csv");
        var started = Stopwatch.GetTimestamp();
        var result = new ModelTrainer().Train(new TrainRequest(
            new DatasetSource(csv, TaxiSchema, new CsvFormat()), MlTask.Regression, "fare_amount", TrainerCatalog.FastTree, Holdout: 0.2, Seed: 1));
        var package = Path.Combine(folder, "taxi.model");
        using (result.Model)
        {
            ModelPackageWriter.Write(result.Model, package);
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Trained taxi-fare FastTree on {result.TrainingRows} rows in {Stopwatch.GetElapsedTime(started).TotalSeconds:F1} s; holdout r2 {result.HoldoutMetrics.GetValueOrDefault("r2"):F3}"));
        return package;
    }

    private static Measured InProcess(string package, TimeSpan duration)
    {
        using var model = new ModelPackageReader().Read(package);
        var pool = new DefaultObjectPool<IModelScorer>(new ScorerPolicy(model), Environment.ProcessorCount * 2);
        var row = new ModelRow([1, 1, 1271, 3.8f], ["CMT", "CRD"]);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Sample prediction: {pool.Get().Predict(row).Value:F2} (fare of the first training row: 17.5)"));

        Run(TimeSpan.FromSeconds(1), record: false);
        var (count, latencies, elapsed) = Run(duration, record: true);
        return new Measured(count, 0, elapsed, latencies);

        (long, long[], TimeSpan) Run(TimeSpan length, bool record)
        {
            var stopAt = Stopwatch.GetTimestamp() + (long)(length.TotalSeconds * Stopwatch.Frequency);
            var started = Stopwatch.GetTimestamp();
            var perThread = new List<long>[Environment.ProcessorCount];
            Parallel.For(0, perThread.Length, new ParallelOptions { MaxDegreeOfParallelism = perThread.Length }, thread =>
            {
                var mine = new List<long>(record ? 2_000_000 : 0);
                var threadRow = new ModelRow([1, 1, 1271, 3.8f], ["CMT", "CRD"]);
                while (Stopwatch.GetTimestamp() < stopAt)
                {
                    var start = Stopwatch.GetTimestamp();
                    var scorer = pool.Get();
                    scorer.Predict(threadRow);
                    pool.Return(scorer);
                    if (record)
                    {
                        mine.Add(Stopwatch.GetTimestamp() - start);
                    }
                }

                perThread[thread] = mine;
            });
            var all = perThread.SelectMany(list => list).ToArray();
            return (all.LongLength, all, Stopwatch.GetElapsedTime(started));
        }
    }

    private static double Median(IReadOnlyList<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>Over HTTP, with the inference log off and on in alternating rounds of <paramref name="duration"/>, so drift in the shared machine's load hits both alike. Returns (off, on, each on round over its neighbouring off rounds).</summary>
    private static async Task<(Measured Off, Measured On, IReadOnlyList<double> Bracketed)> OverHttpAsync(
        string folder, string package, int connections, TimeSpan duration, bool discard, int rounds)
    {
        await using var store = await SqlMetadataStore.OpenAsync(new SqliteDatabase(Path.Combine(folder, "bench.db")), TimeProvider.System, default);
        var artifacts = new FolderArtifactStore(Path.Combine(folder, "artifacts"));
        var artifact = await artifacts.PutFileAsync(package, null, default);
        var (version, _) = await store.Models.RegisterVersionAsync(
            new NewModelVersion("taxi", artifact.Digest, "{}", null, null, "{}", "{}", new RunLineage(null, null, null, null)),
            TimeProvider.System.GetUtcNow(), default);
        await store.Models.SetAliasAsync("taxi", "production", version.Version, "bench", null, TimeProvider.System.GetUtcNow(), default);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        builder.Services.AddSingleton(store.Models);
        builder.Services.AddSingleton<IArtifactStore>(artifacts);
        builder.Services.AddSingleton<IModelPackageReader, ModelPackageReader>();
        var counted = new CountingStore(store.Inference, discard);
        builder.Services.AddSingleton<IInferenceLogStore>(counted);
        var sampler = new SwitchedSampler();
        builder.Services.AddSingleton<IInferenceSampler>(sampler);
        builder.Services.AddModelServing();
        await using var app = builder.Build();
        app.MapModelServing();
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        var server = new IPEndPoint(IPAddress.Loopback, address.Port);

        var request = Encoding.ASCII.GetBytes(
            $"POST /models/taxi/invocations HTTP/1.1\r\nHost: 127.0.0.1:{address.Port}\r\nContent-Type: application/json\r\nContent-Length: {Encoding.UTF8.GetByteCount(Body)}\r\n\r\n{Body}");
        using (var client = new HttpClient())
        {
            var reply = await client.PostAsync(address + "models/taxi/invocations", new StringContent(Body, Encoding.UTF8, "application/json"));
            Console.WriteLine($"Sample reply over HTTP: {(int)reply.StatusCode} {await reply.Content.ReadAsStringAsync()}");
        }

        await MeasureAppendAsync(folder);
        var queue = app.Services.GetRequiredService<InferenceLogQueue>();
        sampler.On = true;
        await LoadGenerator.RunAsync(server, request, connections, TimeSpan.FromSeconds(2), record: false);
        sampler.On = false;
        await LoadGenerator.RunAsync(server, request, connections, TimeSpan.FromSeconds(2), record: false);
        await queue.FlushAsync(default);
        var off = new List<LoadGenerator.Result>();
        var on = new List<LoadGenerator.Result>();
        var rates = new List<double>();
        for (var round = 0; round < rounds; round++)
        {
            sampler.On = round % 2 == 1;
            var result = await LoadGenerator.RunAsync(server, request, connections, duration, record: true);
            // The writer's backlog is part of the cost of logging: it is written before the next round starts.
            await queue.FlushAsync(default);
            (sampler.On ? on : off).Add(result);
            rates.Add(result.Requests / result.Elapsed.TotalSeconds);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Round {round + 1}, inference log {(sampler.On ? "on " : "off")}: {result.Requests / result.Elapsed.TotalSeconds:N0} requests/s"));
            if (result.FirstFailure is { } failure)
            {
                Console.WriteLine($"First failed reply: {failure}");
            }
        }

        var kept = await store.Inference.ReadAsync(new InferenceWindow("taxi", DateTimeOffset.UnixEpoch, TimeProvider.System.GetUtcNow().AddMinutes(1), Limit: 1), default);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Inference log: {on.Sum(r => r.Requests):N0} requests while on, {on.Sum(r => r.Requests) - queue.Dropped:N0} written, {queue.Dropped:N0} dropped (queue full); first stored row: {(kept.Count > 0 ? $"{kept[0].Inputs} -> {kept[0].Prediction}" : "none")}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Writer: {counted.Rows:N0} rows in {counted.Appends:N0} transactions ({(double)counted.Rows / Math.Max(1, counted.Appends):N1} rows each){(discard ? ", discarded (bench option)" : "")}"));
        await app.StopAsync();
        var bracketed = new List<double>();
        for (var round = 1; round < rates.Count; round += 2)
        {
            var neighbours = round + 1 < rates.Count ? (rates[round - 1] + rates[round + 1]) / 2 : rates[round - 1];
            bracketed.Add(rates[round] / neighbours);
        }

        return (Combine(off), Combine(on), bracketed);
    }

    /// <summary>The store alone: how fast the writer's appends go when nothing else runs (a separate database file).</summary>
    internal static async Task MeasureAppendAsync(string folder)
    {
        await using var store = await SqlMetadataStore.OpenAsync(new SqliteDatabase(Path.Combine(folder, "append.db")), TimeProvider.System, default);
        const int Batch = 2_000, Batches = 50;
        // Times (and so the time-ordered request ids) advance as in serving at 15,000 requests/s: the keys arrive
        // nearly in order. One fixed time for all rows would make the ids random and measure random b-tree inserts.
        var start = TimeProvider.System.GetUtcNow();
        var inputs = """{"vendor_id":"CMT","rate_code":1,"passenger_count":1,"trip_time_in_secs":1271,"trip_distance":3.8,"payment_type":"CRD"}""";
        var started = Stopwatch.GetTimestamp();
        for (var b = 0; b < Batches; b++)
        {
            var rows = new List<InferenceRecord>(Batch);
            for (var i = 0; i < Batch; i++)
            {
                var at = start.AddMilliseconds(((b * Batch) + i) / 15);
                rows.Add(new InferenceRecord(Guid.CreateVersion7(at).ToString("N"), 0, "taxi", 1, at, inputs, "16.969122"));
            }

            await store.Inference.AppendAsync(rows, default);
        }

        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Inference log store alone (SQLite): {Batch * Batches / seconds:N0} rows/s appending {Batches} batches of {Batch}"));
    }

    /// <summary>Counts the writer's appends (how many rows each transaction carried), and with <c>discard</c> drops
    /// them instead of writing (everything else goes to the real store): the log's cost without SQLite's.</summary>
    private sealed class CountingStore(IInferenceLogStore inner, bool discard) : IInferenceLogStore
    {
        public long Appends;
        public long Rows;

        public Task AppendAsync(IReadOnlyList<InferenceRecord> records, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Appends);
            Interlocked.Add(ref Rows, records.Count);
            return discard ? Task.CompletedTask : inner.AppendAsync(records, cancellationToken);
        }

        public Task<IReadOnlyList<InferenceLabel>> LabelAsync(string model, IReadOnlyList<InferenceLabel> labels, DateTimeOffset at, CancellationToken cancellationToken) =>
            inner.LabelAsync(model, labels, at, cancellationToken);

        public Task<IReadOnlyList<InferenceRecord>> ReadAsync(InferenceWindow window, CancellationToken cancellationToken) => inner.ReadAsync(window, cancellationToken);

        public Task<IReadOnlyList<LabeledInference>> ReadLabeledAsync(InferenceWindow window, CancellationToken cancellationToken) =>
            inner.ReadLabeledAsync(window, cancellationToken);

        public Task<int> PruneAsync(DateTimeOffset cutoff, int maxRowsPerModel, CancellationToken cancellationToken) => inner.PruneAsync(cutoff, maxRowsPerModel, cancellationToken);
    }

    private static Measured Combine(List<LoadGenerator.Result> rounds) => new(
        rounds.Sum(r => r.Requests), rounds.Sum(r => r.Failures), TimeSpan.FromTicks(rounds.Sum(r => r.Elapsed.Ticks)), [.. rounds.SelectMany(r => r.LatencyTicks)]);

    /// <summary>Logs every request while on, none while off: one host, one model, one store for both measurements.</summary>
    private sealed class SwitchedSampler : IInferenceSampler
    {
        private volatile bool _on;

        public bool On
        {
            get => _on;
            set => _on = value;
        }

        public bool Sample() => _on;
    }

    private static string RepositoryRoot()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "Orchestrator.sln")))
        {
            folder = folder.Parent;
        }

        return folder?.FullName ?? throw new InvalidOperationException("Run from a checkout: Orchestrator.sln not found");
    }

    private sealed record Measured(long Requests, long Failures, TimeSpan Elapsed, long[] LatencyTicks)
    {
        public double PerSecond => Requests / Elapsed.TotalSeconds;

        public string Row(string name)
        {
            Array.Sort(LatencyTicks);
            return string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {PerSecond:N0} | {Milliseconds(0.50):F3} ms | {Milliseconds(0.99):F3} ms |");
        }

        private double Milliseconds(double quantile) => LatencyTicks.Length == 0
            ? double.NaN
            : LatencyTicks[(int)Math.Min(LatencyTicks.Length - 1, quantile * LatencyTicks.Length)] * 1000.0 / Stopwatch.Frequency;
    }

    private sealed class ScorerPolicy(ILoadedModel model) : PooledObjectPolicy<IModelScorer>
    {
        public override IModelScorer Create() => model.CreateScorer();

        public override bool Return(IModelScorer obj) => true;
    }
}
