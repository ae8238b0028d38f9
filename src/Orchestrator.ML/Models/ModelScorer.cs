using System.Globalization;
using Microsoft.ML;

namespace Orchestrator.ML.Models;

/// <summary>Scores single rows through one PredictionEngine. Not thread-safe: the engine and the input buffer are
/// reused across calls, which is what makes single-row scoring cheap.</summary>
internal sealed class ModelScorer<TOutput> : IModelScorer
    where TOutput : class, new()
{
    private readonly PredictionEngine<ModelInput, TOutput> engine;
    private readonly Func<TOutput, Prediction> toPrediction;
    private readonly ModelInput input = new();
    private TOutput output = new();

    public ModelScorer(MLContext context, ITransformer transformer, ModelSignature signature, Func<TOutput, Prediction> toPrediction)
    {
        Signature = signature;
        this.toPrediction = toPrediction;
        engine = context.Model.CreatePredictionEngine<ModelInput, TOutput>(
            transformer, ignoreMissingColumns: false, inputSchemaDefinition: ModelInput.SchemaFor(signature));
        input.Numeric = new float[signature.NumericInputs.Count];
        input.Categorical = new string[signature.CategoricalInputs.Count];
    }

    public ModelSignature Signature { get; }

    public Prediction Predict(ModelRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        Require(row.Numeric?.Length ?? 0, input.Numeric.Length, "numeric");
        Require(row.Categorical?.Length ?? 0, input.Categorical.Length, "categorical");
        row.Numeric?.CopyTo(input.Numeric, 0);
        for (var i = 0; i < input.Categorical.Length; i++)
        {
            // Training reads an empty CSV field as empty text, so a missing category must look the same here.
            input.Categorical[i] = row.Categorical![i] ?? string.Empty;
        }

        engine.Predict(input, ref output);
        return toPrediction(output);
    }

    private void Require(int actual, int expected, string kind)
    {
        if (actual != expected)
        {
            throw new ArgumentException(string.Create(
                CultureInfo.InvariantCulture,
                $"The row has {actual} {kind} values; model '{Signature.Label}' expects {expected} ({string.Join(", ", Names(kind))})."));
        }
    }

    private IEnumerable<string> Names(string kind) =>
        (kind == "numeric" ? Signature.NumericInputs : Signature.CategoricalInputs).Select(column => column.Name);
}

/// <summary>Builds the scorer for a model's task and maps ML.NET's outputs to <see cref="Prediction"/>.</summary>
internal static class ModelScorers
{
    public static IModelScorer Create(MLContext context, ITransformer transformer, ModelSignature signature) => signature.Task switch
    {
        MlTask.Regression => new ModelScorer<RegressionOutput>(context, transformer, signature, output =>
            new Prediction(output.Score, null, null, null, null)),
        MlTask.Binary => new ModelScorer<BinaryOutput>(context, transformer, signature, output =>
            new Prediction(null, signature.Classes![output.PredictedLabel ? 1 : 0], output.Probability, output.Score, null)),
        MlTask.Multiclass => new ModelScorer<MulticlassOutput>(context, transformer, signature, output =>
        {
            var scores = (float[])output.Score.Clone();
            return new Prediction(null, signature.Classes![ArgMax(scores)], null, null, scores);
        }),
        _ => throw new ArgumentOutOfRangeException(nameof(signature), signature.Task, "Unknown task."),
    };

    /// <summary>First index of the highest score, as ML.NET picks PredictedLabel.</summary>
    public static int ArgMax(float[] scores)
    {
        var best = 0;
        for (var i = 1; i < scores.Length; i++)
        {
            if (scores[i] > scores[best])
            {
                best = i;
            }
        }

        return best;
    }
}
