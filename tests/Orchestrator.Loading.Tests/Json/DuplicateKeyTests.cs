using System.Text;
using Orchestrator.Loading.Json;

namespace Orchestrator.Loading.Tests.Json;

/// <summary>System.Text.Json keeps the last of two equal keys without a word; a DAG file must not.</summary>
public class DuplicateKeyTests
{
    private const string File = "dags/dup.json";

    [Theory]
    [InlineData("""
        {"id": "a",
         "id": "b", "tasks": [{"id": "x", "type": "empty"}]}
        """, "dags/dup.json:2:2 (id): duplicate key 'id' at line 2, column 2; first at line 1, column 2")]
    [InlineData("""
        {"id": "a", "tasks": [
          {"id": "x",
           "id": "y", "type": "empty"}
        ]}
        """, "dags/dup.json:3:4 (tasks[0].id): duplicate key 'id' at line 3, column 4; first at line 2, column 4")]
    [InlineData("""
        {"id": "a", "tasks": [
          {"id": "x", "type": "empty"},
          {"id": "y", "type": "shell", "args": {"command": "echo 1", "command": "echo 2"}}
        ]}
        """, "dags/dup.json:3:62 (tasks[1].args.command): duplicate key 'command' at line 3, column 62; first at line 3, column 41")]
    [InlineData("""
        {"id": "a", "params": {"n": {"deep": 1, "deep": 2}}, "tasks": [{"id": "x", "type": "empty"}]}
        """, "dags/dup.json:1:41 (params.n.deep): duplicate key 'deep' at line 1, column 41; first at line 1, column 30")]
    [InlineData("""
        {"id": "a", "defaults": {"retries": 1, /* again */ "retries": 2,}, "tasks": [{"id": "x", "type": "empty"}]}
        """, "dags/dup.json:1:52 (defaults.retries): duplicate key 'retries' at line 1, column 52; first at line 1, column 26")]
    [InlineData("""
        {"id": "a", "\u0069d": "b", "tasks": [{"id": "x", "type": "empty"}]}
        """, "dags/dup.json:1:13 (id): duplicate key 'id' at line 1, column 13; first at line 1, column 2")]
    public async Task DuplicateKey_AtAnyDepth_IsAnImportErrorWithBothPlaces(string json, string expected)
    {
        var result = await LoadAsync(json);

        Assert.Empty(result.Dags);
        Assert.Equal(expected, Assert.Single(result.Errors).ToString());
    }

    [Fact]
    public async Task EveryDuplicate_IsReported_InFileOrder()
    {
        var result = await LoadAsync("""
            {"id": "a", "id": "b", "id": "c",
             "tasks": [{"id": "x", "type": "empty", "type": "shell"}]}
            """);

        Assert.Equal(
            ["id@1:13 first 1:2", "id@1:24 first 1:2", "type@2:41 first 2:24"],
            result.Errors.Select(e => $"{e.Location.Field!.Split('.')[^1]}@{e.Location.Line}:{e.Location.Column} first {e.Message[(e.Message.LastIndexOf("line ", StringComparison.Ordinal) + 5)..].Replace(", column ", ":", StringComparison.Ordinal)}"));
    }

    [Fact]
    public async Task SameKey_InDifferentObjects_IsNotADuplicate()
    {
        var result = await LoadAsync("""
            {"id": "a", "params": {"id": 1}, "tasks": [
              {"id": "x", "type": "empty"},
              {"id": "y", "type": "shell", "args": {"command": "echo", "env": {"id": "1"}}},
            ],}
            """);

        Assert.Empty(result.Errors);
        Assert.Equal("a", Assert.Single(result.Dags).Id.Value);
    }

    private static Task<DagFileLoadResult> LoadAsync(string json)
    {
        var loader = new JsonDagFileLoader(new DagLoaderOptions { KnownTaskTypes = new HashSet<string> { "empty", "shell" } });
        return loader.LoadAsync(File, Encoding.UTF8.GetBytes(json), CancellationToken.None);
    }
}
