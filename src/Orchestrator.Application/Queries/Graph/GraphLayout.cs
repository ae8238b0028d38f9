using Orchestrator.Application.Queries.Dags;
using Orchestrator.Core.Model;

namespace Orchestrator.Application.Queries.Graph;

/// <summary>The drawing of one DAG version, without states: nodes by layer (0 = roots) and position within it,
/// edges upstream → downstream, and the tasks in layer order (the grid's columns). Pure; computed once per version,
/// since a version never changes.</summary>
public sealed class GraphLayout
{
    private GraphLayout(IReadOnlyList<GraphNode> nodes, IReadOnlyList<GraphEdge> edges, int layerCount)
    {
        Nodes = nodes;
        Edges = edges;
        LayerCount = layerCount;
        TaskOrder = [.. nodes.Select(node => node.TaskId)];
        var index = new Dictionary<string, int>(nodes.Count, StringComparer.Ordinal);
        for (var i = 0; i < nodes.Count; i++)
        {
            index[nodes[i].TaskId] = i;
        }

        PositionOf = index;
    }

    /// <summary>Nodes in layer order (layer 0 first; within a layer, in declaration order), state null.</summary>
    public IReadOnlyList<GraphNode> Nodes { get; }

    public IReadOnlyList<GraphEdge> Edges { get; }

    public int LayerCount { get; }

    /// <summary>Task ids in layer order: upstream before downstream.</summary>
    public IReadOnlyList<string> TaskOrder { get; }

    /// <summary>Each task id's position in <see cref="TaskOrder"/>.</summary>
    public IReadOnlyDictionary<string, int> PositionOf { get; }

    public static GraphLayout Of(DagDefinition definition, Core.Graph.DagGraph graph)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(graph);
        var nodes = new List<GraphNode>(graph.Count);
        for (var layer = 0; layer < graph.Layers.Count; layer++)
        {
            // Within a layer, declaration order: stable across versions and what the author reads in the file.
            var tasks = graph.Layers[layer].Order().ToList();
            for (var order = 0; order < tasks.Count; order++)
            {
                var task = tasks[order];
                nodes.Add(new GraphNode(graph.TaskIds[task].Value, definition.Tasks[task].Type, layer, order, null));
            }
        }

        var edges = new List<GraphEdge>();
        foreach (var node in nodes)
        {
            var task = graph.IndexOf(new TaskId(node.TaskId));
            foreach (var downstream in graph.Downstream(task))
            {
                edges.Add(new GraphEdge(node.TaskId, graph.TaskIds[downstream].Value));
            }
        }

        return new GraphLayout(nodes, edges, graph.Layers.Count);
    }
}
