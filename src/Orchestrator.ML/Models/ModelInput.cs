using Microsoft.ML;
using Microsoft.ML.Data;

namespace Orchestrator.ML.Models;

/// <summary>The row type a PredictionEngine reads: both feature vectors of a <see cref="ModelRow"/>.</summary>
internal sealed class ModelInput
{
    [ColumnName(ModelColumns.Numeric)]
    public float[] Numeric { get; set; } = [];

    [ColumnName(ModelColumns.Categorical)]
    public string[] Categorical { get; set; } = [];

    /// <summary>Gives the vectors the model's fixed sizes; a model without numeric (or categorical) inputs has no such
    /// column at all, because ML.NET vectors cannot have size 0.</summary>
    public static SchemaDefinition SchemaFor(ModelSignature signature)
    {
        var definition = SchemaDefinition.Create(typeof(ModelInput));
        SetSize(definition, ModelColumns.Numeric, NumberDataViewType.Single, signature.NumericInputs.Count);
        SetSize(definition, ModelColumns.Categorical, TextDataViewType.Instance, signature.CategoricalInputs.Count);
        return definition;
    }

    /// <summary>The schema the trained pipeline expects as input, saved inside the ML.NET model.</summary>
    public static DataViewSchema DataViewSchemaFor(ModelSignature signature)
    {
        var builder = new DataViewSchema.Builder();
        if (signature.NumericInputs.Count > 0)
        {
            builder.AddColumn(ModelColumns.Numeric, new VectorDataViewType(NumberDataViewType.Single, signature.NumericInputs.Count));
        }

        if (signature.CategoricalInputs.Count > 0)
        {
            builder.AddColumn(ModelColumns.Categorical, new VectorDataViewType(TextDataViewType.Instance, signature.CategoricalInputs.Count));
        }

        return builder.ToSchema();
    }

    private static void SetSize(SchemaDefinition definition, string name, PrimitiveDataViewType itemType, int size)
    {
        var column = definition[name];
        if (size == 0)
        {
            definition.Remove(column);
        }
        else
        {
            column.ColumnType = new VectorDataViewType(itemType, size);
        }
    }
}
