using Orchestrator.Core.Model;

namespace Orchestrator.Application.Runs;

/// <summary>Creating runs. The CLI's <c>dags trigger</c>, the API's POST …/runs and the dashboard's trigger form.</summary>
public interface IRunCommands
{
    /// <summary>Creates a queued manual run of the DAG's latest recorded version with <paramref name="confJson"/> (a JSON
    /// object; null or empty = {}), checked against the DAG's params (a value whose JSON kind differs from the default's: Invalid naming
    /// <c>conf.KEY</c>; keys that are no param are kept: a C# task may read them). The engine on the same store starts it. Unknown DAG: NotFound.</summary>
    Task<RunId> TriggerAsync(DagId dagId, string? confJson, Actor actor, CancellationToken cancellationToken);
}
