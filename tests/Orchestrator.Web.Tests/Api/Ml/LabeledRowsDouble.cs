using Orchestrator.Storage;
using Orchestrator.Storage.Records;

namespace Orchestrator.Web.Tests.Api.Ml;

/// <summary>TEST DOUBLE of the inference log holding labelled rows in memory, until the SQL inference log store is on
/// this branch. Reads filter like the store's: model, [From, To), version, oldest first, at most Limit.</summary>
internal sealed class LabeledRowsDouble : IInferenceLogStore
{
    public List<LabeledInference> Rows { get; } = [];

    public Task<IReadOnlyList<LabeledInference>> ReadLabeledAsync(InferenceWindow window, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<LabeledInference>>([.. Rows
            .Where(row => row.Inference.Model == window.Model && row.Inference.At >= window.From && row.Inference.At < window.To
                && (window.Version is null || row.Inference.Version == window.Version))
            .OrderBy(row => row.Inference.At)
            .Take(window.Limit)]);

    public Task AppendAsync(IReadOnlyList<InferenceRecord> records, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<IReadOnlyList<InferenceLabel>> LabelAsync(string model, IReadOnlyList<InferenceLabel> labels, DateTimeOffset at, CancellationToken cancellationToken) =>
        throw new NotSupportedException();

    public Task<IReadOnlyList<InferenceRecord>> ReadAsync(InferenceWindow window, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<int> PruneAsync(DateTimeOffset cutoff, int maxRowsPerModel, CancellationToken cancellationToken) => throw new NotSupportedException();
}
