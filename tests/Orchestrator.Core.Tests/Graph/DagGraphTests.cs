using Orchestrator.Core.Graph;
using Orchestrator.Core.Model;

namespace Orchestrator.Core.Tests.Graph;

public class DagGraphTests
{
    [Fact]
    public void Cycle_IsReportedWithItsPath()
    {
        var result = DagGraph.Build(TestDags.Tasks("alpha: gamma", "beta: alpha", "gamma: beta", "delta: alpha"));

        var error = Assert.Single(result.Errors);
        Assert.Equal(GraphErrorKind.Cycle, error.Kind);
        Assert.Equal("cycle: alpha -> beta -> gamma -> alpha", error.Message);
        Assert.Null(result.Graph);
    }

    [Fact]
    public void CyclePath_IsARealCycle_InARandomGraphWithOneBackEdge()
    {
        var random = new Random(7);
        var lines = Enumerable.Range(0, 200).Select(i => i == 0 ? "t0: t150" : $"t{i}: t{random.Next(i)}").ToArray();

        var error = Assert.Single(DagGraph.Build(TestDags.Tasks(lines)).Errors);

        var path = error.Message["cycle: ".Length..].Split(" -> ");
        Assert.Equal(path[0], path[^1]);
        var upstreamOf = TestDags.Tasks(lines).ToDictionary(t => t.Id.Value, t => t.DependsOn.Select(d => d.Value).ToHashSet());
        for (var i = 0; i + 1 < path.Length; i++)
        {
            Assert.Contains(path[i], upstreamOf[path[i + 1]]);
        }
    }

    [Fact]
    public void SelfDependency_DuplicateId_AndUnknownDependency_AreAllReported()
    {
        var result = DagGraph.Build(TestDags.Tasks("ingest", "ingest", "train: train", "evaluate: trian"));

        Assert.Equal(
            [
                "duplicate task id 'ingest' (first declared as task 0)",
                "task 'train' depends on itself",
                "task 'evaluate' depends on unknown task 'trian'; did you mean 'train'?",
            ],
            result.Errors.Select(e => e.Message));
        Assert.Equal((3, 0), (result.Errors[2].Task, result.Errors[2].Dependency));
    }

    [Fact]
    public void TopologicalOrder_PutsEveryUpstreamFirst_InRandomDags()
    {
        for (var seed = 0; seed < 20; seed++)
        {
            var random = new Random(seed);
            var count = random.Next(1, 300);
            var lines = Enumerable.Range(0, count)
                .Select(i => $"t{i}:" + string.Concat(Enumerable.Range(0, random.Next(4)).Where(_ => i > 0).Select(_ => $" t{random.Next(i)}")))
                .OrderBy(_ => random.Next()) // declaration order must not matter
                .ToArray();

            var graph = DagGraph.Create(TestDags.Tasks(lines));

            var position = new int[graph.Count];
            for (var p = 0; p < graph.Count; p++)
            {
                position[graph.TopologicalOrder[p]] = p;
            }

            for (var task = 0; task < graph.Count; task++)
            {
                Assert.All(graph.Upstream(task), upstream => Assert.True(position[upstream] < position[task]));
            }
        }
    }

    [Fact]
    public void Layers_PlaceEachTaskBelowItsDeepestUpstream()
    {
        var graph = DagGraph.Create(TestDags.Tasks("a", "b: a", "c: a", "d: b c", "e: a d"));

        var layers = graph.Layers.Select(layer => layer.Select(i => graph.TaskIds[i].Value).Order().ToArray()).ToArray();

        Assert.Equal([["a"], ["b", "c"], ["d"], ["e"]], layers);
        Assert.Equal(["e"], graph.Leaves().Select(i => graph.TaskIds[i].Value));
    }

    [Fact]
    public void RepeatedDependency_IsOneEdge()
    {
        var graph = DagGraph.Create(TestDags.Tasks("a", "b: a a"));

        Assert.Single(graph.Upstream(graph.IndexOf(new TaskId("b"))));
    }

    [Fact]
    public void HundredThousandTaskChain_BuildsWithoutStackOverflow()
    {
        var tasks = Enumerable.Range(0, 100_000).Select(i => new TaskDefinition
        {
            Id = new TaskId($"t{i}"),
            Type = "empty",
            DependsOn = i == 0 ? [] : [new TaskId($"t{i - 1}")],
        }).ToList();

        var graph = DagGraph.Create(tasks);

        Assert.Equal(100_000, graph.Layers.Count);
        Assert.Equal(0, graph.TopologicalOrder[0]);
    }

    [Fact]
    public void IsAncestor_FollowsIndirectEdges()
    {
        var graph = DagGraph.Create(TestDags.Tasks("a", "b: a", "c: b", "d"));

        Assert.True(graph.IsAncestor(graph.IndexOf(new TaskId("a")), graph.IndexOf(new TaskId("c"))));
        Assert.False(graph.IsAncestor(graph.IndexOf(new TaskId("d")), graph.IndexOf(new TaskId("c"))));
    }
}
