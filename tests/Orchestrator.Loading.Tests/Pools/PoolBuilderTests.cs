using System.Text;
using Orchestrator.Core.Authoring;
using Orchestrator.Core.Model;
using Orchestrator.Core.Pools;
using Orchestrator.Core.Validation;
using Orchestrator.Loading.CSharp;
using Orchestrator.Loading.Json;

namespace Orchestrator.Loading.Tests.Pools;

/// <summary>The C# builder's Pool, PoolSlots, PriorityWeight and WeightRule: the same settings, defaults and checks as
/// the JSON fields, with errors naming the task.</summary>
public sealed class PoolBuilderTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("orchestrator-pools-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void FluentSettings_ReachTheTask()
    {
        var dag = new DagBuilder("a");
        dag.Empty("train").Pool("training", slots: 2).PriorityWeight(10).WeightRule(WeightRule.Absolute);
        dag.Empty("plain");

        var built = dag.Build();

        Assert.Equal(("training", 2, 10, WeightRule.Absolute), Settings(built.Tasks[0]));
        Assert.Equal(((string?)null, 1, 1, WeightRule.Downstream), Settings(built.Tasks[1]));
    }

    [Fact]
    public void Defaults_ApplyUnlessTheTaskSaysOtherwise()
    {
        var dag = new DagBuilder("a").WithDefaults(d =>
        {
            d.Pool = "shared";
            d.PoolSlots = 2;
            d.PriorityWeight = 5;
            d.WeightRule = WeightRule.Upstream;
        });
        dag.Empty("inherits");
        dag.Empty("own").Pool("gpu", slots: 4).PriorityWeight(-3).WeightRule(WeightRule.Downstream);
        dag.Empty("pool_only").Pool("gpu"); // no slots given: the defaults' 2
        dag.Empty("slots_only").PoolSlots(1); // the defaults' pool

        var built = dag.Build();

        Assert.Equal(("shared", 2, 5, WeightRule.Upstream), Settings(built.Tasks[0]));
        Assert.Equal(("gpu", 4, -3, WeightRule.Downstream), Settings(built.Tasks[1]));
        Assert.Equal(("gpu", 2, 5, WeightRule.Upstream), Settings(built.Tasks[2]));
        Assert.Equal(("shared", 1, 5, WeightRule.Upstream), Settings(built.Tasks[3]));
    }

    [Theory]
    [InlineData("my pool", 1, "tasks[0].pool", "task 'train': 'my pool' is not a pool name; expected 1-64 ASCII letters, digits, '_', '-' or '.' (not dots alone)")]
    [InlineData("", 1, "tasks[0].pool", "task 'train': '' is not a pool name")]
    [InlineData("p", 0, "tasks[0].poolSlots", "task 'train': poolSlots must be at least 1, not 0")]
    [InlineData("p", 100_001, "tasks[0].poolSlots", "task 'train': poolSlots must be at most 100,000 (the most a pool can have), not 100001")]
    [InlineData(".", 1, "tasks[0].pool", "task 'train': '.' is not a pool name")]
    [InlineData("p", -5, "tasks[0].poolSlots", "task 'train': poolSlots must be at least 1, not -5")]
    public void BadValues_AreErrorsNamingTheTaskAndField(string pool, int slots, string field, string message)
    {
        var dag = new DagBuilder("a");
        dag.Empty("train").Pool(pool, slots);

        var error = Assert.Single(dag.TryBuild().Errors);

        Assert.Equal(field, error.Location.Field);
        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
        Assert.EndsWith(nameof(PoolBuilderTests) + ".cs", error.Location.File, StringComparison.Ordinal);
        Assert.True(error.Location.Line > 0);
    }

    [Fact]
    public void PoolSlotsWithoutAPool_IsAnError()
    {
        var dag = new DagBuilder("a");
        dag.Empty("train").PoolSlots(2);

        var error = Assert.Single(dag.TryBuild().Errors);

        Assert.Equal(("tasks[0].poolSlots", "task 'train': poolSlots needs a pool; set the task's pool or a pool in the defaults"), (error.Location.Field, error.Message));
    }

    [Fact]
    public void BadDefaults_AreReportedOnce_NotForEveryTask()
    {
        var dag = new DagBuilder("a").WithDefaults(d => d.Pool = "bad name");
        dag.Empty("x");
        dag.Empty("y");

        var error = Assert.Single(dag.TryBuild().Errors);

        Assert.Equal(("defaults.pool", "defaults: 'bad name' is not a pool name; expected 1-64 ASCII letters, digits, '_', '-' or '.' (not dots alone)"), (error.Location.Field, error.Message));
    }

    [Theory]
    [InlineData(null, 2, "defaults.poolSlots", "defaults: poolSlots needs a pool; set pool in the defaults too")]
    [InlineData("p", 0, "defaults.poolSlots", "defaults: poolSlots must be at least 1, not 0")]
    public void BadDefaultSlots_AreErrors(string? pool, int slots, string field, string message)
    {
        var dag = new DagBuilder("a").WithDefaults(d => (d.Pool, d.PoolSlots) = (pool, slots));
        dag.Empty("x").Pool("own");

        var error = Assert.Single(dag.TryBuild().Errors);

        Assert.Equal((field, message), (error.Location.Field, error.Message));
    }

    [Fact]
    public void APoolThatNoStoreKnows_IsFine()
    {
        var dag = new DagBuilder("a");
        dag.Empty("x").Pool("created_later");

        Assert.Equal("created_later", dag.Build().Tasks[0].Pool);
    }

    [Fact]
    public void Pool_RefusesNull()
    {
        Assert.Throws<ArgumentNullException>(() => new DagBuilder("a").Empty("x").Pool(null!));
    }

    [Fact]
    public async Task JsonAndCSharp_GiveTheSameTasks()
    {
        var json = await new JsonDagFileLoader(new DagLoaderOptions { KnownTaskTypes = new HashSet<string> { "empty" } }).LoadAsync("a.json", Encoding.UTF8.GetBytes("""
            {"id": "a", "defaults": {"pool": "shared", "priorityWeight": 3, "weightRule": "upstream"}, "tasks": [
              {"id": "x", "type": "empty"},
              {"id": "y", "type": "empty", "dependsOn": "x", "pool": "gpu", "poolSlots": 2, "priorityWeight": -4, "weightRule": "absolute"}
            ]}
            """), CancellationToken.None);
        var builder = new DagBuilder("a").WithDefaults(d => (d.Pool, d.PriorityWeight, d.WeightRule) = ("shared", 3, WeightRule.Upstream));
        var x = builder.Empty("x");
        builder.Empty("y").DependsOn(x).Pool("gpu", slots: 2).PriorityWeight(-4).WeightRule(WeightRule.Absolute);

        Assert.Empty(json.Errors);
        Assert.Equal(builder.Build().Tasks.Select(Settings), Assert.Single(json.Dags).Definition.Tasks.Select(Settings));
    }

    [Fact]
    public async Task ACSharpDagFile_UsesTheBuilderAndWeightRuleWithoutAUsing()
    {
        var file = Path.Combine(_folder, "Pools.cs");
        var code = """
            public sealed class PooledDag : IDagDefinition
            {
                public void Define(DagBuilder dag)
                {
                    dag.WithDefaults(d => d.PriorityWeight = 2);
                    dag.Empty("train").Pool("training", slots: 2).PriorityWeight(10).WeightRule(WeightRule.Absolute);
                    dag.Empty("bad").PoolSlots(3);
                }
            }
            """;
        await File.WriteAllTextAsync(file, code);
        using var loader = new CSharpDagFileLoader(new DagLoaderOptions { DefineTimeout = TimeSpan.FromSeconds(30), KnownTaskTypes = new HashSet<string> { "empty" } });

        var result = await loader.LoadAsync(file, Encoding.UTF8.GetBytes(code), CancellationToken.None);

        var error = Assert.Single(result.Errors);
        Assert.Equal((7, "tasks[1].poolSlots"), (error.Location.Line, error.Location.Field));
        Assert.Equal("task 'bad': poolSlots needs a pool; set the task's pool or a pool in the defaults", error.Message);

        await File.WriteAllTextAsync(file, code.Replace("PoolSlots(3)", "Pool(\"other\")", StringComparison.Ordinal));
        var fixedResult = await loader.LoadAsync(file, Encoding.UTF8.GetBytes(code.Replace("PoolSlots(3)", "Pool(\"other\")", StringComparison.Ordinal)), CancellationToken.None);

        Assert.Empty(fixedResult.Errors);
        var tasks = Assert.Single(fixedResult.Dags).Definition.Tasks;
        Assert.Equal(("training", 2, 10, WeightRule.Absolute), Settings(tasks[0]));
        Assert.Equal(("other", 1, 2, WeightRule.Downstream), Settings(tasks[1]));
    }

    private static (string?, int, int, WeightRule) Settings(TaskDefinition task) => (task.Pool, task.PoolSlots, task.PriorityWeight, task.WeightRule);
}
