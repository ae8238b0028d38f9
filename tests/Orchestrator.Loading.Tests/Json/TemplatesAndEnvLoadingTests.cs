using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using Orchestrator.Loading.Json;

namespace Orchestrator.Loading.Tests.Json;

/// <summary>A DAG-level env and the load-time checks of templates (filters, places in a shell command).</summary>
public class TemplatesAndEnvLoadingTests
{
    private static readonly JsonSchema Schema = DagSchema.Instance;

    [Fact]
    public async Task DagEnv_IsMergedUnderEachShellTasksEnv_TheTaskWins()
    {
        var result = await LoadAsync("""
            {"id": "a", "params": {"x": 1}, "env": {"A": "dag", "B": "{{ params.x }}", "N": 3, "T": true}, "tasks": [
              {"id": "s", "type": "shell", "args": {"command": "true", "env": {"A": "task", "C": "c"}}},
              {"id": "t", "type": "shell", "args": {"command": "true"}},
              {"id": "e", "type": "empty"}
            ]}
            """);

        Assert.Empty(result.Errors);
        var dag = Assert.Single(result.Dags).Definition;
        Assert.Equal("""{"command":"true","env":{"A":"task","B":"{{ params.x }}","N":"3","T":"true","C":"c"}}""", dag.Tasks[0].Args.GetRawText());
        Assert.Equal("""{"command":"true","env":{"A":"dag","B":"{{ params.x }}","N":"3","T":"true"}}""", dag.Tasks[1].Args.GetRawText());
        Assert.Equal("{}", dag.Tasks[2].Args.GetRawText());
        Assert.Equal("dag", dag.Env["A"]);
    }

    [Theory]
    [InlineData("""{"X": {"a": 1}}""", "(env.X): expected a string, found an object")]
    [InlineData("""{"1X": "a"}""", "(env.1X): env: '1X' is not an environment variable name")]
    [InlineData("""{"A-B": "a"}""", "(env.A-B): env: 'A-B' is not an environment variable name")]
    [InlineData("""{"ORCHESTRATOR_RUN_ID": "x"}""", "(env.ORCHESTRATOR_RUN_ID): env: 'ORCHESTRATOR_RUN_ID': names starting with ORCHESTRATOR_ are reserved")]
    [InlineData("""["A=b"]""", "(env): expected an object of environment variables, found an array")]
    public async Task BadDagEnv_IsAnImportErrorSayingWhere(string env, string expected)
    {
        var result = await LoadAsync("""{"id": "a", "env": """ + env + """, "tasks": [{"id": "s", "type": "shell", "args": {"command": "true"}}]}""");

        Assert.Empty(result.Dags);
        Assert.Contains(expected, Assert.Single(result.Errors).ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("echo $(( {{ params.n }} + 1 ))", "(tasks[0].args.command): template '{{ params.n }}' at character 10 of the shell command is inside an arithmetic expression")]
    [InlineData("cat <<'EOF'\n{{ params.n }}\nEOF", "(tasks[0].args.command): template '{{ params.n }}' at character 13 of the shell command is inside a quoted here-document")]
    [InlineData("echo {{ params.n | shell }}", "(tasks[0].args.command): template '{{ params.n | shell }}' uses unknown filter 'shell'; known filters: raw")]
    [InlineData("echo ${N:-{{ params.n }}}", "(tasks[0].args.command): template '{{ params.n }}' at character 11 of the shell command is inside ${…}")]
    public async Task ShellTemplatesInUnsafePlaces_AreImportErrors(string command, string expected)
    {
        var result = await LoadAsync(Dag(command));

        Assert.Empty(result.Dags);
        Assert.Contains(expected, Assert.Single(result.Errors).ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("echo {{ params.n }} '{{ params.n }}' \"{{ params.n }}\" $(echo {{ params.n }})")]
    [InlineData("echo $(( {{ params.n | raw }} + 1 ))")]
    [InlineData("cat <<EOF\n{{ var.x }} {{ conn.db.host }}:{{ conn.db.port }} {{ run.dataIntervalStart }}\nEOF")]
    public async Task ShellTemplatesInSafePlaces_Load(string command) =>
        Assert.Empty((await LoadAsync(Dag(command))).Errors);

    [Fact]
    public async Task OtherTaskTypes_AreNotReadAsShell()
    {
        var result = await LoadAsync("""{"id": "a", "params": {"n": 1}, "tasks": [{"id": "x", "type": "empty", "args": {"note": "$(( {{ params.n }} ))"}}]}""");

        Assert.Empty(result.Errors);
    }

    [Theory]
    [InlineData("""{"id": "a", "env": {"A": "x", "B_2": 3, "C": false}, "tasks": [{"id": "x", "type": "empty"}]}""", true)]
    [InlineData("""{"id": "a", "env": {"A": null}, "tasks": [{"id": "x", "type": "empty"}]}""", false)]
    [InlineData("""{"id": "a", "env": {"2A": "x"}, "tasks": [{"id": "x", "type": "empty"}]}""", false)]
    [InlineData("""{"id": "a", "env": {"orchestrator_home": "x"}, "tasks": [{"id": "x", "type": "empty"}]}""", false)]
    [InlineData("""{"id": "a", "env": "A=b", "tasks": [{"id": "x", "type": "empty"}]}""", false)]
    public async Task SchemaAndLoader_AgreeOnEnv(string json, bool valid)
    {
        Assert.Equal(valid, Schema.Evaluate(JsonElement.Parse(json)).IsValid);
        Assert.Equal(valid, (await LoadAsync(json)).Errors.Count == 0);
    }

    private static string Dag(string command) =>
        new JsonObject
        {
            ["id"] = "a",
            ["params"] = new JsonObject { ["n"] = 1 },
            ["tasks"] = new JsonArray(new JsonObject { ["id"] = "s", ["type"] = "shell", ["args"] = new JsonObject { ["command"] = command } }),
        }.ToJsonString();

    private static Task<DagFileLoadResult> LoadAsync(string json) =>
        new JsonDagFileLoader(new DagLoaderOptions { KnownTaskTypes = new HashSet<string> { "empty", "shell" } })
            .LoadAsync("dags/test.json", Encoding.UTF8.GetBytes(json), CancellationToken.None);
}
