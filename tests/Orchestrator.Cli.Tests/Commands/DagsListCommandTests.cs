using System.Text.Json;

namespace Orchestrator.Cli.Tests.Commands;

public sealed class DagsListCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("orchestrator-list-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task ExampleFolder_ListsEveryExampleDag_WithoutErrors()
    {
        var (exit, output, _) = await CliRunner.RunAsync("dags", "list", "--dags", CliRunner.RepoDags, "--output", "json");

        Assert.Equal(0, exit);
        using var list = JsonDocument.Parse(output);
        Assert.Equal(["example_shell_pipeline", "taxi_fare_monitor", "taxi_fare_profile", "taxi_fare_retrain", "taxi_fare_retrain_csharp"],
            list.RootElement.GetProperty("dags").EnumerateArray().Select(d => d.GetProperty("dagId").GetString()));
        Assert.Empty(list.RootElement.GetProperty("importErrors").EnumerateArray());
    }

    [Fact]
    public async Task ImportErrors_AreListedBesideTheDagsThatLoaded_AndExitIsOne()
    {
        File.WriteAllText(Path.Combine(_folder, "good.json"), """{"id": "good", "schedule": "@hourly", "tasks": [{"id": "t", "type": "empty"}]}""");
        File.WriteAllText(Path.Combine(_folder, "bad.cs"), "public class X : IDagDefinition { public void Define(DagBuilder dag) { dag.Empty(\"a\") } }");

        var (exit, output, _) = await CliRunner.RunAsync("dags", "list", "--dags", _folder, "--output", "json");

        Assert.Equal(1, exit);
        using var list = JsonDocument.Parse(output);
        var dag = Assert.Single(list.RootElement.GetProperty("dags").EnumerateArray());
        Assert.Equal(("good", "@hourly", false), (dag.GetProperty("dagId").GetString(), dag.GetProperty("schedule").GetString(), dag.GetProperty("paused").GetBoolean()));
        var error = Assert.Single(list.RootElement.GetProperty("importErrors").EnumerateArray());
        Assert.EndsWith("bad.cs", error.GetProperty("file").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, error.GetProperty("line").GetInt32());
        Assert.StartsWith("CS1002", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Table_ShowsErrorsWithTheirPlace()
    {
        File.WriteAllText(Path.Combine(_folder, "bad.json"), """{"id": "bad", "tasks": [{"id": "t", "type": "empty", "triggerRule": "sometimes"}]}""");

        var (exit, output, _) = await CliRunner.RunAsync("dags", "list", "--dags", _folder);

        Assert.Equal(1, exit);
        Assert.Contains("bad.json:1:54 (tasks[0].triggerRule): unknown triggerRule 'sometimes'", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("dags", "list", "--help")]
    [InlineData("dags", "test", "--help")]
    [InlineData("--help")]
    public async Task EveryCommand_HasHelp(params string[] args)
    {
        var (exit, output, _) = await CliRunner.RunAsync(args);

        Assert.Equal(0, exit);
        Assert.Contains("Usage:", output, StringComparison.Ordinal);
        Assert.Contains("--dags", output, StringComparison.Ordinal);
    }
}
