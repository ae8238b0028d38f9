using Orchestrator.Core.Model;
using Orchestrator.Core.States;
using Orchestrator.Storage.Records;
using Orchestrator.Storage.Migrations;

namespace Orchestrator.Storage.Sql;

/// <summary>The metadata store on any SQL backend: role stores over one database, and the engine's batch.</summary>
public sealed class SqlMetadataStore : IMetadataStore
{
    private readonly SqlDatabase _database;
    private readonly SqlSession _session;

    private SqlMetadataStore(SqlDatabase database)
    {
        _database = database;
        _session = new SqlSession(database);
        Dags = new SqlDagStore(_session);
        Runs = new SqlRunStore(_session);
        TaskInstances = new SqlTaskInstanceStore(_session);
        Logs = new SqlTaskLogStore(_session);
        Outputs = new SqlTaskOutputStore(_session);
        Variables = new SqlVariableStore(_session);
        Connections = new SqlConnectionStore(_session);
        Datasets = new SqlDatasetStore(_session);
        Models = new SqlModelRegistryStore(_session);
        Tracking = new SqlTrackingStore(_session);
        Users = new SqlUserStore(_session);
        Events = new SqlEventStore(_session);
        Dashboard = new SqlDashboardReadStore(_session);
        Counts = new SqlStateCounts(_session);
        DriftChecks = new SqlDriftCheckStore(_session);
        Alerts = new SqlAlertStore(_session);
        Inference = new SqlInferenceLogStore(_session);
        Leases = new SqlLeaseStore(_session);
        Workers = new SqlWorkerStore(_session);
        TryReports = new SqlTryReportStore(_session);
        Pools = new SqlPoolStore(_session);
        RunChanges = new SqlRunChangeRequestStore(_session);
        Signals = database.CreateSignals();
    }

    public IDagStore Dags { get; }

    public IRunStore Runs { get; }

    public ITaskInstanceStore TaskInstances { get; }

    public ITaskLogStore Logs { get; }

    public ITaskOutputStore Outputs { get; }

    public IVariableStore Variables { get; }

    public IConnectionStore Connections { get; }

    public IDatasetStore Datasets { get; }

    public IModelRegistryStore Models { get; }

    public ITrackingStore Tracking { get; }

    public IUserStore Users { get; }

    public IEventStore Events { get; }

    public IDashboardReadStore Dashboard { get; }

    public IStateCountStore Counts { get; }

    public IDriftCheckStore DriftChecks { get; }

    public IAlertStore Alerts { get; }

    public IInferenceLogStore Inference { get; }

    public ILeaseStore Leases { get; }

    public IWorkerStore Workers { get; }

    public ITryReportStore TryReports { get; }

    public IPoolStore Pools { get; }

    public IRunChangeRequestStore RunChanges { get; }

    public IStoreSignals Signals { get; }

    /// <summary>Opens the store, applying any migration not yet applied.</summary>
    public static async Task<SqlMetadataStore> OpenAsync(SqlDatabase database, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(database);
        await MigrationRunner.MigrateAsync(database, time, cancellationToken);
        return new SqlMetadataStore(database);
    }

    public async Task<BatchResult> ApplyAsync(StateChangeBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        string? failed = null;
        await _session.WriteAsync(async (connection, transaction) =>
        {
            if (batch.Fence is { } fence && !await SqlLeaseStore.HoldsAsync(_database, connection, transaction, fence, cancellationToken))
            {
                failed = $"lease '{fence.Name}' is no longer held by {fence.Owner}";
                return false;
            }

            var finishes = (batch.FinishTry is { } first ? [first] : Array.Empty<TryFinish>()).Concat(batch.MoreFinishedTries).ToList();
            if (await GroupedFinishes.ApplyAsync(connection, transaction, finishes, cancellationToken) is { } notRunning)
            {
                failed = $"try {notRunning.TryNumber} of '{notRunning.TaskId}' is not the running try";
                return false;
            }

            foreach (var output in (batch.Output is { } one ? [one] : Array.Empty<(RunId RunId, TaskId TaskId, string Json)>()).Concat(batch.MoreOutputs))
            {
                await TaskStatements.SetOutputAsync(connection, transaction, output.RunId.Value, output.TaskId.Value, output.Json, cancellationToken);
            }

            if (await GroupedTransitions.ApplyAsync(connection, transaction, batch.Transitions ?? [], cancellationToken) is { } stuck)
            {
                failed = $"task '{stuck.TaskId}' is no longer {stuck.From.ToName()}";
                return false;
            }

            if (batch.Run is { } run && !await TaskStatements.RunTransitionAsync(connection, transaction, run, cancellationToken))
            {
                failed = $"run '{run.RunId}' is no longer {run.From.ToName()}";
                return false;
            }

            if (batch.DecidesRequest is { } decision && !await SqlRunChangeRequestStore.DecideAppliedAsync(connection, transaction, decision, cancellationToken))
            {
                failed = $"change request {decision.RequestId} is no longer taken by {decision.Driver}";
                return false;
            }

            await GroupedFinishes.DeleteReportsAsync(connection, transaction, batch.ConsumedReports, cancellationToken);

            foreach (var newEvent in batch.Events)
            {
                await SqlEventStore.InsertAsync(connection, transaction, newEvent, cancellationToken);
            }

            foreach (var alert in batch.Alerts ?? [])
            {
                await AlertStatements.InsertAsync(connection, transaction, alert, cancellationToken); // a duplicate is already recorded
            }

            return true;
        }, cancellationToken);
        return failed is null ? BatchResult.Success : new BatchResult(false, failed);
    }

    public Task<IReadOnlyList<int>> AppliedMigrationsAsync(CancellationToken cancellationToken) => MigrationRunner.AppliedAsync(_database, cancellationToken);

    public ValueTask DisposeAsync() => _database is IAsyncDisposable disposable ? disposable.DisposeAsync() : ValueTask.CompletedTask;
}
