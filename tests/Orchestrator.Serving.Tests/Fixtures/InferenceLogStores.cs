using Orchestrator.Storage;
using Orchestrator.Storage.Records;
using Orchestrator.Storage.Sql;
using Orchestrator.Storage.Sqlite;

namespace Orchestrator.Serving.Tests.Fixtures;

/// <summary>A real SQLite metadata store in a temp folder, for the inference log; removed afterwards.</summary>
internal sealed class SqliteLogStore : IAsyncDisposable
{
    private readonly string _folder;

    private SqliteLogStore(string folder, IMetadataStore store)
    {
        _folder = folder;
        Store = store;
    }

    public IMetadataStore Store { get; }

    public IInferenceLogStore Log => Store.Inference;

    public static async Task<SqliteLogStore> OpenAsync()
    {
        var folder = Directory.CreateTempSubdirectory("serving-inference-log-").FullName;
        var store = await SqlMetadataStore.OpenAsync(new SqliteDatabase(Path.Combine(folder, "orchestrator.db")), TimeProvider.System, default);
        return new SqliteLogStore(folder, store);
    }

    public async Task<IReadOnlyList<InferenceRecord>> ReadAllAsync(string model = "taxi") =>
        await Log.ReadAsync(new InferenceWindow(model, DateTimeOffset.UnixEpoch, DateTimeOffset.MaxValue.AddYears(-1)), default);

    public async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}

/// <summary>The real store behind a gate: appends wait until the test opens it, so the writer stays busy and the
/// queue fills (or a row stays queued) exactly when the test wants.</summary>
internal sealed class GatedLogStore(IInferenceLogStore inner) : IInferenceLogStore
{
    private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private readonly TaskCompletionSource _labelled = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Open() => _open.TrySetResult();

    /// <summary>Completes once a first LabelAsync has returned.</summary>
    public Task Labelled => _labelled.Task;

    public async Task AppendAsync(IReadOnlyList<InferenceRecord> records, CancellationToken cancellationToken)
    {
        await _open.Task.WaitAsync(cancellationToken);
        await inner.AppendAsync(records, cancellationToken);
    }

    public async Task<IReadOnlyList<InferenceLabel>> LabelAsync(string model, IReadOnlyList<InferenceLabel> labels, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var unknown = await inner.LabelAsync(model, labels, at, cancellationToken);
        _labelled.TrySetResult();
        return unknown;
    }

    public Task<IReadOnlyList<InferenceRecord>> ReadAsync(InferenceWindow window, CancellationToken cancellationToken) => inner.ReadAsync(window, cancellationToken);

    public Task<IReadOnlyList<LabeledInference>> ReadLabeledAsync(InferenceWindow window, CancellationToken cancellationToken) =>
        inner.ReadLabeledAsync(window, cancellationToken);

    public Task<int> PruneAsync(DateTimeOffset cutoff, int maxRowsPerModel, CancellationToken cancellationToken) =>
        inner.PruneAsync(cutoff, maxRowsPerModel, cancellationToken);
}
