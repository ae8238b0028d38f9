using Orchestrator.Core.Model;
using Orchestrator.Storage.Records;

namespace Orchestrator.Storage;

/// <summary>Task instances, their tries and their state history. Every change is compare-and-set.</summary>
public interface ITaskInstanceStore
{
    Task<IReadOnlyList<TaskInstanceRecord>> ListAsync(RunId runId, CancellationToken cancellationToken);

    /// <summary>One task instance (null when the run has no such task): a worker reads its own, not the run's thousands.</summary>
    Task<TaskInstanceRecord?> GetAsync(RunId runId, TaskId taskId, CancellationToken cancellationToken);

    Task<bool> TryTransitionAsync(TaskTransition transition, CancellationToken cancellationToken);

    /// <summary>queued → running plus the try row; false if the task is not queued or that try already exists.</summary>
    Task<bool> TryStartTryAsync(TryStart start, CancellationToken cancellationToken);

    /// <summary>A worker's fast path: up to <see cref="QueuedClaim.Limit"/> queued task instances of the claim's queues,
    /// in runs that are running (never a test run), oldest <c>updated_at</c> first, each started in ONE transaction
    /// exactly as <see cref="TryStartTryAsync"/> starts it (queued → running, try row number <c>try_number + 1</c> with
    /// the lease). Instances another transaction holds are skipped, not waited for, so workers claiming at once never
    /// get the same one.</summary>
    Task<IReadOnlyList<ClaimedTry>> ClaimQueuedAsync(QueuedClaim claim, CancellationToken cancellationToken);

    /// <summary>Gives back tries <paramref name="workerId"/> claimed but never started (claimed ahead of a free slot):
    /// each whose try row is still open and this worker's, and whose instance still runs that try, loses its try row
    /// and is queued again as before the claim (its <c>try_number</c> one less, in its place in line). One
    /// transaction; returns the tries given back (a try recorded lost meanwhile, or another's, is left alone).</summary>
    Task<IReadOnlyList<ClaimedTry>> GiveBackAsync(string workerId, IReadOnlyCollection<ClaimedTry> tries, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Which of these dispatched tries are still waiting to be claimed: their instance is queued for exactly
    /// that try (its <c>try_number</c> is one less). A scheduler hands only those to its slower fallback.</summary>
    Task<IReadOnlyList<ClaimedTry>> StillQueuedAsync(IReadOnlyCollection<(RunId RunId, TaskId TaskId, int TryNumber)> tries, CancellationToken cancellationToken);

    /// <summary>Closes the running try; false if it is not running or that try already ended: a try completes once.</summary>
    Task<bool> TryFinishTryAsync(TryFinish finish, CancellationToken cancellationToken);

    /// <summary>Records the process group a running try's command runs in, once: false if that try is not running
    /// (it ended, or never started) or already has a process recorded.</summary>
    Task<bool> RecordTryProcessAsync(RunId runId, TaskId taskId, int tryNumber, TaskProcess process, CancellationToken cancellationToken);

    Task<IReadOnlyList<TaskTryRecord>> ListTriesAsync(RunId runId, TaskId? taskId, CancellationToken cancellationToken);

    Task<IReadOnlyList<TaskStateChange>> HistoryAsync(RunId runId, TaskId? taskId, CancellationToken cancellationToken);
}
