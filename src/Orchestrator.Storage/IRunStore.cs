using Orchestrator.Core.Model;
using Orchestrator.Core.States;
using Orchestrator.Storage.Records;

namespace Orchestrator.Storage;

/// <summary>DAG runs.</summary>
public interface IRunStore
{
    /// <summary>Creates a run with its task instances in one transaction. False when the run id, or a run of the
    /// same DAG for the same logical date, already exists; then nothing is written.</summary>
    Task<bool> CreateAsync(DagRunRecord run, IReadOnlyList<TaskInstanceRecord> tasks, CancellationToken cancellationToken);

    Task<DagRunRecord?> GetAsync(RunId runId, CancellationToken cancellationToken);

    Task<IReadOnlyList<DagRunRecord>> ListAsync(RunQuery query, CancellationToken cancellationToken);

    /// <summary>The runs created by any of these events, in one read (an event page shows each event's runs).</summary>
    Task<IReadOnlyList<DagRunRecord>> ListByEventsAsync(IReadOnlyCollection<long> eventIds, CancellationToken cancellationToken);

    /// <summary>Compare-and-set: applied only if the run is still in <c>From</c>; sets the start or end time. Back to
    /// queued (a cleared run) forgets the end time; queued → queued only checks the run is still queued.</summary>
    Task<bool> TryTransitionAsync(RunTransition transition, CancellationToken cancellationToken);

    /// <summary>The DAGs that have runs in <paramref name="state"/>.</summary>
    Task<IReadOnlyList<DagId>> DagsWithRunsAsync(DagRunState state, CancellationToken cancellationToken);

    /// <summary>Runs of the DAG that are queued or running.</summary>
    Task<int> CountActiveAsync(DagId dagId, CancellationToken cancellationToken);
}
