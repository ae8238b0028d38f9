using QuikGraph;
using QuikGraph.Algorithms.Search;

namespace Orchestrator.Core.Graph;

/// <summary>One depth-first search over the graph that yields either a topological order or the path
/// of a cycle (QuikGraph's DFS: a back edge closes a cycle; finish order reversed is a topological order).</summary>
internal static class CycleSearch
{
    public readonly record struct Result(int[] Order, int[]? Cycle);

    // QuikGraph's DFS recurses once per level, so a long chain needs a deep stack. 256 MB covers 10^6 levels.
    private const int SearchStackBytes = 256 * 1024 * 1024;
    private const int TasksSafeOnCallerStack = 2_000;

    public static Result Run(AdjacencyGraph<int, SEquatableEdge<int>> graph)
    {
        if (graph.VertexCount <= TasksSafeOnCallerStack)
        {
            return Search(graph);
        }

        Result result = default;
        var thread = new Thread(() => result = Search(graph), SearchStackBytes) { Name = "dag-graph-search" };
        thread.Start();
        thread.Join();
        return result;
    }

    private static Result Search(AdjacencyGraph<int, SEquatableEdge<int>> graph)
    {
        var count = graph.VertexCount;
        var parent = new int[count];
        var finished = new int[count];
        var finishedCount = 0;
        int[]? cycle = null;

        var dfs = new DepthFirstSearchAlgorithm<int, SEquatableEdge<int>>(graph);
        dfs.TreeEdge += edge => parent[edge.Target] = edge.Source;
        dfs.FinishVertex += vertex => finished[finishedCount++] = vertex;
        dfs.BackEdge += edge =>
        {
            if (cycle is null)
            {
                cycle = PathOf(edge, parent);
                dfs.Abort();
            }
        };
        dfs.Compute();

        if (cycle is not null)
        {
            return new Result([], cycle);
        }

        Array.Reverse(finished);
        return new Result(finished, null);
    }

    /// <summary>The back edge u→v closes the cycle v → … → u → v along the DFS tree.</summary>
    private static int[] PathOf(SEquatableEdge<int> backEdge, int[] parent)
    {
        var path = new List<int> { backEdge.Source };
        for (var current = backEdge.Source; current != backEdge.Target;)
        {
            current = parent[current];
            path.Add(current);
        }

        path.Reverse();
        path.Add(backEdge.Target);
        return [.. path];
    }
}
