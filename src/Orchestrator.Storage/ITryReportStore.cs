using Orchestrator.Core.Model;
using Orchestrator.Storage.Records;

namespace Orchestrator.Storage;

/// <summary>Finished tries reported by workers, until the run's driver records them: the worker's return path goes
/// through the store, so a try's result survives the worker, the driver, or both dying right after it ended.</summary>
public interface ITryReportStore
{
    /// <summary>Records the report only while the try is still running on this worker (fencing: a try recorded lost
    /// meanwhile, or a report already made, refuses it). False when refused.</summary>
    Task<bool> ReportAsync(TryReport report, CancellationToken cancellationToken);

    /// <summary>Records the report as <see cref="ReportAsync(TryReport, CancellationToken)"/> does and, when the try
    /// succeeded and <paramref name="follow"/> is given, starts the first ready candidate on the same worker in the
    /// same transaction (none → running, try row with the lease; compare-and-set, so a task is started once), and
    /// names it in the report. Nothing is started when the report is refused.</summary>
    Task<ReportResult> ReportAsync(TryReport report, FollowOn? follow, CancellationToken cancellationToken);

    /// <summary>The run's outputs as its tries must see them: those recorded, and those of successful tries still
    /// only reported (a worker may have started their downstream task before the driver recorded them).</summary>
    Task<IReadOnlyDictionary<TaskId, string>> OutputsAsync(RunId runId, CancellationToken cancellationToken);

    /// <summary>Reports waiting for these runs (all runs when null), oldest first.</summary>
    Task<IReadOnlyList<TryReport>> ListAsync(IReadOnlyCollection<RunId>? runIds, int limit, CancellationToken cancellationToken);

    /// <summary>Removes reports whose try has ended without them (recorded by other means): they can never apply.</summary>
    Task<int> DeleteStaleAsync(CancellationToken cancellationToken);
}
