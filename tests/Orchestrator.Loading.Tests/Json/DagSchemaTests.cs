using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using Orchestrator.Loading.Json;

namespace Orchestrator.Loading.Tests.Json;

/// <summary>docs/dag.schema.json and the loader must agree on what a DAG file may say.</summary>
public class DagSchemaTests
{
    private static readonly JsonSchema Schema = DagSchema.Instance;

    [Theory]
    [InlineData("""{"id": "a", "tasks": [{"id": "x", "type": "shell", "args": {"command": "true"}}]}""", true)]
    [InlineData("""{"id": "a", "schedule": null, "tasks": [{"id": "x", "type": "empty"}]}""", true)]
    [InlineData("""{"id": "a", "schedule": "*/5 * * * 1-5", "start": "2026-01-01", "catchup": true, "tasks": [{"id": "x", "type": "empty"}]}""", true)]
    [InlineData("""{"id": "a", "schedule": "*/10 * * * * *", "tasks": [{"id": "x", "type": "empty"}]}""", true)]
    [InlineData("""{"id": "a", "schedule": "0 * * * * * 2026", "tasks": [{"id": "x", "type": "empty"}]}""", false)]
    [InlineData("""{"id": "a", "defaults": {"retries": 2, "retryDelay": "10s", "retryBackoff": "exponential", "maxRetryDelay": "5m", "timeout": "PT30M"}, "tasks": [{"id": "x", "type": "empty"}]}""", true)]
    [InlineData("""{"id": "a", "triggers": [{"event": "drift", "model": "taxi"}], "tasks": [{"id": "x", "type": "empty", "dependsOn": "y"}, {"id": "y", "type": "empty"}]}""", true)]
    [InlineData("""{"tasks": [{"id": "x", "type": "empty"}]}""", false)]
    [InlineData("""{"id": "a", "tasks": []}""", false)]
    [InlineData("""{"id": "a", "tasks": [{"id": "x"}]}""", false)]
    [InlineData("""{"id": "a", "tasks": [{"id": "x", "type": "empty", "dependson": []}]}""", false)]
    [InlineData("""{"id": "a", "tasks": [{"id": "x", "type": "empty", "retries": "two"}]}""", false)]
    [InlineData("""{"id": "a", "tasks": [{"id": "x", "type": "empty", "retries": -1}]}""", false)]
    [InlineData("""{"id": "a", "tasks": [{"id": "x", "type": "empty", "timeout": "forever"}]}""", false)]
    [InlineData("""{"id": "a", "tasks": [{"id": "x", "type": "empty", "triggerRule": "sometimes"}]}""", false)]
    [InlineData("""{"id": "a", "defaults": {"retryBackoff": "linear"}, "tasks": [{"id": "x", "type": "empty"}]}""", false)]
    [InlineData("""{"id": "a", "defaults": {"colour": "red"}, "tasks": [{"id": "x", "type": "empty"}]}""", false)]
    [InlineData("""{"id": "my dag", "tasks": [{"id": "x", "type": "empty"}]}""", false)]
    [InlineData("""{"id": "a", "triggers": [{"event": "drift"}], "tasks": [{"id": "x", "type": "empty"}]}""", false)]
    [InlineData("""{"id": "a", "owner": "me", "tasks": [{"id": "x", "type": "empty"}]}""", false)]
    public async Task SchemaAndLoader_AgreeOnWhatIsValid(string json, bool valid)
    {
        var schemaSays = Schema.Evaluate(JsonElement.Parse(json)).IsValid;
        var loaded = await new JsonDagFileLoader().LoadAsync("x.json", Encoding.UTF8.GetBytes(json), CancellationToken.None);

        Assert.Equal(valid, schemaSays);
        Assert.Equal(valid, loaded.Errors.Count == 0);
    }

    [Fact]
    public void ExampleDag_IsValidAgainstTheSchema()
    {
        var text = File.ReadAllText(Path.Combine(JsonDagFileLoaderTests.RepoRoot(), "dags", "example_shell_pipeline.json"));
        var instance = JsonElement.Parse(text, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });

        var result = Schema.Evaluate(instance, new EvaluationOptions { OutputFormat = OutputFormat.List });

        Assert.True(result.IsValid, string.Join("; ", (result.Details ?? []).Where(d => d.Errors is not null).SelectMany(d => d.Errors!.Values)));
    }
}
