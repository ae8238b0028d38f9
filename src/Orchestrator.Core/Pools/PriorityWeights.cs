using Orchestrator.Core.Graph;
using Orchestrator.Core.Model;

namespace Orchestrator.Core.Pools;

/// <summary>Effective priority weights of a DAG's tasks under their <see cref="WeightRule"/>: downstream sums the task's
/// own weight and those of every task reachable downstream (each counted once), upstream the same towards the roots,
/// absolute is the own weight. Saturates at <see cref="int.MaxValue"/> instead of overflowing.</summary>
public static class PriorityWeights
{
    /// <summary>One weight per task, indexed like <paramref name="graph"/> (and the definition's task list).</summary>
    public static IReadOnlyList<int> Effective(DagGraph graph, IReadOnlyList<TaskDefinition> tasks)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(tasks);
        var weights = new int[graph.Count];
        for (var task = 0; task < graph.Count; task++)
        {
            weights[task] = tasks[task].WeightRule switch
            {
                WeightRule.Absolute => tasks[task].PriorityWeight,
                WeightRule.Upstream => SumReachable(task, graph.Upstream, tasks),
                _ => SumReachable(task, graph.Downstream, tasks),
            };
        }

        return weights;
    }

    private static int SumReachable(int start, Func<int, IReadOnlyList<int>> next, IReadOnlyList<TaskDefinition> tasks)
    {
        var seen = new HashSet<int> { start };
        var stack = new Stack<int>();
        stack.Push(start);
        long sum = 0;
        while (stack.Count > 0)
        {
            var task = stack.Pop();
            sum += tasks[task].PriorityWeight;
            foreach (var neighbour in next(task))
            {
                if (seen.Add(neighbour))
                {
                    stack.Push(neighbour);
                }
            }
        }

        return (int)Math.Clamp(sum, int.MinValue, int.MaxValue);
    }
}
