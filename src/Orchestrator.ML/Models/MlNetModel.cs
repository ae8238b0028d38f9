using Microsoft.ML;

namespace Orchestrator.ML.Models;

/// <summary>A trained ML.NET pipeline with its signature: what training returns, what the package writer writes and
/// what the reader gives back. Scorers share the one immutable transformer; each owns its PredictionEngine.</summary>
public sealed class MlNetModel : ILoadedModel
{
    internal MlNetModel(MLContext context, ITransformer transformer, ModelSignature signature, string? trainer)
    {
        Context = context;
        Transformer = transformer;
        Signature = signature;
        Trainer = trainer;
    }

    public ModelSignature Signature { get; }

    /// <summary>The trainer's name (e.g. <c>fastTree</c>) when known.</summary>
    public string? Trainer { get; }

    internal MLContext Context { get; }

    /// <summary>Maps the <c>Numeric</c>/<c>Categorical</c> vector columns to Score (and Probability, PredictedLabel).</summary>
    internal ITransformer Transformer { get; }

    public IModelScorer CreateScorer() => ModelScorers.Create(Context, Transformer, Signature);

    public void Dispose()
    {
        (Transformer as IDisposable)?.Dispose();
    }
}
