using Orchestrator.Storage.Records;

namespace Orchestrator.ML.Tests.Monitoring;

/// <summary>Labelled inference rows as the store returns them, built from (prediction JSON, label JSON) pairs.</summary>
internal static class Rows
{
    public static readonly DateTimeOffset T0 = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);

    public static LabeledInference Row(string prediction, string label, int version = 1, DateTimeOffset? at = null) =>
        new(new InferenceRecord(Guid.NewGuid().ToString("N"), 0, "m", version, at ?? T0, "{}", prediction), label, (at ?? T0).AddMinutes(5));

    public static IReadOnlyList<LabeledInference> Of(params (string Prediction, string Label)[] pairs) =>
        [.. pairs.Select(pair => Row(pair.Prediction, pair.Label))];
}
