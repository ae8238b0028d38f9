using System.Reflection;
using System.Runtime.Loader;

namespace Orchestrator.Loading.CSharp;

/// <summary>A collectible load context for one version of one DAG file. It resolves nothing itself, so the
/// framework and Orchestrator.Core come from the default context and IDagDefinition/IDagTask are shared types.</summary>
internal sealed class DagLoadContext(string name) : AssemblyLoadContext(name, isCollectible: true)
{
    protected override Assembly? Load(AssemblyName assemblyName) => null;
}
