using Orchestrator.Core.Model;
using QuikGraph;

namespace Orchestrator.Core.Graph;

/// <summary>The task graph of a DAG: tasks as indices 0..Count-1 in declaration order, edges from upstream
/// to downstream, a topological order and layout layers. Built once per DAG version; read-only after.</summary>
public sealed class DagGraph
{
    private readonly int[][] _upstream;
    private readonly int[][] _downstream;
    private readonly Dictionary<TaskId, int> _indexById;

    private DagGraph(TaskId[] ids, int[][] upstream, int[][] downstream, int[] order, Dictionary<TaskId, int> indexById)
    {
        TaskIds = ids;
        _upstream = upstream;
        _downstream = downstream;
        TopologicalOrder = order;
        _indexById = indexById;
        Layers = GraphLayers.FromOrder(order, upstream);
    }

    public int Count => TaskIds.Count;

    public IReadOnlyList<TaskId> TaskIds { get; }

    /// <summary>Every task index, upstream before downstream.</summary>
    public IReadOnlyList<int> TopologicalOrder { get; }

    /// <summary>Tasks grouped by longest distance from a root: layer 0 has no upstream. Used for layout.</summary>
    public IReadOnlyList<IReadOnlyList<int>> Layers { get; }

    public int IndexOf(TaskId id) => _indexById[id];

    public bool TryGetIndex(TaskId id, out int index) => _indexById.TryGetValue(id, out index);

    public IReadOnlyList<int> Upstream(int task) => _upstream[task];

    public IReadOnlyList<int> Downstream(int task) => _downstream[task];

    /// <summary>Tasks with no downstream: they decide the run's final state, as in Airflow.</summary>
    public IEnumerable<int> Leaves() => Enumerable.Range(0, Count).Where(i => _downstream[i].Length == 0);

    /// <summary>Builds the graph of a DAG's tasks, or reports every structural error: duplicate ids,
    /// self-dependencies, unknown dependencies, and a cycle with its path.</summary>
    public static GraphBuildResult Build(IReadOnlyList<TaskDefinition> tasks)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        var errors = new List<GraphError>();
        var indexById = new Dictionary<TaskId, int>(tasks.Count);
        var ids = new TaskId[tasks.Count];
        for (var i = 0; i < tasks.Count; i++)
        {
            ids[i] = tasks[i].Id;
            if (!indexById.TryAdd(tasks[i].Id, i))
            {
                errors.Add(new GraphError(GraphErrorKind.DuplicateId, i, -1,
                    $"duplicate task id '{tasks[i].Id}' (first declared as task {indexById[tasks[i].Id]})"));
            }
        }

        var graph = new AdjacencyGraph<int, SEquatableEdge<int>>(allowParallelEdges: false, vertexCapacity: tasks.Count, edgeCapacity: -1);
        for (var i = 0; i < tasks.Count; i++)
        {
            graph.AddVertex(i);
        }

        for (var i = 0; i < tasks.Count; i++)
        {
            var dependsOn = tasks[i].DependsOn;
            for (var d = 0; d < dependsOn.Count; d++)
            {
                var dependency = dependsOn[d];
                if (dependency == tasks[i].Id)
                {
                    errors.Add(new GraphError(GraphErrorKind.SelfDependency, i, d, $"task '{dependency}' depends on itself"));
                }
                else if (!indexById.TryGetValue(dependency, out var upstream))
                {
                    errors.Add(new GraphError(GraphErrorKind.UnknownDependency, i, d,
                        $"task '{tasks[i].Id}' depends on unknown task '{dependency}'{SuggestionFor(dependency, ids)}"));
                }
                else
                {
                    graph.AddEdge(new SEquatableEdge<int>(upstream, i)); // a repeated dependency is kept once
                }
            }
        }

        if (errors.Count > 0)
        {
            return new GraphBuildResult(null, errors);
        }

        var search = CycleSearch.Run(graph);
        if (search.Cycle is { } cycle)
        {
            var path = string.Join(" -> ", cycle.Select(i => ids[i].Value));
            errors.Add(new GraphError(GraphErrorKind.Cycle, cycle[0], -1, $"cycle: {path}"));
            return new GraphBuildResult(null, errors);
        }

        var (upstreamLists, downstreamLists) = Adjacency(graph, tasks.Count);
        return new GraphBuildResult(new DagGraph(ids, upstreamLists, downstreamLists, search.Order, indexById), errors);
    }

    /// <summary>Builds the graph or throws <see cref="InvalidOperationException"/> listing the errors.</summary>
    public static DagGraph Create(IReadOnlyList<TaskDefinition> tasks)
    {
        var result = Build(tasks);
        return result.Graph ?? throw new InvalidOperationException(string.Join("; ", result.Errors.Select(e => e.Message)));
    }

    /// <summary>Whether <paramref name="ancestor"/> is upstream (directly or not) of <paramref name="task"/>.</summary>
    public bool IsAncestor(int ancestor, int task)
    {
        var seen = new HashSet<int>();
        var pending = new Stack<int>(_upstream[task]);
        while (pending.TryPop(out var current))
        {
            if (current == ancestor)
            {
                return true;
            }

            if (seen.Add(current))
            {
                foreach (var next in _upstream[current])
                {
                    pending.Push(next);
                }
            }
        }

        return false;
    }

    private static (int[][] Upstream, int[][] Downstream) Adjacency(AdjacencyGraph<int, SEquatableEdge<int>> graph, int count)
    {
        var upstreamCounts = new int[count];
        var downstream = new int[count][];
        for (var i = 0; i < count; i++)
        {
            var edges = graph.OutEdges(i);
            var targets = new int[graph.OutDegree(i)];
            var k = 0;
            foreach (var edge in edges)
            {
                targets[k++] = edge.Target;
                upstreamCounts[edge.Target]++;
            }

            downstream[i] = targets;
        }

        var upstream = new int[count][];
        for (var i = 0; i < count; i++)
        {
            upstream[i] = new int[upstreamCounts[i]];
            upstreamCounts[i] = 0;
        }

        for (var i = 0; i < count; i++)
        {
            foreach (var target in downstream[i])
            {
                upstream[target][upstreamCounts[target]++] = i;
            }
        }

        return (upstream, downstream);
    }

    private static string SuggestionFor(TaskId unknown, TaskId[] known) =>
        EditDistance.Closest(unknown.Value, known.Select(id => id.Value)) is { } close ? $"; did you mean '{close}'?" : "";
}
