using Orchestrator.Execution.TaskTypes;
using Orchestrator.Loading;

namespace Orchestrator.Engine.Hosting;

/// <summary>Where the DAG loaders learn which task types exist: from the registry, i.e. from what the host's
/// services registered (so types added by another project, such as <c>ml.*</c>, are accepted with no change here).</summary>
public static class DagLoading
{
    public static DagLoaderOptions OptionsFor(TaskTypeRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        return new DagLoaderOptions { KnownTaskTypes = registry.KnownTypes };
    }
}
