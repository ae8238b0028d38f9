using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using Orchestrator.ML.Models;

namespace Orchestrator.ML.Training;

/// <summary>The featurisation every model shares: numeric inputs get missing values replaced by the training mean and
/// min-max normalisation (per slot), categorical inputs get one-hot encoding, and both become one Features vector.
/// It is part of the saved model, so scoring applies exactly what training learned.</summary>
internal static class FeaturePipeline
{
    private const string EncodedCategorical = "CategoricalOneHot";

    public static IEstimator<ITransformer> Build(MLContext context, ModelSignature signature)
    {
        var parts = new List<string>();
        IEstimator<ITransformer> chain = new EstimatorChain<ITransformer>();
        if (signature.NumericInputs.Count > 0)
        {
            chain = chain
                .Append(context.Transforms.ReplaceMissingValues(ModelColumns.Numeric, replacementMode: MissingValueReplacingEstimator.ReplacementMode.Mean))
                .Append(context.Transforms.NormalizeMinMax(ModelColumns.Numeric));
            parts.Add(ModelColumns.Numeric);
        }

        if (signature.CategoricalInputs.Count > 0)
        {
            chain = chain.Append(context.Transforms.Categorical.OneHotEncoding(EncodedCategorical, ModelColumns.Categorical));
            parts.Add(EncodedCategorical);
        }

        return chain.Append(context.Transforms.Concatenate(ModelColumns.Features, [.. parts]));
    }
}
