using Orchestrator.Application.Queries.Graph;
using Orchestrator.Core.Graph;
using Orchestrator.Core.Model;

namespace Orchestrator.Application.Tests.Queries.Graph;

/// <summary>The layout is pure: layers by longest path from a root, order within a layer by declaration, edges
/// upstream → downstream, and the task order (grid columns) upstream before downstream.</summary>
public sealed class GraphLayoutTests
{
    [Fact]
    public void AChain_HasOneTaskPerLayer_InDependencyOrder()
    {
        var layout = Layout(("c", ["b"]), ("a", []), ("b", ["a"]));

        Assert.Equal(3, layout.LayerCount);
        Assert.Equal(["a@0.0", "b@1.0", "c@2.0"], Placed(layout));
        Assert.Equal(["a>b", "b>c"], Edges(layout));
        Assert.Equal(["a", "b", "c"], layout.TaskOrder);
        Assert.Equal(2, layout.PositionOf["c"]);
    }

    [Fact]
    public void ADiamond_PutsBothMiddleTasksInOneLayer_InDeclarationOrder()
    {
        var layout = Layout(("top", []), ("right", ["top"]), ("left", ["top"]), ("bottom", ["left", "right"]));

        Assert.Equal(3, layout.LayerCount);
        Assert.Equal(["top@0.0", "right@1.0", "left@1.1", "bottom@2.0"], Placed(layout));
        Assert.Equal(["top>right", "top>left", "right>bottom", "left>bottom"], Edges(layout));
    }

    [Fact]
    public void ATaskSitsBelowItsDeepestUpstream_NotItsShallowest()
    {
        // d needs a (layer 0) and c (layer 2): it goes to layer 3, so the edge a → d spans three layers.
        var layout = Layout(("a", []), ("b", ["a"]), ("c", ["b"]), ("d", ["a", "c"]));

        Assert.Equal(["a@0.0", "b@1.0", "c@2.0", "d@3.0"], Placed(layout));
        Assert.Equal(4, layout.LayerCount);
    }

    [Fact]
    public void FanOut_And_FanIn()
    {
        var fanOut = Layout(("root", []), ("x1", ["root"]), ("x2", ["root"]), ("x3", ["root"]));
        var fanIn = Layout(("x1", []), ("x2", []), ("x3", []), ("sink", ["x1", "x2", "x3"]));

        Assert.Equal(["root@0.0", "x1@1.0", "x2@1.1", "x3@1.2"], Placed(fanOut));
        Assert.Equal(["root>x1", "root>x2", "root>x3"], Edges(fanOut));
        Assert.Equal(["x1@0.0", "x2@0.1", "x3@0.2", "sink@1.0"], Placed(fanIn));
        Assert.Equal(["x1>sink", "x2>sink", "x3>sink"], Edges(fanIn));
    }

    [Fact]
    public void DisconnectedParts_ShareLayers_AndEachKeepsItsEdges()
    {
        var layout = Layout(("p1", []), ("q1", []), ("p2", ["p1"]), ("lone", []), ("q2", ["q1"]), ("q3", ["q2"]));

        Assert.Equal(3, layout.LayerCount);
        Assert.Equal(["p1@0.0", "q1@0.1", "lone@0.2", "p2@1.0", "q2@1.1", "q3@2.0"], Placed(layout));
        Assert.Equal(["p1>p2", "q1>q2", "q2>q3"], Edges(layout));
    }

    [Fact]
    public void ASingleTask_And_NoTasks()
    {
        var single = Layout(("only", []));
        var empty = Layout();

        Assert.Equal((1, "only@0.0"), (single.LayerCount, string.Join(" ", Placed(single))));
        Assert.Equal((0, 0, 0), (empty.LayerCount, empty.Nodes.Count, empty.Edges.Count));
        Assert.Empty(empty.TaskOrder);
    }

    [Fact]
    public void NodesCarryTheirTaskType_AndNoState()
    {
        var definition = Definition([("a", []), ("b", ["a"])], type: i => i == 0 ? "shell" : "python");

        var layout = GraphLayout.Of(definition, DagGraph.Create(definition.Tasks));

        Assert.Equal([("a", "shell"), ("b", "python")], layout.Nodes.Select(n => (n.TaskId, n.Type)));
        Assert.All(layout.Nodes, node => Assert.Null(node.State));
    }

    [Fact]
    public void A2000TaskDag_Of20LayersOf100_HasEveryEdgePointingDown_AndEveryTaskOnce()
    {
        // Like the benchmark's DAG: task t depends on a task of the layer above (some skip to another column).
        var tasks = Enumerable.Range(0, 2000)
            .Select(t => ($"t{t}", t < 100 ? Array.Empty<string>() : [$"t{t - 100 - (t % 7 == 0 ? t % 100 : 0)}"]))
            .ToArray();

        var layout = Layout(tasks);

        Assert.Equal(20, layout.LayerCount);
        Assert.Equal(2000, layout.TaskOrder.Distinct().Count());
        Assert.Equal(1900, layout.Edges.Count);
        var node = layout.Nodes.ToDictionary(n => n.TaskId);
        Assert.All(layout.Edges, edge => Assert.Equal(node[edge.From].Layer + 1, node[edge.To].Layer));
        Assert.All(Enumerable.Range(0, 20), layer => Assert.Equal(100, layout.Nodes.Count(n => n.Layer == layer)));
        Assert.All(layout.Nodes, n => Assert.Equal(n.Layer * 100 + n.Order, layout.PositionOf[n.TaskId]));
    }

    [Fact]
    public void ALongChain_Of2000Tasks_Has2000Layers()
    {
        var tasks = Enumerable.Range(0, 2000).Select(t => ($"t{t}", t == 0 ? Array.Empty<string>() : [$"t{t - 1}"])).Reverse().ToArray();

        var layout = Layout(tasks);

        Assert.Equal(2000, layout.LayerCount);
        Assert.Equal(Enumerable.Range(0, 2000).Select(t => $"t{t}"), layout.TaskOrder);
    }

    private static GraphLayout Layout(params (string Id, string[] Upstream)[] tasks)
    {
        var definition = Definition(tasks, _ => "empty");
        return GraphLayout.Of(definition, DagGraph.Create(definition.Tasks));
    }

    private static DagDefinition Definition((string Id, string[] Upstream)[] tasks, Func<int, string> type) => new()
    {
        Id = new DagId("shape"),
        Tasks = [.. tasks.Select((task, i) => new TaskDefinition { Id = new TaskId(task.Id), Type = type(i), DependsOn = [.. task.Upstream.Select(u => new TaskId(u))] })],
    };

    private static string[] Placed(GraphLayout layout) => [.. layout.Nodes.Select(n => $"{n.TaskId}@{n.Layer}.{n.Order}")];

    private static string[] Edges(GraphLayout layout) => [.. layout.Edges.Select(e => $"{e.From}>{e.To}")];
}
