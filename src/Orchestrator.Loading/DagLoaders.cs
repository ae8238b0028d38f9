using Orchestrator.Loading.CSharp;
using Orchestrator.Loading.Folder;
using Orchestrator.Loading.Json;

namespace Orchestrator.Loading;

/// <summary>The loaders for every DAG file kind, for hosts that just want a folder read.</summary>
public static class DagLoaders
{
    public static DagFolderLoader CreateFolderLoader(DagLoaderOptions options) =>
        new([new JsonDagFileLoader(options), new CSharpDagFileLoader(options)]);
}
