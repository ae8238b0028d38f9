using Orchestrator.Storage;
using Orchestrator.Storage.Records;

namespace Orchestrator.ML.Tests.Tasks;

/// <summary>TEST DOUBLE of the inference log, kept in memory, until the SQL inference log store is on this branch:
/// rows and labels as the serving endpoint and the feedback endpoint would write them.</summary>
internal sealed class InMemoryInferenceLogDouble : IInferenceLogStore
{
    private readonly List<InferenceRecord> _rows = [];
    private readonly Dictionary<(string RequestId, int Row), (string Label, DateTimeOffset At)> _labels = [];

    public Task AppendAsync(IReadOnlyList<InferenceRecord> records, CancellationToken cancellationToken)
    {
        lock (_rows)
            _rows.AddRange(records);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<InferenceLabel>> LabelAsync(string model, IReadOnlyList<InferenceLabel> labels, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var unknown = new List<InferenceLabel>();
        lock (_rows)
        {
            foreach (var label in labels)
            {
                if (_rows.Any(row => row.Model == model && row.RequestId == label.RequestId && row.Row == label.Row))
                    _labels[(label.RequestId, label.Row)] = (label.Label, at);
                else
                    unknown.Add(label);
            }
        }

        return Task.FromResult<IReadOnlyList<InferenceLabel>>(unknown);
    }

    public Task<IReadOnlyList<InferenceRecord>> ReadAsync(InferenceWindow window, CancellationToken cancellationToken)
    {
        lock (_rows)
            return Task.FromResult<IReadOnlyList<InferenceRecord>>([.. In(window)]);
    }

    public Task<IReadOnlyList<LabeledInference>> ReadLabeledAsync(InferenceWindow window, CancellationToken cancellationToken)
    {
        lock (_rows)
        {
            return Task.FromResult<IReadOnlyList<LabeledInference>>([.. In(window)
                .Where(row => _labels.ContainsKey((row.RequestId, row.Row)))
                .Select(row => new LabeledInference(row, _labels[(row.RequestId, row.Row)].Label, _labels[(row.RequestId, row.Row)].At))
                .Take(window.Limit)]);
        }
    }

    public Task<int> PruneAsync(DateTimeOffset cutoff, int maxRowsPerModel, CancellationToken cancellationToken) => throw new NotSupportedException();

    private IEnumerable<InferenceRecord> In(InferenceWindow window) => _rows
        .Where(row => row.Model == window.Model && row.At >= window.From && row.At < window.To && (window.Version is null || row.Version == window.Version))
        .OrderBy(row => row.At);
}
