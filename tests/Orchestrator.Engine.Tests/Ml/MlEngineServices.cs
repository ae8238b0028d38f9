using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Core.Authoring;
using Orchestrator.Execution.Hosting;
using Orchestrator.Execution.TaskTypes;
using Orchestrator.ML.Tasks;
using Orchestrator.Storage;
using Orchestrator.Storage.Artifacts;

namespace Orchestrator.Engine.Tests.Ml;

/// <summary>The ml.* task types for an <see cref="EngineFixture"/>: composed as the CLI composes them, on the fixture's
/// store as it is now (a restart opens a new one) and a folder artifact store, with a sample of the taxi data.
/// <see cref="CrashAfter"/> wraps a real task type so its first try completes its work and then hangs until the test
/// "crashes" the engine: the try's effects are committed but its end is never recorded.</summary>
internal sealed class MlEngineServices : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("orchestrator-ml-engine-").FullName;
    private readonly CancellationTokenSource _hung = new();

    public EngineFixture? Engine { get; set; }

    public string TaxiSample { get; private set; } = null!;

    /// <summary>Completes when the wrapped type's first try has done its work.</summary>
    public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The types, with <paramref name="crashAfter"/> (ml.register or ml.deploy) wrapped around the real
    /// <paramref name="real"/> executor.</summary>
    public TaskTypeRegistry Registry(string crashAfter, Type real)
    {
        TaxiSample = Path.Combine(_folder, "taxi.csv");
        File.WriteAllLines(TaxiSample, File.ReadLines(RepositoryFile("dags/data/taxi-fare/taxi-fare-train.csv")).Take(601));
        var services = new ServiceCollection()
            .AddSingleton<IMetadataStore>(new CurrentStore(() => Engine!.Store))
            .AddSingleton<IArtifactStore>(new FolderArtifactStore(Path.Combine(_folder, "artifacts")))
            .AddOrchestratorMl();
        // A later registration of a type name replaces the earlier one.
        services.AddOrchestratorTaskType(crashAfter, provider => new CrashAfter(
            (ITaskExecutor)ActivatorUtilities.CreateInstance(provider, real), this));
        return services.BuildServiceProvider().GetRequiredService<TaskTypeRegistry>();
    }

    /// <summary>The types, with ml.train's first try dying mid-training: it has started its tracking run (as the real
    /// task does) and hangs until the engine stops; later tries are the real ml.train.</summary>
    public TaskTypeRegistry RegistryDyingWhileTraining()
    {
        TaxiSample = Path.Combine(_folder, "taxi.csv");
        File.WriteAllLines(TaxiSample, File.ReadLines(RepositoryFile("dags/data/taxi-fare/taxi-fare-train.csv")).Take(601));
        var store = new CurrentStore(() => Engine!.Store);
        var services = new ServiceCollection()
            .AddSingleton<IMetadataStore>(store)
            .AddSingleton<IArtifactStore>(new FolderArtifactStore(Path.Combine(_folder, "artifacts")))
            .AddOrchestratorMl();
        services.AddOrchestratorTaskType("ml.train", provider => new DieWhileTraining(
            ActivatorUtilities.CreateInstance<TrainTask>(provider), store, this));
        return services.BuildServiceProvider().GetRequiredService<TaskTypeRegistry>();
    }

    /// <summary>ingest → train → register → deploy of the taxi_fare model.</summary>
    public DagBuilder Dag(string id)
    {
        var dag = new DagBuilder(id);
        var ingest = dag.Task("ingest", "ml.ingest", new { path = TaxiSample, name = "taxi" });
        var train = dag.Task("train", "ml.train", new
        {
            task = "regression", label = "fare_amount", trainer = "fastTree",
            categorical = new[] { "vendor_id", "payment_type" }, hyperparameters = new { numberOfTrees = 5 }, seed = 1,
        }).DependsOn(ingest);
        var register = dag.Task("register", "ml.register", new { model = "taxi_fare" }).DependsOn(train);
        dag.Task("deploy", "ml.deploy", new { model = "taxi_fare" }).DependsOn(register);
        return dag;
    }

    public void Dispose()
    {
        _hung.Cancel();
        _hung.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    private static string RepositoryFile(string relativePath)
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Orchestrator.sln")))
        {
            directory = directory.Parent;
        }

        return Path.Combine(directory?.FullName ?? throw new InvalidOperationException("Orchestrator.sln not found"), relativePath);
    }

    /// <summary>The real executor; on the first try, after it returned, waits for a cancellation that only the
    /// engine's stop or the end of the test gives.</summary>
    private sealed class CrashAfter(ITaskExecutor inner, MlEngineServices owner) : ITaskExecutor
    {
        public async Task<System.Text.Json.JsonElement?> ExecuteAsync(TaskContext context, CancellationToken cancellationToken)
        {
            var output = await inner.ExecuteAsync(context, cancellationToken);
            if (context.TryNumber == 1)
            {
                owner.Done.TrySetResult();
                using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, owner._hung.Token);
                await Task.Delay(Timeout.Infinite, either.Token);
            }

            return output;
        }
    }

    /// <summary>Try 1: opens a tracking run the way ml.train does, then hangs as if training when the engine died.</summary>
    private sealed class DieWhileTraining(ITaskExecutor real, IMetadataStore store, MlEngineServices owner) : ITaskExecutor
    {
        public async Task<System.Text.Json.JsonElement?> ExecuteAsync(TaskContext context, CancellationToken cancellationToken)
        {
            if (context.TryNumber > 1)
            {
                return await real.ExecuteAsync(context, cancellationToken);
            }

            var experiment = await store.Tracking.GetOrCreateExperimentAsync(context.DagId.Value, context.Time.GetUtcNow(), cancellationToken);
            await store.Tracking.StartRunAsync(experiment.Id, context.TaskId.Value, context.Lineage(),
                new Dictionary<string, string>(), new Dictionary<string, string>(), context.Time.GetUtcNow(), cancellationToken);
            owner.Done.TrySetResult();
            using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, owner._hung.Token);
            await Task.Delay(Timeout.Infinite, either.Token);
            return null;
        }
    }

    /// <summary>The fixture's store of the moment: the ML task types are singletons, the store is replaced on restart.</summary>
    private sealed class CurrentStore(Func<IMetadataStore> current) : IMetadataStore
    {
        public IDagStore Dags => current().Dags;

        public IRunStore Runs => current().Runs;

        public ITaskInstanceStore TaskInstances => current().TaskInstances;

        public ITaskLogStore Logs => current().Logs;

        public ITaskOutputStore Outputs => current().Outputs;

        public IVariableStore Variables => current().Variables;

        public IConnectionStore Connections => current().Connections;

        public IDatasetStore Datasets => current().Datasets;

        public IModelRegistryStore Models => current().Models;

        public ITrackingStore Tracking => current().Tracking;

        public IUserStore Users => current().Users;

        public IEventStore Events => current().Events;

        public IDashboardReadStore Dashboard => current().Dashboard;

        public IStateCountStore Counts => current().Counts;

        public IDriftCheckStore DriftChecks => current().DriftChecks;

        public IAlertStore Alerts => current().Alerts;

        public IInferenceLogStore Inference => current().Inference;

        public ILeaseStore Leases => current().Leases;

        public IWorkerStore Workers => current().Workers;

        public ITryReportStore TryReports => current().TryReports;

        public IPoolStore Pools => current().Pools;

        public IRunChangeRequestStore RunChanges => current().RunChanges;

        public IStoreSignals Signals => current().Signals;

        public Task<BatchResult> ApplyAsync(StateChangeBatch batch, CancellationToken cancellationToken) => current().ApplyAsync(batch, cancellationToken);

        public Task<IReadOnlyList<int>> AppliedMigrationsAsync(CancellationToken cancellationToken) => current().AppliedMigrationsAsync(cancellationToken);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask; // the fixture owns the store
    }
}
