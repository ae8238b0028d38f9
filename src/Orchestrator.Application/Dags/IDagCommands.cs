using Orchestrator.Core.Model;

namespace Orchestrator.Application.Dags;

/// <summary>Changing a DAG's standing. The CLI's <c>dags pause|unpause</c>, the API's PATCH and the DAGs page toggle.</summary>
public interface IDagCommands
{
    /// <summary>Pauses or unpauses the DAG (a paused DAG gets no scheduled runs; manual runs still start).
    /// Unknown DAG: NotFound.</summary>
    Task SetPausedAsync(DagId dagId, bool paused, Actor actor, CancellationToken cancellationToken);
}
