using System.Text;
using System.Text.Json;
using Orchestrator.Core.Model;
using Orchestrator.Loading.Json;

namespace Orchestrator.Loading.Tests.Json;

/// <summary>"callbacks" on a DAG and on its tasks: what is read, and every wrong field named by its path.</summary>
public class CallbackLoadingTests
{
    [Fact]
    public async Task Callbacks_OfDagAndTask_AreRead_ArraysAndSingleObjects()
    {
        var result = await LoadAsync("""
            {"id": "a",
             "callbacks": {
               "onFailure": [{"connection": "ops_webhook", "message": "run {{ run.id }} failed", "severity": "critical"}, {}],
               "onRetry": {"url": "https://hooks.example.com/x?token=1"},
               "onDrift": []
             },
             "tasks": [
               {"id": "x", "type": "empty", "callbacks": {"onGateRejected": {"severity": "info"}}},
               {"id": "y", "type": "empty"}
             ]}
            """);

        Assert.Empty(result.Errors);
        var dag = Assert.Single(result.Dags).Definition;
        Assert.Equal(
            [new CallbackTarget("ops_webhook", null, "run {{ run.id }} failed", "critical"), new CallbackTarget()],
            dag.Callbacks.For(CallbackTrigger.Failure));
        Assert.Equal([new CallbackTarget(Url: "https://hooks.example.com/x?token=1")], dag.Callbacks.For(CallbackTrigger.Retry));
        Assert.Empty(dag.Callbacks.For(CallbackTrigger.Drift));
        Assert.Empty(dag.Callbacks.For(CallbackTrigger.GateRejected));
        Assert.Equal([new CallbackTarget(Severity: "info")], dag.Tasks[0].Callbacks.For(CallbackTrigger.GateRejected));
        Assert.True(dag.Tasks[1].Callbacks.IsEmpty);
    }

    [Theory]
    [InlineData("""{"callbacks": {"onSuccess": []}}""", "callbacks.onSuccess", "unknown property 'onSuccess'")]
    [InlineData("""{"callbacks": {"onFailure": [{"conection": "x"}]}}""", "callbacks.onFailure[0].conection", "did you mean 'connection'?")]
    [InlineData("""{"callbacks": {"onFailure": [{"connection": "x", "url": "https://h/"}]}}""", "callbacks.onFailure[0].url", "either 'connection' or 'url', not both")]
    [InlineData("""{"callbacks": {"onRetry": {"url": "ftp://h/x"}}}""", "callbacks.onRetry.url", "is not an absolute http or https URL")]
    [InlineData("""{"callbacks": {"onRetry": {"url": "/relative"}}}""", "callbacks.onRetry.url", "is not an absolute http or https URL")]
    [InlineData("""{"callbacks": {"onDrift": [{"severity": "fatal"}]}}""", "callbacks.onDrift[0].severity", "unknown severity 'fatal'; expected one of info, warning, critical")]
    [InlineData("""{"callbacks": {"onDrift": [{"message": "{{ var.token }}"}]}}""", "callbacks.onDrift[0].message", "unknown placeholder '{{ var.token }}'")]
    [InlineData("""{"callbacks": {"onDrift": "ops"}}""", "callbacks.onDrift", "expected a callback target object or an array of them")]
    [InlineData("""{"callbacks": {"onDrift": ["ops"]}}""", "callbacks.onDrift[0]", "expected an object")]
    [InlineData("""{"callbacks": []}""", "callbacks", "expected an object")]
    [InlineData("""{"callbacks": {"onFailure": {"connection": ""}}}""", "callbacks.onFailure.connection", "expected the name of a Connection")]
    [InlineData("""{"callbacks": {"onFailure": {"connection": 3}}}""", "callbacks.onFailure.connection", "expected a string")]
    public async Task BadDagCallback_IsAnImportError_AtItsPath(string callbacks, string field, string message)
    {
        var json = callbacks[..^1] + """, "id": "a", "tasks": [{"id": "x", "type": "empty"}]}""";

        var result = await LoadAsync(json);

        Assert.Empty(result.Dags);
        var error = Assert.Single(result.Errors);
        Assert.Equal(field, error.Location.Field);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadTaskCallback_IsAnImportError_AtTheTasksPath()
    {
        var result = await LoadAsync("""
            {"id": "a", "tasks": [{"id": "x", "type": "empty"}, {"id": "y", "type": "empty", "callbacks": {"onFailure": [{}, {"severity": "loud"}]}}]}
            """);

        var error = Assert.Single(result.Errors);
        Assert.Equal("tasks[1].callbacks.onFailure[1].severity", error.Location.Field);
        Assert.NotNull(error.Location.Line);
    }

    [Theory]
    [InlineData("""{"id": "a", "callbacks": {"onFailure": [{"connection": "ops", "severity": "critical"}], "onRetry": {"url": "http://127.0.0.1:8080/hook"}}, "tasks": [{"id": "x", "type": "empty", "callbacks": {"onDrift": {}}}]}""", true)]
    [InlineData("""{"id": "a", "callbacks": {"onFailure": [{"connection": "ops", "url": "http://h/"}]}, "tasks": [{"id": "x", "type": "empty"}]}""", false)]
    [InlineData("""{"id": "a", "callbacks": {"onFailure": {"url": "mailto:me@example.com"}}, "tasks": [{"id": "x", "type": "empty"}]}""", false)]
    [InlineData("""{"id": "a", "callbacks": {"onFailure": {"severity": "loud"}}, "tasks": [{"id": "x", "type": "empty"}]}""", false)]
    [InlineData("""{"id": "a", "callbacks": {"onSuccess": {}}, "tasks": [{"id": "x", "type": "empty"}]}""", false)]
    [InlineData("""{"id": "a", "tasks": [{"id": "x", "type": "empty", "callbacks": {"onRetry": [{"channel": "#ops"}]}}]}""", false)]
    public async Task SchemaAndLoader_AgreeOnCallbacks(string json, bool valid)
    {
        var schemaSays = DagSchema.Instance.Evaluate(JsonElement.Parse(json)).IsValid;
        var loaded = await LoadAsync(json);

        Assert.Equal(valid, schemaSays);
        Assert.Equal(valid, loaded.Errors.Count == 0);
    }

    private static Task<DagFileLoadResult> LoadAsync(string json) =>
        new JsonDagFileLoader(new DagLoaderOptions { KnownTaskTypes = new HashSet<string> { "empty" } })
            .LoadAsync("dags/test.json", Encoding.UTF8.GetBytes(json), CancellationToken.None);
}
