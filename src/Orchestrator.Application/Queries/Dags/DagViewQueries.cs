using Orchestrator.Application.Queries.Graph;
using Orchestrator.Application.Queries.Runs;
using Orchestrator.Core.Model;
using Orchestrator.Core.States;
using Orchestrator.Storage;

namespace Orchestrator.Application.Queries.Dags;

/// <summary>The grid and graph of a DAG: layouts come from the (cached) DAG version, states from one store query.</summary>
public sealed class DagViewQueries(IMetadataStore store, StoredDagVersions versions, DagQueries dags)
{
    /// <summary>The most runs a grid shows.</summary>
    public const int MaxGridRuns = 100;

    /// <summary>The newest <paramref name="limit"/> runs (1–100) × the tasks of the latest version, oldest run first.</summary>
    public async Task<GridView> GridAsync(DagId dagId, int? limit, CancellationToken cancellationToken)
    {
        if (limit is < 1 or > MaxGridRuns)
        {
            throw ApplicationProblemException.Invalid($"limit must be between 1 and {MaxGridRuns}, not {limit}", "limit");
        }

        var dag = await dags.RequireAsync(dagId, cancellationToken);
        var layout = await versions.LayoutAsync(dagId, dag.LatestVersion, cancellationToken);
        var page = await store.Dashboard.PageRunsAsync(new RunPageQuery(dagId, null, 0, limit ?? 25), cancellationToken);
        var runs = page.Runs.Reverse().ToList();
        var tasks = layout?.TaskOrder ?? [];
        var rowOf = new Dictionary<string, int>(runs.Count, StringComparer.Ordinal);
        var states = new string?[runs.Count][];
        for (var r = 0; r < runs.Count; r++)
        {
            rowOf[runs[r].RunId.Value] = r;
            states[r] = new string?[tasks.Count];
        }

        if (layout is not null)
        {
            foreach (var task in await store.Dashboard.TaskStatesAsync([.. runs.Select(run => run.RunId)], cancellationToken))
            {
                if (layout.PositionOf.TryGetValue(task.TaskId.Value, out var column))
                {
                    states[rowOf[task.RunId.Value]][column] = task.State.ToName();
                }
            }
        }

        return new GridView(dagId.Value, tasks, [.. runs.Select(RunSummary.Of)], states);
    }

    /// <summary>The graph of the run's DAG version with its states; without a run, of the latest run (or of the
    /// latest version with no states when the DAG never ran). Unknown DAG or run, or a run of another DAG: NotFound.</summary>
    public async Task<GraphView> GraphAsync(DagId dagId, RunId? runId, CancellationToken cancellationToken)
    {
        var dag = await dags.RequireAsync(dagId, cancellationToken);
        var run = runId is { } id
            ? await store.Runs.GetAsync(id, cancellationToken) is { } found && found.DagId == dagId
                ? found
                : throw ApplicationProblemException.NotFound($"DAG '{dagId}' has no run '{id}'")
            : (await store.Dashboard.PageRunsAsync(new RunPageQuery(dagId, null, 0, 1), cancellationToken)).Runs is [var latest, ..] ? latest : null;
        var version = run?.DagVersion ?? dag.LatestVersion;
        var layout = await versions.LayoutAsync(dagId, version, cancellationToken)
            ?? throw ApplicationProblemException.NotFound($"version '{version}' of DAG '{dagId}' cannot be read");
        var states = run is null
            ? new Dictionary<string, string>()
            : (await store.Dashboard.TaskStatesAsync([run.RunId], cancellationToken)).ToDictionary(t => t.TaskId.Value, t => t.State.ToName(), StringComparer.Ordinal);
        var nodes = run is null
            ? layout.Nodes
            : [.. layout.Nodes.Select(node => node with { State = states.GetValueOrDefault(node.TaskId) })];
        return new GraphView(dagId.Value, version, run?.RunId.Value, layout.LayerCount, nodes, layout.Edges);
    }
}
