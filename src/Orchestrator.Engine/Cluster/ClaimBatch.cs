using System.Collections.Concurrent;
using Orchestrator.Core.Model;
using Orchestrator.Storage;

namespace Orchestrator.Engine.Cluster;

/// <summary>One claim's tries: when it was made, and the upstream outputs of its runs, read once per run for all of
/// them. A read begun after the claim committed sees every output its tries need (each was recorded or reported before
/// its downstream could be queued), so sharing it is the same as each try reading for itself — one round trip per
/// run and claim where a fan-out's children made one each.</summary>
internal sealed class ClaimBatch(DateTimeOffset claimedAt, ITryReportStore reports)
{
    private readonly ConcurrentDictionary<RunId, Lazy<Task<IReadOnlyDictionary<TaskId, string>>>> _outputs = new();

    public DateTimeOffset ClaimedAt { get; } = claimedAt;

    /// <summary>The run's recorded and reported outputs, as read by the first try of this claim that needed them. A
    /// failed read is not kept: the next caller (a retry after an outage) reads again.</summary>
    public async Task<IReadOnlyDictionary<TaskId, string>> OutputsAsync(RunId runId, CancellationToken cancellationToken)
    {
        var read = _outputs.GetOrAdd(runId, id => new Lazy<Task<IReadOnlyDictionary<TaskId, string>>>(
            () => reports.OutputsAsync(id, CancellationToken.None))); // shared: one try's cancellation must not fail the others
        try
        {
            return await read.Value.WaitAsync(cancellationToken);
        }
        catch (Exception) when (read.Value.IsFaulted)
        {
            _outputs.TryRemove(KeyValuePair.Create(runId, read));
            throw;
        }
    }
}
