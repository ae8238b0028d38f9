using Orchestrator.Core.Model;
using Orchestrator.Core.States;
using Orchestrator.Storage.Records;

namespace Orchestrator.Storage;

/// <summary>The reads behind the dashboard's and API's busiest pages, each one query however many runs or DAGs it
/// covers, so a grid of 25 runs × 2,000 tasks or a list of 500 DAGs stays one round trip per kind of row.</summary>
public interface IDashboardReadStore
{
    /// <summary>A page of runs, newest logical date first, and how many match in all.</summary>
    Task<RunPage> PageRunsAsync(RunPageQuery query, CancellationToken cancellationToken);

    /// <summary>The state of every task instance of the given runs (in no particular order).</summary>
    Task<IReadOnlyList<TaskStateRecord>> TaskStatesAsync(IReadOnlyCollection<RunId> runIds, CancellationToken cancellationToken);

    /// <summary>The <paramref name="perDag"/> newest runs of each given DAG, newest first within a DAG.</summary>
    Task<IReadOnlyList<DagRunRecord>> RecentRunsAsync(IReadOnlyCollection<DagId> dagIds, int perDag, CancellationToken cancellationToken);
}

/// <summary>Which runs to page through: of one DAG or all, in one state or any.</summary>
public sealed record RunPageQuery(DagId? DagId, DagRunState? State, int Offset, int Limit);

/// <summary>One page of runs and the number of runs matching the query.</summary>
public sealed record RunPage(IReadOnlyList<DagRunRecord> Runs, int Total);

/// <summary>A task instance's state only: what the grid and graph draw.</summary>
public sealed record TaskStateRecord(RunId RunId, TaskId TaskId, TaskInstanceState State);
