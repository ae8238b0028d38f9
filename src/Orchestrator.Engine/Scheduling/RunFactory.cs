using Orchestrator.Core.Model;
using Orchestrator.Core.Pools;
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
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<LoadedDag, IReadOnlyList<int>> EffectiveWeights = [];

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
            var runId = RunId.Scheduled(dag.Id, logicalDate);
            if (await CreateAsync(dag, runId, logicalDate, RunType.Scheduled, "{}", cancellationToken))
            {
                created.Add(runId);
            }
        }

        return created;
    }

    /// <summary>Creates a manual run whose logical date is now, to the store's millisecond. A DAG has one run per
    /// logical date (as in Airflow), so a trigger landing on a taken date (another trigger in the same millisecond,
    /// or a scheduled run) takes the next free millisecond after the newest manual run: every trigger is created,
    /// each with its own logical date and run id.</summary>
    /// <exception cref="InvalidOperationException">No free logical date was found (the store refused every one).</exception>
    public async Task<(RunId RunId, DateTimeOffset LogicalDate)> CreateManualAsync(LoadedDag dag, string conf, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dag);
        const int MaxAttempts = 1000;
        var logicalDate = TruncateToMillisecond(time.GetUtcNow());
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var runId = RunId.Manual(dag.Id, logicalDate);
            if (await CreateAsync(dag, runId, logicalDate, RunType.Manual, conf, cancellationToken))
            {
                return (runId, logicalDate);
            }

            // Jump past the newest manual run rather than one millisecond at a time: N triggers in one
            // millisecond then cost about 2N writes instead of N².
            var newest = await store.Runs.ListAsync(new RunQuery(dag.Id, Limit: 1, Type: RunType.Manual), cancellationToken);
            var next = logicalDate.AddMilliseconds(1);
            logicalDate = newest.Count > 0 && newest[0].LogicalDate >= next ? newest[0].LogicalDate.AddMilliseconds(1) : next;
        }

        throw new InvalidOperationException($"could not find a free logical date for a manual run of {dag.Id} after {MaxAttempts} attempts");
    }

    /// <summary>Creates <paramref name="dag"/>'s run for an event, unless it exists: its id comes from the event, its
    /// conf is the event's payload, its logical date the event's time (the next free millisecond when another run of the
    /// DAG has that one). Returns the run's id and whether this call created it.</summary>
    public async Task<(RunId RunId, bool Created)> CreateForEventAsync(LoadedDag dag, EventRecord trigger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dag);
        ArgumentNullException.ThrowIfNull(trigger);
        const int MaxAttempts = 1000;
        var runId = RunId.ForEvent(dag.Id, trigger.Id);
        var logicalDate = TruncateToMillisecond(trigger.CreatedAt);
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            if (await store.Runs.GetAsync(runId, cancellationToken) is not null)
            {
                return (runId, false);
            }

            if (await CreateAsync(dag, runId, logicalDate, RunType.Event, trigger.Payload, cancellationToken, trigger.Id))
            {
                return (runId, true);
            }

            logicalDate = logicalDate.AddMilliseconds(1); // another run of the DAG has this logical date
        }

        throw new InvalidOperationException($"could not find a free logical date for the run of {dag.Id} for event {trigger.Id} after {MaxAttempts} attempts");
    }

    private static DateTimeOffset TruncateToMillisecond(DateTimeOffset at) =>
        new(at.UtcTicks - (at.UtcTicks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);

    public async Task<bool> CreateAsync(
        LoadedDag dag, RunId runId, DateTimeOffset logicalDate, RunType type, string conf, CancellationToken cancellationToken, long? eventId = null)
    {
        ArgumentNullException.ThrowIfNull(dag);
        var now = time.GetUtcNow();
        // The effective priority is fixed per run: the pinned version's graph and weight rules decide it, once per version.
        var priorities = EffectiveWeights.GetValue(dag, static d => PriorityWeights.Effective(d.Graph, d.Definition.Tasks));
        return await store.Runs.CreateAsync(
            new DagRunRecord(runId, dag.Id, dag.Version, logicalDate, type, DagRunState.Queued, conf, now) { EventId = eventId },
            [.. dag.Definition.Tasks.Select((task, index) => new TaskInstanceRecord(
                runId, task.Id, TaskInstanceState.None, 0, task.Retry.MaxTries, task.Queue, now, Pool: task.Pool, PoolSlots: task.PoolSlots, PriorityWeight: priorities[index]))],
            cancellationToken);
    }
}
