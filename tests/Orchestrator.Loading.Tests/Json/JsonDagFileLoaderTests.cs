using System.Text;
using Orchestrator.Core.Retries;
using Orchestrator.Core.TriggerRules;
using Orchestrator.Loading.Json;

namespace Orchestrator.Loading.Tests.Json;

public class JsonDagFileLoaderTests
{
    private const string File = "dags/test.json";

    // Each case: a DAG file, and the one error it must give as "file:line:col (field): message". An error about a
    // property points at its key; one about an array item points at the item.
    [Theory]
    [InlineData("""
        {"id": "a", "tasks": [
          {"id": "x", "type": "empty",}
          {"id": "y"}
        ]}
        """, "dags/test.json:3:3: invalid JSON: '{' is invalid after a value")]
    [InlineData("""
        {"id": "a",
         "tasks": []
        """, "dags/test.json:2:13: invalid JSON: the file ends before every '{' and '[' is closed")]
    [InlineData("""{"tasks": [{"id": "x", "type": "empty"}]}""", "dags/test.json:1:1: missing required field 'id'")]
    [InlineData("""{"id": "a"}""", "dags/test.json:1:1: missing required field 'tasks' (an array of tasks)")]
    [InlineData("""
        {"id": "a", "tasks": [
          {"id": "x"}
        ]}
        """, "dags/test.json:2:3 (tasks[0]): missing required field 'type'")]
    [InlineData("""
        {"id": "a", "tasks": [
          {"id": "x", "type": "empty", "dependson": ["y"]}
        ]}
        """, "dags/test.json:2:32 (tasks[0].dependson): unknown property 'dependson'; did you mean 'dependsOn'?")]
    [InlineData("""
        {"id": "a", "tasks": [
          {"id": "x", "type": "empty",
           "retries": "two"}
        ]}
        """, "dags/test.json:3:4 (tasks[0].retries): expected a whole number ≥ 0, found \"two\"")]
    [InlineData("""
        {"id": "a", "defaults": {"retryDelay": "10 seconds"}, "tasks": [{"id": "x", "type": "empty"}]}
        """, "dags/test.json:1:26 (defaults.retryDelay): '10 seconds' is not a duration such as \"500ms\", \"30s\", \"5m\", \"1h\", \"1d\", \"1h30m\" or ISO 8601 \"PT30S\"")]
    [InlineData("""
        {"id": "a", "tasks": [{"id": "x", "type": "empty", "triggerRule": "all_sucess"}]}
        """, "(tasks[0].triggerRule): unknown triggerRule 'all_sucess'; did you mean 'all_success'? expected one of all_success, all_failed")]
    [InlineData("""
        {"id": "a", "tasks": [{"id": "x", "type": "empty", "retryBackoff": "linear"}]}
        """, "(tasks[0].retryBackoff): unknown retryBackoff 'linear'; expected one of fixed, exponential")]
    [InlineData("""
        {"id": "a", "tasks": [
          {"id": "ingest", "type": "empty"},
          {"id": "train", "type": "empty", "dependsOn": ["ingets"]}
        ]}
        """, "dags/test.json:3:50 (tasks[1].dependsOn[0]): task 'train' depends on unknown task 'ingets'; did you mean 'ingest'?")]
    [InlineData("""
        {"id": "a", "tasks": [
          {"id": "alpha", "type": "empty", "dependsOn": ["gamma"]},
          {"id": "beta", "type": "empty", "dependsOn": ["alpha"]},
          {"id": "gamma", "type": "empty", "dependsOn": ["beta"]}
        ]}
        """, "dags/test.json:2:3 (tasks[0]): cycle: alpha -> beta -> gamma -> alpha")]
    [InlineData("""
        {"id": "a", "tasks": [
          {"id": "x", "type": "empty"},
          {"id": "x", "type": "empty"}
        ]}
        """, "dags/test.json:3:3 (tasks[1]): duplicate task id 'x' (first declared as task 0)")]
    [InlineData("""
        {"id": "a", "tasks": [
          {"id": "x", "type": "empty", "dependsOn": "x"}
        ]}
        """, "dags/test.json:2:32 (tasks[0].dependsOn[0]): task 'x' depends on itself")]
    [InlineData("""
        {"id": "a",
         "schedule": "0 25 * * *",
         "tasks": [{"id": "x", "type": "empty"}]}
        """, "dags/test.json:2:2 (schedule): invalid schedule '0 25 * * *': field 2 (hour): value 24 is out of range 0-23")]
    [InlineData("""
        {"id": "a", "tasks": [
          {"id": "x", "type": "bash"}
        ]}
        """, "dags/test.json:2:15 (tasks[0].type): task 'x' has unknown type 'bash'")]
    [InlineData("""
        {"id": "a", "start": "yesterday", "tasks": [{"id": "x", "type": "empty"}]}
        """, "(start): 'yesterday' is not a date")]
    [InlineData("""
        {"id": "a", "tasks": [{"id": "x", "type": "shell", "args": {"command": "echo {{ outputs.y }}"}}]}
        """, "(tasks[0].args.command): {{ outputs.y }} names unknown task 'y'")]
    [InlineData("""
        {"id": "my dag", "tasks": [{"id": "x", "type": "empty"}]}
        """, "(id): DAG id 'my dag' may contain only letters, digits, '_', '-' and '.'")]
    [InlineData("""
        {"id": "a", "triggers": [{"event": "drift"}], "tasks": [{"id": "x", "type": "empty"}]}
        """, "(triggers[0]): a 'drift' trigger needs 'model'")]
    [InlineData("""["not", "a", "dag"]""", "dags/test.json:1:1: expected a JSON object describing one DAG, found an array")]
    public async Task BadFile_GivesOneClearErrorWithItsPlace(string json, string expected)
    {
        var result = await LoadAsync(json);

        Assert.Empty(result.Dags);
        var error = Assert.Single(result.Errors);
        Assert.Contains(expected.Replace("24 is out", "25 is out", StringComparison.Ordinal), error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AllErrorsOfAFile_AreReported()
    {
        var result = await LoadAsync("""
            {"id": "a", "catchup": "yes", "tasks": [
              {"id": "x", "type": "empty", "timeout": "forever"},
              {"id": "y", "type": "nope", "dependsOn": ["x"]}
            ]}
            """);

        Assert.Equal(2, result.Errors.Count); // the type error waits until the fields are right
        Assert.Contains(result.Errors, e => e.Location.Field == "catchup" && e.Message == "expected true or false, found \"yes\"");
        Assert.Contains(result.Errors, e => e.Location.Field == "tasks[0].timeout");
    }

    [Fact]
    public async Task CommentsAndTrailingCommas_AreAccepted_AndEverythingIsRead()
    {
        var result = await LoadAsync("""
            // a comment
            {
              "id": "taxi", /* inline */
              "description": "retrain",
              "schedule": "@daily", "timezone": "Europe/Paris", "start": "2026-01-01", "catchup": true, "maxActiveRuns": 2,
              "tags": ["ml"],
              "params": {"minR2": 0.7},
              "defaults": {"retries": 2, "retryDelay": "10s", "retryBackoff": "exponential", "maxRetryDelay": "5m", "timeout": "30m", "retryJitter": true},
              "triggers": [{"event": "drift", "model": "taxi"}],
              "tasks": [
                {"id": "a", "type": "shell", "args": {"command": "echo {{ params.minR2 }}"}},
                {"id": "b", "type": "empty", "dependsOn": ["a"], "triggerRule": "one_failed", "retries": 0, "timeout": "PT1M", "queue": "gpu"},
              ],
            }
            """);

        Assert.Empty(result.Errors);
        var dag = Assert.Single(result.Dags).Definition;
        Assert.Equal(("taxi", "retrain", "@daily", "Europe/Paris", true, 2), (dag.Id.Value, dag.Description, dag.Schedule, dag.TimeZone, dag.Catchup, dag.MaxActiveRuns));
        Assert.Equal(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), dag.Start);
        Assert.Equal(0.7, dag.Params["minR2"].GetDouble());
        Assert.Equal("drift", Assert.Single(dag.Triggers).Event);
        Assert.Equal(new RetryPolicy { Retries = 2, Delay = TimeSpan.FromSeconds(10), Backoff = RetryBackoff.Exponential, MaxDelay = TimeSpan.FromMinutes(5), Jitter = true }, dag.Tasks[0].Retry);
        Assert.Equal(TimeSpan.FromMinutes(30), dag.Tasks[0].Timeout);
        Assert.Equal((TriggerRule.OneFailed, 0, "gpu"), (dag.Tasks[1].TriggerRule, dag.Tasks[1].Retry.Retries, dag.Tasks[1].Queue));
        Assert.Equal(TimeSpan.FromMinutes(1), dag.Tasks[1].Timeout);
        Assert.Equal(11, dag.Tasks[0].Location.Line); // where task a's object starts
    }

    [Fact]
    public async Task Column_CountsCharacters_NotBytes()
    {
        var result = await LoadAsync("""
            {"id": "a", "description": "café ☕", "tasks": [{"id": "x", "type": "empty", "retries": -1}]}
            """);

        var error = Assert.Single(result.Errors);
        Assert.Equal((1, 77), (error.Location.Line, error.Location.Column)); // the key "retries", counted in characters
    }

    [Fact]
    public async Task TheExampleDag_Loads()
    {
        var path = Path.Combine(RepoRoot(), "dags", "example_shell_pipeline.json");
        var loader = new JsonDagFileLoader(new DagLoaderOptions { KnownTaskTypes = new HashSet<string> { "empty", "shell" } });

        var result = await loader.LoadAsync(path, await System.IO.File.ReadAllBytesAsync(path), CancellationToken.None);

        Assert.Empty(result.Errors);
        Assert.Equal("example_shell_pipeline", Assert.Single(result.Dags).Id.Value);
    }

    [Fact]
    public async Task Version_IsTheContentHash()
    {
        var a = await LoadAsync("""{"id": "a", "tasks": [{"id": "x", "type": "empty"}]}""");
        var b = await LoadAsync("""{"id": "a", "tasks": [{"id": "x", "type": "empty"}] }""");

        Assert.Equal(64, a.Version.Length);
        Assert.NotEqual(a.Version, b.Version);
        Assert.Equal(a.Version, (await LoadAsync("""{"id": "a", "tasks": [{"id": "x", "type": "empty"}]}""")).Version);
    }

    internal static string RepoRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !System.IO.File.Exists(Path.Combine(directory.FullName, "Orchestrator.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("repository root not found");
    }

    private static Task<DagFileLoadResult> LoadAsync(string json)
    {
        var loader = new JsonDagFileLoader(new DagLoaderOptions { KnownTaskTypes = new HashSet<string> { "empty", "shell" } });
        return loader.LoadAsync(File, Encoding.UTF8.GetBytes(json), CancellationToken.None);
    }
}
