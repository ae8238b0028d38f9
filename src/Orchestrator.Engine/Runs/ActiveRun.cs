using System.Collections.Concurrent;
using System.Text.Json;
using Orchestrator.Core.Authoring;
using Orchestrator.Core.Model;
using Orchestrator.Core.Runs;
using Orchestrator.Core.Schedules;
using Orchestrator.Core.Secrets;
using Orchestrator.Loading;
using Orchestrator.Storage.Records;

namespace Orchestrator.Engine.Runs;

/// <summary>A run this engine is driving: its pinned DAG version, the tracker that decides its tasks, its params
/// (conf applied) and the outputs so far. Decisions for one run are taken one at a time under <see cref="Gate"/>.</summary>
internal sealed class ActiveRun(DagRunRecord record, LoadedDag dag, RunTracker tracker, IReadOnlyDictionary<string, JsonElement> parameters)
{
    public DagRunRecord Record { get; } = record;

    public LoadedDag Dag { get; } = dag;

    public RunTracker Tracker { get; } = tracker;

    public IReadOnlyDictionary<string, JsonElement> Params { get; } = parameters;

    public ConcurrentDictionary<TaskId, JsonElement> Outputs { get; } = new();

    /// <summary>Each task's last try number (0: never tried); a task decided anew (a cleared one) runs the try after it.</summary>
    public ConcurrentDictionary<TaskId, int> LastTry { get; } = new();

    /// <summary>The number of the try each dispatched task runs.</summary>
    public ConcurrentDictionary<TaskId, int> TryToRun { get; } = new();

    /// <summary>Tries each task may use: the task's own, plus one per try lost or interrupted (those are free).</summary>
    public ConcurrentDictionary<TaskId, int> MaxTries { get; } = new();

    /// <summary>How many of each task's latest tries in a row were lost or interrupted.</summary>
    public ConcurrentDictionary<TaskId, int> LostInARow { get; } = new();

    /// <summary>Tasks whose running try, when the run was resumed, had a lease (a worker process runs it).</summary>
    public HashSet<TaskId> Leased { get; } = [];

    /// <summary>Workers' reports handed to the committer and not yet committed: a report read twice is decided once.</summary>
    public HashSet<(TaskId Task, int TryNumber)> ReportsInFlight { get; } = [];

    /// <summary>Tries a worker started right after a reported success (the report names them), keyed by task, until
    /// the decision that makes the task ready adopts them instead of queueing the task. A report of such a try is
    /// accepted while its predecessor's completion is still waiting to be committed.</summary>
    public ConcurrentDictionary<TaskId, int> Followed { get; } = new();

    /// <summary>Tasks waiting in scheduled for slots of their pool; when a pool admits one (scheduled → queued in the
    /// store) it is dispatched here, once. Read and changed under <see cref="Gate"/>.</summary>
    public HashSet<TaskId> PoolWaiting { get; } = [];

    /// <summary>Whether any task of the run's DAG takes pool slots (only then do its changes concern pools).</summary>
    public bool UsesPools { get; } = dag.Definition.Tasks.Any(t => t.Pool is not null);

    public SemaphoreSlim Gate { get; } = new(1, 1);

    /// <summary>Completions waiting to be decided and committed; the committer takes all of them at once.</summary>
    public ConcurrentQueue<PendingCompletion> Pending { get; } = new();

    /// <summary>1 while a committer works through <see cref="Pending"/> (set and cleared with Interlocked).</summary>
    public int Committing;

    /// <summary>Set (under <see cref="Gate"/>) once a commit of this run failed and it was dropped: nothing more is
    /// committed from this view of it. A completion still queued to it fails, and its report stays in the store for
    /// the run's next driver, which reads the store afresh.</summary>
    public volatile bool Dropped;

    public TaskDefinition Task(TaskId id) => Dag.Definition.Tasks[Dag.Graph.IndexOf(id)];

    /// <summary>The run as its tries see it, made once (the worker's secrets source and log limits are the same for
    /// every try it runs); its outputs are <see cref="Outputs"/>, live.</summary>
    public RunContext Context(ITrySecretsSource? secrets, LogLimits logLimits) =>
        LazyInitializer.EnsureInitialized(ref _context, () => ContextOf(Record, Dag, Params, Outputs, secrets, logLimits));

    /// <summary>A run as its tries see it, from its record and pinned DAG version: here for the runs this engine drives,
    /// and in a worker process for the one try it runs. Its data interval runs from the schedule's previous fire time to
    /// the logical date for a scheduled run, and is the logical date alone otherwise (as Airflow 3 does).</summary>
    public static RunContext ContextOf(
        DagRunRecord record, LoadedDag dag, IReadOnlyDictionary<string, JsonElement> parameters, IReadOnlyDictionary<TaskId, JsonElement> outputs,
        ITrySecretsSource? secrets, LogLimits logLimits) => new()
    {
        DagId = record.DagId,
        RunId = record.RunId,
        LogicalDate = record.LogicalDate,
        DataInterval = DataInterval.For(dag.Definition, record.RunType == RunType.Scheduled, record.LogicalDate),
        Params = parameters,
        DagParams = dag.Definition.Params,
        Outputs = outputs,
        DagFolder = dag.Folder,
        Secrets = secrets,
        LogLimits = logLimits,
    };

    private RunContext? _context;
}

/// <summary>A finished try waiting to be decided and committed.</summary>
internal sealed class PendingCompletion(TaskId taskId, Execution.Tries.TryRecord attempt, System.Threading.Tasks.Task recordedBefore, bool fromReport = false)
{
    /// <summary>A worker process reported it (<see cref="Storage.ITryReportStore"/>): its report goes with the commit.</summary>
    public bool FromReport { get; } = fromReport;

    /// <summary>Writes that must be in the store before this completion (the try's start and logs).</summary>
    public System.Threading.Tasks.Task RecordedBefore { get; } = recordedBefore;

    public TaskId TaskId { get; } = taskId;

    public Execution.Tries.TryRecord Attempt { get; } = attempt;

    public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
