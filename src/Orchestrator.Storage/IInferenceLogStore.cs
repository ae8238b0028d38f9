using Orchestrator.Storage.Records;

namespace Orchestrator.Storage;

/// <summary>What the serving endpoint recorded (sampled, written off the request path) and the labels that arrived
/// for it: the current data of drift checks and the ground truth of live performance.</summary>
public interface IInferenceLogStore
{
    /// <summary>Appends rows in one transaction.</summary>
    Task AppendAsync(IReadOnlyList<InferenceRecord> records, CancellationToken cancellationToken);

    /// <summary>Attaches labels to logged rows of <paramref name="model"/>; returns the labels that matched no logged
    /// row (unknown request id or row, or another model's), changing nothing for those.</summary>
    Task<IReadOnlyList<InferenceLabel>> LabelAsync(string model, IReadOnlyList<InferenceLabel> labels, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Logged rows in the window, oldest first.</summary>
    Task<IReadOnlyList<InferenceRecord>> ReadAsync(InferenceWindow window, CancellationToken cancellationToken);

    /// <summary>Logged rows in the window (by inference time) that have a label, oldest first.</summary>
    Task<IReadOnlyList<LabeledInference>> ReadLabeledAsync(InferenceWindow window, CancellationToken cancellationToken);

    /// <summary>Retention: deletes rows logged before <paramref name="cutoff"/>, then the oldest rows of each model
    /// beyond <paramref name="maxRowsPerModel"/>; returns how many rows went.</summary>
    Task<int> PruneAsync(DateTimeOffset cutoff, int maxRowsPerModel, CancellationToken cancellationToken);
}
