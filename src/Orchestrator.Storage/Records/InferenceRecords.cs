namespace Orchestrator.Storage.Records;

/// <summary>One row a served model scored: which request (<paramref name="RequestId"/>, returned to the caller) and row
/// of it, the model version that answered, when, the row's inputs as a JSON object (column → value) and the
/// prediction as JSON.</summary>
public sealed record InferenceRecord(string RequestId, int Row, string Model, int Version, DateTimeOffset At, string Inputs, string Prediction);

/// <summary>A ground-truth label for a logged row (JSON value: a number, or a string for a class).</summary>
public sealed record InferenceLabel(string RequestId, int Row, string Label);

/// <summary>A logged row with its label, when one arrived.</summary>
public sealed record LabeledInference(InferenceRecord Inference, string Label, DateTimeOffset LabeledAt);

/// <summary>Which logged rows to read: a model's, in [From, To), optionally one version, oldest first, at most Limit.</summary>
public sealed record InferenceWindow(string Model, DateTimeOffset From, DateTimeOffset To, int? Version = null, int Limit = 100_000);
