using System.Text;
using System.Text.Json;
using Orchestrator.Loading.Json;
using Orchestrator.Loading.Tests.Json;

namespace Orchestrator.Loading.Tests.Pools;

/// <summary>docs/dag.schema.json and the loader agree on the pool fields.</summary>
public class PoolSchemaTests
{
    [Theory]
    [InlineData("""{"id": "a", "tasks": [{"id": "x", "type": "empty", "pool": "gpu.A-100_x", "poolSlots": 2, "priorityWeight": -5, "weightRule": "upstream"}]}""", true)]
    [InlineData("""{"id": "a", "defaults": {"pool": "p", "poolSlots": 2, "priorityWeight": 2147483647, "weightRule": "absolute"}, "tasks": [{"id": "x", "type": "empty"}]}""", true)]
    [InlineData("""{"id": "a", "defaults": {"pool": "p"}, "tasks": [{"id": "x", "type": "empty", "poolSlots": 3}]}""", true)]
    [InlineData("""{"id": "a", "tasks": [{"id": "x", "type": "empty", "priorityWeight": -2147483648}]}""", true)]
    [InlineData("""{"id": "a", "tasks": [{"id": "x", "type": "empty", "pool": "my pool"}]}""", false)]
    [InlineData("""{"id": "a", "tasks": [{"id": "x", "type": "empty", "pool": ""}]}""", false)]
    [InlineData("""{"id": "a", "tasks": [{"id": "x", "type": "empty", "pool": "p", "poolSlots": 0}]}""", false)]
    [InlineData("""{"id": "a", "tasks": [{"id": "x", "type": "empty", "pool": "p", "poolSlots": 1.5}]}""", false)]
    [InlineData("""{"id": "a", "tasks": [{"id": "x", "type": "empty", "poolSlots": 2}]}""", false)]
    [InlineData("""{"id": "a", "defaults": {"priorityWeight": 1}, "tasks": [{"id": "x", "type": "empty", "poolSlots": 2}]}""", false)]
    [InlineData("""{"id": "a", "defaults": {"poolSlots": 2}, "tasks": [{"id": "x", "type": "empty", "pool": "p"}]}""", false)]
    [InlineData("""{"id": "a", "tasks": [{"id": "x", "type": "empty", "priorityWeight": 2147483648}]}""", false)]
    [InlineData("""{"id": "a", "tasks": [{"id": "x", "type": "empty", "priorityWeight": "high"}]}""", false)]
    [InlineData("""{"id": "a", "tasks": [{"id": "x", "type": "empty", "weightRule": "total"}]}""", false)]
    public async Task SchemaAndLoader_AgreeOnPoolFields(string json, bool valid)
    {
        var schemaSays = DagSchema.Instance.Evaluate(JsonElement.Parse(json)).IsValid;
        var loaded = await new JsonDagFileLoader().LoadAsync("x.json", Encoding.UTF8.GetBytes(json), CancellationToken.None);

        Assert.Equal(valid, schemaSays);
        Assert.Equal(valid, loaded.Errors.Count == 0);
    }
}
