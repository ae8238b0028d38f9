using BenchmarkDotNet.Attributes;
using Orchestrator.Core.Authoring;
using Orchestrator.Core.Graph;
using Orchestrator.Core.Model;
using Orchestrator.Core.Validation;

namespace Orchestrator.Benchmarks;

/// <summary>Build + validate + topological sort of a large DAG (target: 100,000 tasks in ≤ 1 s).
/// The random DAG gives each task up to three upstreams among the 50 tasks before it, so depth and
/// width are both large; the chain is the deepest shape (one DFS level per task).</summary>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 2, iterationCount: 8)]
public class GraphBenchmarks
{
    private DagDefinition _random = null!;
    private DagDefinition _chain = null!;

    [Params(100_000)]
    public int Tasks { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _random = GraphShapes.Random(Tasks, seed: 42);
        _chain = GraphShapes.Chain(Tasks);
    }

    [Benchmark(Description = "validate + graph + topological order (random DAG)")]
    public int ValidateRandom() => DagValidator.Validate(_random).Graph!.TopologicalOrder.Count;

    [Benchmark(Description = "validate + graph + topological order (chain)")]
    public int ValidateChain() => DagValidator.Validate(_chain).Graph!.TopologicalOrder.Count;

    [Benchmark(Description = "builder + validate + graph + topological order (random DAG)")]
    public int BuildAndValidateRandom()
    {
        var dag = new DagBuilder("bench");
        var random = new Random(42);
        for (var i = 0; i < Tasks; i++)
        {
            var task = dag.AddTask($"t{i}", "empty", null, SourceLocation.Unknown);
            for (var k = 0; k < 3 && i > 0; k++)
            {
                task.DependsOn($"t{Math.Max(0, i - 1 - random.Next(50))}");
            }
        }

        return DagGraph.Create(dag.Build().Tasks).TopologicalOrder.Count;
    }
}
