namespace Orchestrator.ML.Models;

/// <summary>Column names inside every trained pipeline. The model sees its features as two vector columns (numbers
/// and categories, each in signature order) so one input type serves every model; their sizes are set per model at
/// runtime through a SchemaDefinition.</summary>
internal static class ModelColumns
{
    public const string Numeric = "Numeric";
    public const string Categorical = "Categorical";
    public const string Features = "Features";
    public const string Label = "Label";
    public const string Score = "Score";
    public const string Probability = "Probability";
    public const string PredictedLabel = "PredictedLabel";
}
