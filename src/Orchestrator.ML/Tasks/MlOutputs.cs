using System.Text.Json;
using System.Text.Json.Serialization;

namespace Orchestrator.ML.Tasks;

/// <summary>What the ml.* tasks hand each other through their outputs. Each output names its <c>kind</c> and carries
/// forward what the next step needs (a validation passes its dataset on, a gate its blessed candidate), so a step
/// only ever reads its direct upstream tasks' outputs, or the task an arg names.</summary>
public static class MlOutputKinds
{
    public const string Dataset = "dataset";
    public const string Model = "model";
    public const string Evaluation = "evaluation";
    public const string Blessing = "blessing";
    public const string ModelVersion = "modelVersion";
    public const string Deployment = "deployment";
}

/// <summary>A dataset version (ml.ingest; passed on by ml.validate): its digest, name, size, columns, and how this ingest
/// read it — the separator, the schema (as <see cref="Data.DatasetSchemaJson"/> writes it) and the profile (an artifact, by digest). The same
/// bytes read with other settings (separator, numeric/categorical) are the same version but another schema and
/// profile, so later steps take them from here, not from the version's first record. <see cref="Validated"/>: the
/// ml.validate task that passed it.</summary>
public sealed record DatasetOutput(
    string Kind,
    string Dataset,
    string Name,
    long Rows,
    IReadOnlyList<string> Columns,
    string Separator,
    string? Validated = null,
    string? Schema = null,
    string? Profile = null);

/// <summary>How to re-create the rows a training held out: the dataset read as its ingest read it (separator, schema),
/// the share held out and the split's seed.</summary>
public sealed record HoldoutOutput(string Dataset, string Separator, double Fraction, int Seed, string? Schema = null);

/// <summary>A trained candidate (ml.train): its package in the artifact store, the tracking run holding its params and
/// metrics, the dataset it learned from, how its holdout rows are re-created, and its metrics on them.</summary>
public sealed record ModelOutput(
    string Kind,
    string Task,
    string Trainer,
    string Label,
    string Artifact,
    string TrackingRunId,
    string Dataset,
    IReadOnlyDictionary<string, double> Metrics,
    HoldoutOutput? Holdout,
    string TrainedBy,
    long? HoldoutRows = null);

/// <summary>One candidate's scores in an evaluation.</summary>
public sealed record CandidateScore(string TrainedBy, string Artifact, string TrackingRunId, IReadOnlyDictionary<string, double> Metrics);

/// <summary>The model an alias pointed at when an evaluation ran, scored on the same rows; null metrics with a reason
/// when it could not be scored (no such model yet, incompatible signature).</summary>
public sealed record BaselineScore(string Model, string Alias, int? Version, IReadOnlyDictionary<string, double>? Metrics, string? Unavailable);

/// <summary>ml.evaluate: every upstream candidate and the baseline on the same rows, and the best candidate by
/// <see cref="Metric"/>.</summary>
public sealed record EvaluationOutput(
    string Kind,
    string Metric,
    string Direction,
    long Rows,
    string On,
    IReadOnlyList<CandidateScore> Candidates,
    CandidateScore Chosen,
    ModelOutput ChosenModel,
    BaselineScore? Baseline);

/// <summary>ml.gate when the candidate is blessed (a rejected one ends the gate as skipped, with the reasons).</summary>
public sealed record BlessingOutput(string Kind, bool Blessed, IReadOnlyList<string> Reasons, ModelOutput Candidate, BaselineScore? Baseline, IReadOnlyDictionary<string, double> Metrics);

/// <summary>ml.register: the version registered (or found registered by an earlier try of the same task).</summary>
public sealed record ModelVersionOutput(string Kind, string Model, int Version, string Artifact, bool Created);

/// <summary>ml.deploy: where the alias points now and where it pointed before.</summary>
public sealed record DeploymentOutput(string Kind, string Model, string Alias, int Version, int? Previous);

/// <summary>The JSON form of the outputs: camelCase, as every other task output and API reply.</summary>
public static class MlJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public static JsonElement ToElement<T>(T value) => JsonSerializer.SerializeToElement(value, Options);

    /// <summary>The output as <typeparamref name="T"/> when its <c>kind</c> is <paramref name="kind"/>, else null.</summary>
    public static T? As<T>(JsonElement output, string kind)
        where T : class =>
        output.ValueKind == JsonValueKind.Object
        && output.TryGetProperty("kind", out var found)
        && found.ValueKind == JsonValueKind.String
        && found.GetString() == kind
            ? output.Deserialize<T>(Options)
            : null;
}
