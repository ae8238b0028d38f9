using System.Globalization;
using Orchestrator.Core.Model;
using Orchestrator.Core.Schedules;
using Orchestrator.Core.States;
using Orchestrator.Loading;
using Orchestrator.Storage;
using Orchestrator.Storage.Records;

namespace Orchestrator.Engine.Scheduling;

/// <summary>Creates queued runs in the store: the scheduled runs due now (asking the planner, so catchup and
/// downtime are handled the same way), or one manual run. The store refuses a second run for a DAG and logical
/// date, so two schedulers asking at once still create each run once.</summary>
public sealed class RunFactory(IMetadataStore store, TimeProvider time)
{
    public async Task<IReadOnlyList<RunId>> CreateDueRunsAsync(LoadedDag dag, CancellationToken cancellationToken)
    {
        if ((await store.Dags.GetAsync(dag.Id, cancellationToken))?.IsPaused == true)
        {
            return [];
        }

        var newest = await store.Runs.ListAsync(new RunQuery(dag.Id, Limit: 1, Type: RunType.Scheduled), cancellationToken);
        var lastScheduled = newest.Count > 0 ? newest[0].LogicalDate : (DateTimeOffset?)null;
        var created = new List<RunId>();
        foreach (var logicalDate in SchedulePlanner.DueRuns(dag.Definition, lastScheduled, time.GetUtcNow()))
        {
            var runId = new RunId($"scheduled__{logicalDate.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ssK", CultureInfo.InvariantCulture)}");
            if (await CreateAsync(dag, runId, logicalDate, RunType.Scheduled, "{}", cancellationToken))
            {
                created.Add(runId);
            }
        }

        return created;
    }

    public async Task<bool> CreateAsync(LoadedDag dag, RunId runId, DateTimeOffset logicalDate, RunType type, string conf, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dag);
        var now = time.GetUtcNow();
        return await store.Runs.CreateAsync(
            new DagRunRecord(runId, dag.Id, dag.Version, logicalDate, type, DagRunState.Queued, conf, now),
            [.. dag.Definition.Tasks.Select(task => new TaskInstanceRecord(runId, task.Id, TaskInstanceState.None, 0, task.Retry.MaxTries, task.Queue, now))],
            cancellationToken);
    }
}
