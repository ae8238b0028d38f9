using Orchestrator.Core.Model;
using Orchestrator.Storage;

namespace Orchestrator.Application.Dags;

internal sealed class DagCommands(IMetadataStore store, TimeProvider time) : IDagCommands
{
    public async Task SetPausedAsync(DagId dagId, bool paused, Actor actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        if (!await store.Dags.SetPausedAsync(dagId, paused, time.GetUtcNow(), cancellationToken))
        {
            throw ApplicationProblemException.NotFound($"no DAG '{dagId}' in the metadata store");
        }
    }
}
