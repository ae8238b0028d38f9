using Orchestrator.Core.Graph;
using Orchestrator.Core.Model;
using Orchestrator.Core.Pools;

namespace Orchestrator.Core.Tests.Pools;

public class PriorityWeightsTests
{
    // Shapes below are "task: upstream …" lines (TestDags); weights are given in declaration order.

    [Theory]
    [InlineData(WeightRule.Downstream, new[] { 6, 5, 3 })]
    [InlineData(WeightRule.Upstream, new[] { 1, 3, 6 })]
    [InlineData(WeightRule.Absolute, new[] { 1, 2, 3 })]
    public void Chain(WeightRule rule, int[] expected) =>
        Assert.Equal(expected, Effective(["a", "b: a", "c: b"], [1, 2, 3], rule));

    [Theory]
    [InlineData(WeightRule.Downstream, new[] { 1111, 1010, 1100, 1000 })] // d counted once from a, not once per path
    [InlineData(WeightRule.Upstream, new[] { 1, 11, 101, 1111 })]
    [InlineData(WeightRule.Absolute, new[] { 1, 10, 100, 1000 })]
    public void Diamond_CountsEachTaskOnce(WeightRule rule, int[] expected) =>
        Assert.Equal(expected, Effective(["a", "b: a", "c: a", "d: b c"], [1, 10, 100, 1000], rule));

    [Theory]
    [InlineData(WeightRule.Downstream, new[] { 15, 2, 4, 8 })]
    [InlineData(WeightRule.Upstream, new[] { 1, 3, 5, 9 })]
    public void FanOut(WeightRule rule, int[] expected) =>
        Assert.Equal(expected, Effective(["root", "x: root", "y: root", "z: root"], [1, 2, 4, 8], rule));

    [Theory]
    [InlineData(WeightRule.Downstream, new[] { 9, 10, 12, 8 })]
    [InlineData(WeightRule.Upstream, new[] { 1, 2, 4, 15 })]
    public void FanIn(WeightRule rule, int[] expected) =>
        Assert.Equal(expected, Effective(["x", "y", "z", "join: x y z"], [1, 2, 4, 8], rule));

    [Theory]
    [InlineData(WeightRule.Downstream)]
    [InlineData(WeightRule.Upstream)]
    [InlineData(WeightRule.Absolute)]
    public void DisconnectedTasks_KeepTheirOwnWeight(WeightRule rule) =>
        Assert.Equal([5, -3, 0], Effective(["a", "b", "c"], [5, -3, 0], rule));

    [Fact]
    public void NegativeWeights_AddUp()
    {
        Assert.Equal([-6, -5, -3], Effective(["a", "b: a", "c: b"], [-1, -2, -3], WeightRule.Downstream));
        Assert.Equal([4, -1, 5], Effective(["a", "b: a", "c: a"], [0, -1, 5], WeightRule.Downstream));
    }

    [Fact]
    public void DeclarationOrder_IsTheIndexOrder_NotTheTopologicalOrder()
    {
        // c is declared first but is the leaf: its weight stays at index 0.
        Assert.Equal([3, 5, 6], Effective(["c: b", "b: a", "a"], [3, 2, 1], WeightRule.Downstream));
    }

    [Fact]
    public void EachTask_UsesItsOwnRule()
    {
        var tasks = Tasks(["a", "b: a", "c: b"], [1, 2, 4]);
        tasks[0] = With(tasks[0], WeightRule.Absolute);
        tasks[1] = With(tasks[1], WeightRule.Upstream);
        tasks[2] = With(tasks[2], WeightRule.Downstream);

        Assert.Equal([1, 3, 4], PriorityWeights.Effective(Graph(tasks), tasks));
    }

    [Fact]
    public void Sums_SaturateAtIntMaxValue_AndIntMinValue()
    {
        int[] big = [int.MaxValue, int.MaxValue, int.MaxValue];
        Assert.Equal([int.MaxValue, int.MaxValue, int.MaxValue], Effective(["a", "b: a", "c: b"], big, WeightRule.Downstream));
        Assert.Equal([int.MaxValue, int.MaxValue, int.MaxValue], Effective(["a", "b: a", "c: b"], big, WeightRule.Upstream));
        int[] small = [int.MinValue, int.MinValue];
        Assert.Equal([int.MinValue, int.MinValue], Effective(["a", "b: a"], small, WeightRule.Downstream));
        Assert.Equal([int.MaxValue, 1], Effective(["a", "b: a"], [int.MaxValue, 1], WeightRule.Downstream));
    }

    [Fact]
    public void Sums_AreExact_WhenOnlyAPartialSumWouldOverflow()
    {
        // MaxValue + MaxValue overflows on the way, but the whole sum fits: it must not be clamped early.
        Assert.Equal([int.MaxValue - 1, -1, int.MinValue], Effective(["a", "b: a", "c: b"], [int.MaxValue, int.MaxValue, int.MinValue], WeightRule.Downstream));
    }

    [Fact]
    public void EveryDagUpToFiveTasks_MatchesBruteForceReachability()
    {
        var random = new Random(12);
        var checkedGraphs = 0;
        for (var n = 1; n <= 5; n++)
        {
            var pairs = (from i in Enumerable.Range(0, n) from j in Enumerable.Range(i + 1, n - i - 1) select (i, j)).ToArray();
            for (var mask = 0; mask < 1 << pairs.Length; mask++)
            {
                // Every DAG on n tasks is some edge set i -> j with i < j, up to renaming; declare the tasks in a
                // shuffled order so declaration order and topological order differ.
                var edges = pairs.Where((_, bit) => (mask & (1 << bit)) != 0).ToArray();
                var declared = Enumerable.Range(0, n).OrderBy(_ => random.Next()).ToArray();
                foreach (var weights in new[] { SmallWeights(random, n), ExtremeWeights(random, n) })
                {
                    foreach (var rules in RuleChoices(random, n))
                    {
                        var tasks = Declare(n, edges, declared, weights, rules);
                        var expected = BruteForce(n, edges, declared, weights, rules);

                        Assert.Equal(expected, PriorityWeights.Effective(Graph(tasks), tasks));
                    }
                }

                checkedGraphs++;
            }
        }

        Assert.Equal(1 + 2 + 8 + 64 + 1024, checkedGraphs);
    }

    /// <summary>The oracle: reachability by Warshall's transitive closure of a boolean matrix (no graph walk), sums in BigInteger.</summary>
    private static int[] BruteForce(int n, (int From, int To)[] edges, int[] declared, int[] weights, WeightRule[] rules)
    {
        var reach = new bool[n, n];
        for (var i = 0; i < n; i++)
        {
            reach[i, i] = true;
        }

        foreach (var (from, to) in edges)
        {
            reach[from, to] = true;
        }

        for (var k = 0; k < n; k++)
        {
            for (var i = 0; i < n; i++)
            {
                for (var j = 0; j < n; j++)
                {
                    reach[i, j] |= reach[i, k] && reach[k, j];
                }
            }
        }

        // Result index = declaration position; node declared[p] sits at position p.
        var result = new int[n];
        for (var p = 0; p < n; p++)
        {
            var node = declared[p];
            System.Numerics.BigInteger sum = 0;
            for (var q = 0; q < n; q++)
            {
                var other = declared[q];
                var counts = rules[p] switch
                {
                    WeightRule.Absolute => other == node,
                    WeightRule.Upstream => reach[other, node],
                    _ => reach[node, other],
                };
                if (counts)
                {
                    sum += weights[q];
                }
            }

            result[p] = sum > int.MaxValue ? int.MaxValue : sum < int.MinValue ? int.MinValue : (int)sum;
        }

        return result;
    }

    private static List<TaskDefinition> Declare(int n, (int From, int To)[] edges, int[] declared, int[] weights, WeightRule[] rules) =>
        [.. Enumerable.Range(0, n).Select(p => new TaskDefinition
        {
            Id = new TaskId($"t{declared[p]}"),
            Type = "empty",
            DependsOn = [.. edges.Where(e => e.To == declared[p]).Select(e => new TaskId($"t{e.From}"))],
            PriorityWeight = weights[p],
            WeightRule = rules[p],
        })];

    private static int[] SmallWeights(Random random, int n) => [.. Enumerable.Range(0, n).Select(_ => random.Next(-5, 20))];

    private static int[] ExtremeWeights(Random random, int n)
    {
        int[] pool = [int.MaxValue, int.MinValue, int.MaxValue - 1, int.MinValue + 1, 1 << 30, -(1 << 30), 0, 1, -1];
        return [.. Enumerable.Range(0, n).Select(_ => pool[random.Next(pool.Length)])];
    }

    private static IEnumerable<WeightRule[]> RuleChoices(Random random, int n)
    {
        foreach (var rule in Enum.GetValues<WeightRule>())
        {
            yield return Enumerable.Repeat(rule, n).ToArray();
        }

        yield return [.. Enumerable.Range(0, n).Select(_ => (WeightRule)random.Next(3))];
    }

    private static int[] Effective(string[] shape, int[] weights, WeightRule rule)
    {
        var tasks = Tasks(shape, weights).Select(t => With(t, rule)).ToList();
        return [.. PriorityWeights.Effective(Graph(tasks), tasks)];
    }

    private static List<TaskDefinition> Tasks(string[] shape, int[] weights) =>
        [.. TestDags.Tasks(shape).Select((task, i) => new TaskDefinition { Id = task.Id, Type = task.Type, DependsOn = task.DependsOn, PriorityWeight = weights[i] })];

    private static TaskDefinition With(TaskDefinition task, WeightRule rule) =>
        new() { Id = task.Id, Type = task.Type, DependsOn = task.DependsOn, PriorityWeight = task.PriorityWeight, WeightRule = rule };

    private static DagGraph Graph(IReadOnlyList<TaskDefinition> tasks) =>
        DagGraph.Build(tasks).Graph ?? throw new InvalidOperationException("test DAG is not valid");
}
