using Orchestrator.Core.Authoring;
using Orchestrator.Core.Model;
using Orchestrator.Core.States;

namespace Orchestrator.Engine.Tests;

/// <summary>A finished task's output must be part of the run before anything downstream can start: a worker may be
/// handed the downstream task before the coordinator's commit call even returns.</summary>
public class OutputVisibilityTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task EveryDownstreamTask_SeesItsUpstreamOutput_InAFanOutAndALongChain(bool inline)
    {
        await using var engine = await EngineFixture.StartAsync(workers: 4, inline: inline);
        var dag = new DagBuilder("flow");
        var root = dag.Shell("t0", """echo '{"v": "root"}'""");
        for (var i = 0; i < 30; i++)
        {
            dag.Shell($"fan{i}", "echo {{ outputs.t0.v }}-" + i).DependsOn(root);
        }

        var previous = root;
        for (var i = 1; i <= 40; i++)
        {
            var link = dag.Shell($"c{i}", i == 1 ? "echo {{ outputs.t0.v }}" : $"echo {{{{ outputs.c{i - 1} }}}}x").DependsOn(previous);
            previous = link;
        }

        var loaded = engine.Register(dag);
        var runs = new List<RunId>();
        for (var i = 0; i < 3; i++)
        {
            runs.Add(await engine.TriggerAsync(loaded));
        }

        foreach (var run in runs)
        {
            Assert.Equal(DagRunState.Success, await engine.FinishedAsync(run));
            var outputs = await engine.Store.Outputs.GetAllAsync(run, default);
            Assert.Equal("\"root-17\"", outputs[new TaskId("fan17")]);
            Assert.Equal("\"root" + new string('x', 39) + "\"", outputs[new TaskId("c40")]);
        }
    }
}
