using System.Text.Json;

namespace Orchestrator.Cli.Tests.Commands;

public sealed class DagsTestCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("orchestrator-cli-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task ExampleJsonDag_Succeeds_WithItsRetryAndSkippedAlert()
    {
        var (exit, output, error) = await CliRunner.RunAsync("dags", "test", "example_shell_pipeline", "--dags", CliRunner.RepoDags, "--output", "json");

        Assert.Equal(0, exit);
        using var run = JsonDocument.Parse(output);
        Assert.Equal("example_shell_pipeline", run.RootElement.GetProperty("dagId").GetString());
        Assert.Equal("success", run.RootElement.GetProperty("state").GetString());
        Assert.StartsWith("test__", run.RootElement.GetProperty("runId").GetString(), StringComparison.Ordinal);
        var tasks = run.RootElement.GetProperty("tasks").EnumerateArray().ToDictionary(t => t.GetProperty("taskId").GetString()!);
        Assert.Equal(2, tasks["extract"].GetProperty("tries").GetInt32());
        Assert.Equal("skipped", tasks["alert_on_failure"].GetProperty("state").GetString());
        Assert.Equal("success", tasks["cleanup"].GetProperty("state").GetString());
        Assert.True(tasks["clean"].GetProperty("durationMs").GetInt64() >= 0);
        Assert.Contains("extract up_for_retry (try 1)", error, StringComparison.Ordinal); // progress goes to stderr
    }

    [Fact]
    public async Task ExampleCSharpDag_Succeeds_AndPrintsATable()
    {
        var (exit, output, _) = await CliRunner.RunAsync("dags", "test", "taxi_fare_profile", "--dags", CliRunner.RepoDags);

        Assert.Equal(0, exit);
        Assert.Contains("profile", output, StringComparison.Ordinal);
        Assert.Contains("mean fare", output, StringComparison.Ordinal);
        Assert.Contains("Run success", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DagFilePath_CanBeGivenInsteadOfAnId_WithConf()
    {
        var (exit, output, _) = await CliRunner.RunAsync(
            "dags", "test", Path.Combine(CliRunner.RepoDags, "example_shell_pipeline.json"), "--conf", """{"minRows": 1000}""", "--output", "json");

        Assert.Equal(1, exit); // 40 rows < minRows 1000: load fails, the alert leaf fails on purpose, and so does the run
        using var run = JsonDocument.Parse(output);
        var load = run.RootElement.GetProperty("tasks").EnumerateArray().Single(t => t.GetProperty("taskId").GetString() == "load");
        Assert.Equal("failed", load.GetProperty("state").GetString());
    }

    [Fact]
    public async Task BrokenDag_ExitsWithTwo_NamingFileAndLine()
    {
        var path = Write("broken.json", """
            {"id": "broken", "tasks": [
              {"id": "ingest", "type": "shell", "args": {"command": "true"}},
              {"id": "train", "type": "shell", "dependsOn": ["ingets"], "args": {"command": "true"}}
            ]}
            """);

        var (exit, _, error) = await CliRunner.RunAsync("dags", "test", path);

        Assert.Equal(2, exit);
        Assert.Contains("broken.json:3:50 (tasks[1].dependsOn[0]): task 'train' depends on unknown task 'ingets'; did you mean 'ingest'?", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownDagId_ExitsWithTwo_WithAHint()
    {
        var (exit, _, error) = await CliRunner.RunAsync("dags", "test", "example_shell_pipelin", "--dags", CliRunner.RepoDags);

        Assert.Equal(2, exit);
        Assert.Contains("no DAG 'example_shell_pipelin'", error, StringComparison.Ordinal);
        Assert.Contains("did you mean 'example_shell_pipeline'?", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[1]", "--conf must be a JSON object")]
    [InlineData("{nope", "--conf is not valid JSON")]
    public async Task BadConf_ExitsWithTwo(string conf, string message)
    {
        var (exit, _, error) = await CliRunner.RunAsync("dags", "test", "example_shell_pipeline", "--dags", CliRunner.RepoDags, "--conf", conf);

        Assert.Equal(2, exit);
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    private string Write(string name, string content)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, content);
        return path;
    }
}
