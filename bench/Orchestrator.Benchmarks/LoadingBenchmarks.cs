using System.Text;
using BenchmarkDotNet.Attributes;
using Orchestrator.Loading;
using Orchestrator.Loading.CSharp;
using Orchestrator.Loading.Json;

namespace Orchestrator.Benchmarks;

/// <summary>Parse + validate of a 500-task JSON DAG (target ≤ 50 ms), and loading a C# DAG file: Roslyn compile,
/// load into a collectible context, Define, validate (a fresh loader each time, so nothing is cached but
/// Roslyn's metadata references, as in a long-running process).</summary>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 3, iterationCount: 10)]
public class LoadingBenchmarks
{
    private static readonly HashSet<string> Types = ["empty", "shell", "csharp"];
    private byte[] _json = [];
    private byte[] _csharp = [];
    private string _csharpPath = "";

    [GlobalSetup]
    public void Setup()
    {
        _json = Encoding.UTF8.GetBytes(JsonDag(500));
        _csharpPath = Path.Combine(Path.GetTempPath(), "bench_dag.cs");
        _csharp = Encoding.UTF8.GetBytes(CSharpDag);
        File.WriteAllBytes(_csharpPath, _csharp);
    }

    [Benchmark(Description = "JSON DAG, 500 tasks: parse + validate")]
    public int ParseAndValidateJson() =>
        new JsonDagFileLoader(new DagLoaderOptions { KnownTaskTypes = Types })
            .LoadAsync("bench.json", _json, CancellationToken.None).Result.Dags[0].Graph.Count;

    [Benchmark(Description = "C# DAG file: Roslyn compile + load + define + validate")]
    public int CompileCSharp()
    {
        using var loader = new CSharpDagFileLoader(new DagLoaderOptions { KnownTaskTypes = Types });
        return loader.LoadAsync(_csharpPath, _csharp, CancellationToken.None).Result.Dags[0].Graph.Count;
    }

    /// <summary>A realistic wide DAG: stages of 25 shell tasks, each depending on two tasks of the stage before.</summary>
    internal static string JsonDag(int tasks)
    {
        var builder = new StringBuilder("""{ "id": "bench", "schedule": "@daily", "defaults": {"retries": 2, "retryDelay": "10s"}, "tasks": [""");
        for (var i = 0; i < tasks; i++)
        {
            var dependsOn = i < 25 ? "" : $"\"dependsOn\": [\"t{i - 25}\", \"t{i - 25 + ((i + 7) % 25) - (i % 25)}\"], ";
            builder.Append(i == 0 ? "" : ",")
                .Append($$$"""{"id": "t{{{i}}}", "type": "shell", {{{dependsOn}}}"args": {"command": "echo {{{i}}} {{ run.id }}"}}""");
        }

        return builder.Append("]}").ToString();
    }

    private const string CSharpDag = """
        public sealed class BenchDag : IDagDefinition
        {
            public void Define(DagBuilder dag)
            {
                dag.Schedule("@daily").Param("path", "data.csv");
                var extract = dag.Task<ExtractTask>("extract").WithArgs(new { path = "{{ params.path }}" }).Retries(2, "10s");
                var transform = dag.Shell("transform", "echo {{ outputs.extract.rows }}").DependsOn(extract);
                dag.Empty("done").DependsOn(transform);
            }
        }

        public sealed class ExtractTask : IDagTask
        {
            public Task<object?> ExecuteAsync(TaskContext context, CancellationToken cancellationToken)
            {
                context.Logger.LogInformation("extracting {Path}", context.Args.GetString("path"));
                return Task.FromResult<object?>(new { rows = 42 });
            }
        }
        """;
}
