using Orchestrator.Storage;

namespace Orchestrator.Engine.Tests.Pools;

/// <summary>A store that runs <see cref="BeforeApply"/> before each batch: another process's write landing between
/// what a coordinator read and what it commits. Its reports can go through a wrapper (<see cref="ReportsOverride"/>).</summary>
internal sealed class HookedStore(IMetadataStore inner) : IMetadataStore
{
    public Func<StateChangeBatch, Task>? BeforeApply { get; set; }

    public IDagStore Dags => inner.Dags;

    public IRunStore Runs => inner.Runs;

    /// <summary>Task instances through another store (a wrapper) when set.</summary>
    public ITaskInstanceStore? TaskInstancesOverride { get; set; }

    public ITaskInstanceStore TaskInstances => TaskInstancesOverride ?? inner.TaskInstances;

    public ITaskLogStore Logs => inner.Logs;

    public ITaskOutputStore Outputs => inner.Outputs;

    public IVariableStore Variables => inner.Variables;

    public IConnectionStore Connections => inner.Connections;

    public IDatasetStore Datasets => inner.Datasets;

    public IModelRegistryStore Models => inner.Models;

    public ITrackingStore Tracking => inner.Tracking;

    public IUserStore Users => inner.Users;

    public IEventStore Events => inner.Events;

    public IDashboardReadStore Dashboard => inner.Dashboard;

    public IStateCountStore Counts => inner.Counts;

    public IDriftCheckStore DriftChecks => inner.DriftChecks;

    public IAlertStore Alerts => inner.Alerts;

    public IInferenceLogStore Inference => inner.Inference;

    public ILeaseStore Leases => inner.Leases;

    public IWorkerStore Workers => inner.Workers;

    /// <summary>Reports through another store (a wrapper) when set.</summary>
    public ITryReportStore? ReportsOverride { get; set; }

    public ITryReportStore TryReports => ReportsOverride ?? inner.TryReports;

    public IPoolStore Pools => inner.Pools;

    public IRunChangeRequestStore RunChanges => inner.RunChanges;

    public IStoreSignals Signals => inner.Signals;

    public async Task<BatchResult> ApplyAsync(StateChangeBatch batch, CancellationToken cancellationToken)
    {
        if (BeforeApply is { } hook)
        {
            await hook(batch);
        }

        return await inner.ApplyAsync(batch, cancellationToken);
    }

    public Task<IReadOnlyList<int>> AppliedMigrationsAsync(CancellationToken cancellationToken) => inner.AppliedMigrationsAsync(cancellationToken);

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
