using Orchestrator.Core.Authoring;
using Orchestrator.Core.Retries;
using Orchestrator.Core.TriggerRules;
using Orchestrator.Core.Validation;

namespace Orchestrator.Core.Tests.Authoring;

public class DagBuilderTests
{
    [Fact]
    public void Defaults_ApplyToTasks_ThatDoNotSetTheirOwn()
    {
        var dag = new DagBuilder("etl").WithDefaults(d =>
        {
            d.Retries = 2;
            d.RetryDelay = TimeSpan.FromSeconds(10);
            d.RetryBackoff = RetryBackoff.Exponential;
            d.Timeout = TimeSpan.FromMinutes(30);
        });
        var extract = dag.Shell("extract", "echo 1");
        dag.Empty("load").DependsOn(extract).Retries(0).Timeout("1m").TriggerRule(TriggerRule.AllDone);

        var built = dag.Build();

        Assert.Equal(new RetryPolicy { Retries = 2, Delay = TimeSpan.FromSeconds(10), Backoff = RetryBackoff.Exponential }, built.Tasks[0].Retry);
        Assert.Equal(TimeSpan.FromMinutes(30), built.Tasks[0].Timeout);
        Assert.Equal(0, built.Tasks[1].Retry.Retries);
        Assert.Equal(RetryBackoff.Exponential, built.Tasks[1].Retry.Backoff);
        Assert.Equal(TimeSpan.FromMinutes(1), built.Tasks[1].Timeout);
        Assert.Equal(TriggerRule.AllDone, built.Tasks[1].TriggerRule);
        Assert.Equal(["extract"], built.Tasks[1].DependsOn.Select(d => d.Value));
    }

    [Fact]
    public void Tasks_RememberTheFileAndLineThatDeclaredThem()
    {
        var dag = new DagBuilder("etl");
        var line = new System.Diagnostics.StackFrame(0, true).GetFileLineNumber() + 1;
        dag.Empty("a");

        var task = dag.Build().Tasks[0];

        Assert.Equal(line, task.Location.Line);
        Assert.EndsWith("DagBuilderTests.cs", task.Location.File, StringComparison.Ordinal);
    }

    [Fact]
    public void Then_ChainsLeftToRight()
    {
        var dag = new DagBuilder("etl");
        dag.Empty("a").Then(dag.Empty("b")).Then(dag.Empty("c"));

        var built = dag.Build();

        Assert.Equal(["b"], built.Tasks[2].DependsOn.Select(d => d.Value));
    }

    [Fact]
    public void Build_ReportsEveryError_NotJustTheFirst()
    {
        var dag = new DagBuilder("etl").Schedule("61 * * * *");
        dag.Empty("a").DependsOn("b");
        dag.Empty("b").DependsOn("a");
        dag.Empty("bad id!");

        var error = Assert.Throws<DagDefinitionException>(() => dag.Build());

        Assert.Equal(
            ["task id 'bad id!' may contain only letters, digits, '_', '-' and '.'"],
            error.Errors.Select(e => e.Message));

        var fixedIds = new DagBuilder("etl").Schedule("61 * * * *");
        fixedIds.Empty("a").DependsOn("b");
        fixedIds.Empty("b").DependsOn("a");
        var errors = Assert.Throws<DagDefinitionException>(() => fixedIds.Build()).Errors.Select(e => e.Message).ToList();
        Assert.Equal(2, errors.Count);
        Assert.Contains("invalid schedule '61 * * * *': field 1 (minute): value 61 is out of range 0-59", errors);
        Assert.Contains(errors, e => e.StartsWith("cycle: ", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(typeof(NightlyTrainingDag), "nightly_training")]
    [InlineData(typeof(Etl), "etl")]
    [InlineData(typeof(Dag), "dag")]
    public void DefaultId_IsTheClassNameInSnakeCase(Type type, string id) =>
        Assert.Equal(id, DagBuilder.DefaultIdFor(type));

    [Fact]
    public void Args_MustBeAnObject()
    {
        var error = Assert.Throws<ArgumentException>(() => new DagBuilder("etl").Empty("a").WithArgs(new[] { 1, 2 }));

        Assert.StartsWith("task 'a': args must be an object, not Array", error.Message, StringComparison.Ordinal);
    }

    private sealed class NightlyTrainingDag;

    private sealed class Etl;

    private sealed class Dag;
}
