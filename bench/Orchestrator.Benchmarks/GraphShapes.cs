using Orchestrator.Core.Model;

namespace Orchestrator.Benchmarks;

/// <summary>DAG shapes used by more than one benchmark.</summary>
internal static class GraphShapes
{
    public static DagDefinition Random(int count, int seed)
    {
        var random = new Random(seed);
        var tasks = new TaskDefinition[count];
        for (var i = 0; i < count; i++)
        {
            var dependsOn = new List<TaskId>(3);
            for (var k = 0; k < 3 && i > 0; k++)
            {
                var upstream = new TaskId($"t{Math.Max(0, i - 1 - random.Next(50))}");
                if (!dependsOn.Contains(upstream))
                {
                    dependsOn.Add(upstream);
                }
            }

            tasks[i] = new TaskDefinition { Id = new TaskId($"t{i}"), Type = "empty", DependsOn = dependsOn };
        }

        return new DagDefinition { Id = new DagId("bench_random"), Tasks = tasks };
    }

    public static DagDefinition Chain(int count)
    {
        var tasks = new TaskDefinition[count];
        for (var i = 0; i < count; i++)
        {
            tasks[i] = new TaskDefinition
            {
                Id = new TaskId($"t{i}"),
                Type = "empty",
                DependsOn = i == 0 ? [] : [new TaskId($"t{i - 1}")],
            };
        }

        return new DagDefinition { Id = new DagId("bench_chain"), Tasks = tasks };
    }
}
