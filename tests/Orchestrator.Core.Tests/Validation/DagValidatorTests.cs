using Orchestrator.Core.Authoring;
using Orchestrator.Core.Validation;

namespace Orchestrator.Core.Tests.Validation;

public class DagValidatorTests
{
    private static readonly DagValidationOptions Options = new() { KnownTaskTypes = new HashSet<string> { "empty", "shell", "ml.train" } };

    [Theory]
    [InlineData("ml.trian", "task 'a' has unknown type 'ml.trian'; did you mean 'ml.train'? (known: empty, ml.train, shell)")]
    [InlineData("python", "task 'a' has unknown type 'python' (known: empty, ml.train, shell)")]
    public void UnknownTaskType_IsNamedWithAHint(string type, string message)
    {
        var dag = new DagBuilder("etl");
        dag.Task("a", type);

        var error = Assert.Single(dag.TryBuild(Options).Errors);

        Assert.Equal(message, error.Message);
        Assert.Equal("tasks[0].type", error.Location.Field);
    }

    [Fact]
    public void Settings_AreChecked()
    {
        var dag = new DagBuilder("etl").TimeZone("Mars/Olympus").MaxActiveRuns(0);
        dag.Empty("a").Retries(-1);
        var b = dag.Empty("b").Timeout(TimeSpan.Zero);
        b.Settings.RetryDelay = TimeSpan.FromMinutes(5);
        b.Settings.MaxRetryDelay = TimeSpan.FromMinutes(1);

        var errors = dag.TryBuild(Options).Errors.Select(e => $"{e.Location.Field}: {e.Message}").ToList();

        Assert.Equal(
            [
                "timezone: unknown time zone 'Mars/Olympus'; expected an IANA id such as \"UTC\" or \"Europe/Paris\"",
                "maxActiveRuns: maxActiveRuns must be at least 1, not 0",
                "tasks[0].retries: task 'a': retries must be 0 or more, not -1",
                "tasks[1].maxRetryDelay: task 'b': maxRetryDelay 1m is shorter than retryDelay 5m",
                "tasks[1].timeout: task 'b': timeout must be longer than zero",
            ],
            errors);
    }

    [Fact]
    public void OutputTemplate_MustNameAnUpstreamTask()
    {
        var dag = new DagBuilder("etl");
        dag.Shell("a", "echo 1");
        dag.Shell("b", "echo {{ outputs.a }}");
        dag.Shell("c", "echo {{ outputs.zz }} {{ run.date }}").DependsOn("a");

        var errors = dag.TryBuild(Options).Errors.Select(e => $"{e.Location.Field}: {e.Message}").ToList();

        Assert.Equal(
            [
                "tasks[1].args.command: {{ outputs.a }}: task 'a' is not upstream of 'b', so its output may not exist yet; add it to dependsOn",
                "tasks[2].args.command: template '{{ run.date }}': run has the fields id, logicalDate, dagId, dataIntervalStart, dataIntervalEnd",
                "tasks[2].args.command: {{ outputs.zz }} names unknown task 'zz'",
            ],
            errors);
    }

    [Fact]
    public void EmptyDag_IsAnError() =>
        Assert.Equal("a DAG needs at least one task", Assert.Single(new DagBuilder("etl").TryBuild(Options).Errors).Message);

    [Theory]
    [InlineData("my dag")]
    [InlineData("")]
    public void InvalidDagId_IsAnError(string id) =>
        Assert.Equal("id", Assert.Single(new DagBuilder(id).TryBuild(Options).Errors).Location.Field);

    [Theory]
    [InlineData("default", true)]
    [InlineData("gpu-large_2", true)]
    [InlineData("GPU", false)]
    [InlineData("gpu queue", false)]
    [InlineData("", false)]
    [InlineData("gpü", false)]
    public void QueueName_IsLowercaseLettersDigitsUnderscoreOrDash(string queue, bool valid)
    {
        var dag = new DagBuilder("etl");
        dag.Empty("a").Queue(queue);

        var errors = dag.TryBuild(Options).Errors;

        if (valid)
        {
            Assert.Empty(errors);
        }
        else
        {
            var error = Assert.Single(errors);
            Assert.Equal("tasks[0].queue", error.Location.Field);
            Assert.Contains($"queue '{queue}' must be 1-64 lowercase letters", error.Message, StringComparison.Ordinal);
        }
    }
}
