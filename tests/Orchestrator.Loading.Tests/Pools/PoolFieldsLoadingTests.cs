using System.Text;
using Orchestrator.Core.Model;
using Orchestrator.Core.Pools;
using Orchestrator.Loading.Json;

namespace Orchestrator.Loading.Tests.Pools;

/// <summary>pool, poolSlots, priorityWeight and weightRule in JSON DAGs: read on tasks and in defaults, every bad value
/// an import error at its key.</summary>
public class PoolFieldsLoadingTests
{
    private const string File = "dags/pools.json";

    [Fact]
    public async Task Fields_AreRead_OnATask()
    {
        var dag = await LoadValidAsync("""
            {"id": "a", "tasks": [
              {"id": "train", "type": "empty", "pool": "gpu.A-100_x", "poolSlots": 3, "priorityWeight": -7, "weightRule": "upstream"}
            ]}
            """);

        var task = Assert.Single(dag.Tasks);
        Assert.Equal(("gpu.A-100_x", 3, -7, WeightRule.Upstream), (task.Pool, task.PoolSlots, task.PriorityWeight, task.WeightRule));
    }

    [Fact]
    public async Task Unset_GivesNoPool_OneSlot_WeightOne_Downstream()
    {
        var dag = await LoadValidAsync("""{"id": "a", "tasks": [{"id": "x", "type": "empty"}]}""");

        var task = Assert.Single(dag.Tasks);
        Assert.Equal(((string?)null, 1, 1, WeightRule.Downstream), (task.Pool, task.PoolSlots, task.PriorityWeight, task.WeightRule));
    }

    [Fact]
    public async Task Defaults_ApplyToTasksThatDoNotSayThemselves_AndATasksOwnValueWins()
    {
        var dag = await LoadValidAsync("""
            {"id": "a",
             "defaults": {"pool": "shared", "poolSlots": 2, "priorityWeight": 5, "weightRule": "absolute"},
             "tasks": [
               {"id": "inherits", "type": "empty"},
               {"id": "own", "type": "empty", "pool": "gpu", "poolSlots": 4, "priorityWeight": -1, "weightRule": "downstream"},
               {"id": "slots_only", "type": "empty", "poolSlots": 1},
               {"id": "null_means_unsaid", "type": "empty", "pool": null, "poolSlots": null, "priorityWeight": null, "weightRule": null}
             ]}
            """);

        Assert.Equal(("shared", 2, 5, WeightRule.Absolute), Settings(dag.Tasks[0]));
        Assert.Equal(("gpu", 4, -1, WeightRule.Downstream), Settings(dag.Tasks[1]));
        Assert.Equal(("shared", 1, 5, WeightRule.Absolute), Settings(dag.Tasks[2]));
        Assert.Equal(("shared", 2, 5, WeightRule.Absolute), Settings(dag.Tasks[3]));
    }

    [Fact]
    public async Task ATasksPoolSlots_MayUseThePoolOfTheDefaults()
    {
        var dag = await LoadValidAsync("""{"id": "a", "defaults": {"pool": "p"}, "tasks": [{"id": "x", "type": "empty", "poolSlots": 3}]}""");

        Assert.Equal(("p", 3), (dag.Tasks[0].Pool, dag.Tasks[0].PoolSlots));
    }

    [Theory]
    [InlineData(int.MaxValue)]
    [InlineData(int.MinValue)]
    [InlineData(0)]
    public async Task PriorityWeight_TakesAnyInt(int weight)
    {
        var dag = await LoadValidAsync($$"""{"id": "a", "tasks": [{"id": "x", "type": "empty", "priorityWeight": {{weight}}}]}""");

        Assert.Equal(weight, dag.Tasks[0].PriorityWeight);
    }

    [Fact]
    public async Task AnUnknownPool_IsNotAnImportError()
    {
        // Pools are runtime configuration: one may be created after the DAG is written.
        var dag = await LoadValidAsync("""{"id": "a", "tasks": [{"id": "x", "type": "empty", "pool": "not_created_yet"}]}""");

        Assert.Equal("not_created_yet", dag.Tasks[0].Pool);
    }

    // Each case: a file and the one error it must give, "file:line:col (field): message"; the position is the key's.
    [Theory]
    [InlineData("""
        {"id": "a", "tasks": [
          {"id": "x", "type": "empty",
           "pool": "my pool"}
        ]}
        """, "dags/pools.json:3:4 (tasks[0].pool): 'my pool' is not a pool name; expected 1-64 ASCII letters, digits, '_', '-' or '.' (not dots alone)")]
    [InlineData("""
        {"id": "a", "tasks": [{"id": "x", "type": "empty", "pool": ""}]}
        """, "dags/pools.json:1:52 (tasks[0].pool): '' is not a pool name; expected 1-64")]
    [InlineData("""
        {"id": "a", "tasks": [{"id": "x", "type": "empty", "pool": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}]}
        """, "(tasks[0].pool): 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' is not a pool name")]
    [InlineData("""
        {"id": "a", "tasks": [{"id": "x", "type": "empty", "pool": 7}]}
        """, "dags/pools.json:1:52 (tasks[0].pool): expected a string, found number 7")]
    [InlineData("""
        {"id": "a", "tasks": [
          {"id": "x", "type": "empty", "pool": "p",
           "poolSlots": 0}
        ]}
        """, "dags/pools.json:3:4 (tasks[0].poolSlots): expected a whole number ≥ 1, found number 0")]
    [InlineData("""
        {"id": "a", "tasks": [{"id": "x", "type": "empty", "pool": "p", "poolSlots": 1.5}]}
        """, "(tasks[0].poolSlots): expected a whole number ≥ 1, found number 1.5")]
    [InlineData("""
        {"id": "a", "tasks": [{"id": "x", "type": "empty", "pool": "p", "poolSlots": "2"}]}
        """, "(tasks[0].poolSlots): expected a whole number ≥ 1, found \"2\"")]
    [InlineData("""
        {"id": "a", "tasks": [{"id": "x", "type": "empty", "pool": "p", "poolSlots": 2147483648}]}
        """, "(tasks[0].poolSlots): expected a whole number ≥ 1, found number 2147483648")]
    [InlineData("""
        {"id": "a", "tasks": [
          {"id": "x", "type": "empty",
           "poolSlots": 2}
        ]}
        """, "dags/pools.json:3:4 (tasks[0].poolSlots): task 'x': poolSlots needs a pool; set the task's pool or a pool in the defaults")]
    [InlineData("""
        {"id": "a", "defaults": {"poolSlots": 2}, "tasks": [{"id": "x", "type": "empty", "pool": "p"}]}
        """, "dags/pools.json:1:26 (defaults.poolSlots): defaults: poolSlots needs a pool; set pool in the defaults too")]
    [InlineData("""
        {"id": "a", "tasks": [{"id": "x", "type": "empty", "priorityWeight": 2147483648}]}
        """, "dags/pools.json:1:52 (tasks[0].priorityWeight): expected a whole number from -2147483648 to 2147483647, found number 2147483648")]
    [InlineData("""
        {"id": "a", "tasks": [{"id": "x", "type": "empty", "priorityWeight": -2147483649}]}
        """, "(tasks[0].priorityWeight): expected a whole number from -2147483648 to 2147483647, found number -2147483649")]
    [InlineData("""
        {"id": "a", "tasks": [{"id": "x", "type": "empty", "priorityWeight": 2.5}]}
        """, "(tasks[0].priorityWeight): expected a whole number from -2147483648 to 2147483647, found number 2.5")]
    [InlineData("""
        {"id": "a", "tasks": [{"id": "x", "type": "empty", "priorityWeight": "high"}]}
        """, "(tasks[0].priorityWeight): expected a whole number from -2147483648 to 2147483647, found \"high\"")]
    [InlineData("""
        {"id": "a", "tasks": [{"id": "x", "type": "empty", "weightRule": "upstrem"}]}
        """, "dags/pools.json:1:52 (tasks[0].weightRule): unknown weightRule 'upstrem'; did you mean 'upstream'? expected one of downstream, upstream, absolute")]
    [InlineData("""
        {"id": "a", "tasks": [{"id": "x", "type": "empty", "weightRule": "Downstream"}]}
        """, "(tasks[0].weightRule): unknown weightRule 'Downstream'; did you mean 'downstream'?")]
    [InlineData("""
        {"id": "a", "tasks": [{"id": "x", "type": "empty", "weightRule": 1}]}
        """, "(tasks[0].weightRule): expected a string, found number 1")]
    [InlineData("""
        {"id": "a", "defaults": {"pool": "a b"}, "tasks": [{"id": "x", "type": "empty"}]}
        """, "dags/pools.json:1:26 (defaults.pool): 'a b' is not a pool name")]
    [InlineData("""
        {"id": "a", "defaults": {"pool": "p", "poolSlots": -1}, "tasks": [{"id": "x", "type": "empty"}]}
        """, "dags/pools.json:1:39 (defaults.poolSlots): expected a whole number ≥ 1, found number -1")]
    [InlineData("""
        {"id": "a", "defaults": {"priorityWeight": true}, "tasks": [{"id": "x", "type": "empty"}]}
        """, "(defaults.priorityWeight): expected a whole number from -2147483648 to 2147483647, found true")]
    [InlineData("""
        {"id": "a", "defaults": {"weightRule": "total"}, "tasks": [{"id": "x", "type": "empty"}]}
        """, "(defaults.weightRule): unknown weightRule 'total'; expected one of downstream, upstream, absolute")]
    [InlineData("""
        {"id": "a", "tasks": [{"id": "x", "type": "empty", "poolslots": 2}]}
        """, "(tasks[0].poolslots): unknown property 'poolslots'; did you mean 'poolSlots'?")]
    [InlineData("""
        {"id": "a", "tasks": [{"id": "x", "type": "empty", "priority_weight": 2}]}
        """, "(tasks[0].priority_weight): unknown property 'priority_weight'; did you mean 'priorityWeight'?")]
    public async Task BadValue_GivesOneErrorAtItsKey(string json, string expected)
    {
        var result = await LoadAsync(json);

        Assert.Empty(result.Dags);
        var error = Assert.Single(result.Errors);
        Assert.Contains(expected, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AMisspeltPool_IsReportedOnce_NotAlsoAsPoolSlotsWithoutAPool()
    {
        var result = await LoadAsync("""{"id": "a", "tasks": [{"id": "x", "type": "empty", "pool": "a b", "poolSlots": 2}]}""");

        Assert.Equal(["tasks[0].pool"], result.Errors.Select(e => e.Location.Field));
    }

    [Fact]
    public async Task EveryBadPoolField_IsReportedAtOnce()
    {
        var result = await LoadAsync("""
            {"id": "a", "defaults": {"weightRule": "x"}, "tasks": [
              {"id": "x", "type": "empty", "pool": "?", "poolSlots": 0, "priorityWeight": 1e10}
            ]}
            """);

        Assert.Equal(["defaults.weightRule", "tasks[0].pool", "tasks[0].poolSlots", "tasks[0].priorityWeight"],
            result.Errors.Select(e => e.Location.Field).Order(StringComparer.Ordinal));
        Assert.All(result.Errors, e => Assert.True(e.Location is { File: File, Line: > 0, Column: > 0 }, e.ToString()));
    }

    private static (string?, int, int, WeightRule) Settings(TaskDefinition task) => (task.Pool, task.PoolSlots, task.PriorityWeight, task.WeightRule);

    private static async Task<DagDefinition> LoadValidAsync(string json)
    {
        var result = await LoadAsync(json);
        Assert.Empty(result.Errors);
        return Assert.Single(result.Dags).Definition;
    }

    private static Task<DagFileLoadResult> LoadAsync(string json)
    {
        var loader = new JsonDagFileLoader(new DagLoaderOptions { KnownTaskTypes = new HashSet<string> { "empty" } });
        return loader.LoadAsync(File, Encoding.UTF8.GetBytes(json), CancellationToken.None);
    }
}
