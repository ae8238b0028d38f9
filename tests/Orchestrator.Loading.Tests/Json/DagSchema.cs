using Json.Schema;

namespace Orchestrator.Loading.Tests.Json;

/// <summary>
/// docs/dag.schema.json, built once for every test class. JsonSchema.Net 8 registers a built
/// schema by its $id in the global registry and refuses to register that $id again, so each
/// class building its own copy would fail in whichever class is initialised second.
/// </summary>
internal static class DagSchema
{
    public static JsonSchema Instance { get; } = JsonSchema.FromFile(Path.Combine(JsonDagFileLoaderTests.RepoRoot(), "docs", "dag.schema.json"));
}
