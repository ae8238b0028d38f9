namespace Orchestrator.ML.Data;

/// <summary>How a column's values are treated: numbers (normalised for training) or categories (one-hot encoded).</summary>
public enum ColumnKind
{
    Numeric,
    Categorical,
}

/// <summary>One column of a dataset, by its header name.</summary>
public sealed record DatasetColumn(string Name, ColumnKind Kind);

/// <summary>A dataset's columns in file order. A column is categorical when its values are not all numbers, unless a
/// schema or <c>categorical</c> arg says so.</summary>
public sealed record DatasetSchema(IReadOnlyList<DatasetColumn> Columns)
{
    public DatasetColumn? Find(string name) => Columns.FirstOrDefault(column => column.Name == name);

    public int IndexOf(string name)
    {
        for (var i = 0; i < Columns.Count; i++)
        {
            if (Columns[i].Name == name)
            {
                return i;
            }
        }

        return -1;
    }
}

/// <summary>How a CSV file is laid out. Quoting follows RFC 4180 (double quotes, doubled to escape).</summary>
public sealed record CsvFormat(char Separator = ',', bool HasHeader = true);

/// <summary>JSON for <see cref="DatasetSchema"/> (the store's <c>SchemaJson</c> and a declared <c>schema</c> arg):
/// <c>{"columns":[{"name":"fare_amount","kind":"numeric"},{"name":"payment_type","kind":"categorical"}]}</c>.</summary>
public static class DatasetSchemaJson
{
    private static readonly System.Text.Json.JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.CamelCase,
        RespectRequiredConstructorParameters = true,
        RespectNullableAnnotations = true,
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter(System.Text.Json.JsonNamingPolicy.CamelCase, allowIntegerValues: false) },
    };

    public static string ToJson(this DatasetSchema schema) => System.Text.Json.JsonSerializer.Serialize(schema, Options);

    /// <exception cref="FormatException">Not valid schema JSON, a column without a name, an unknown kind, or a name
    /// given twice; the message says which.</exception>
    public static DatasetSchema FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        DatasetSchema? schema;
        try
        {
            schema = System.Text.Json.JsonSerializer.Deserialize<DatasetSchema>(json, Options);
        }
        catch (System.Text.Json.JsonException exception)
        {
            throw new FormatException(
                $"schema JSON is invalid at {exception.Path}: expected {{\"columns\":[{{\"name\":\"…\",\"kind\":\"numeric|categorical\"}}]}} ({exception.Message})",
                exception);
        }

        if (schema?.Columns is null)
        {
            throw new FormatException("schema JSON needs a \"columns\" array");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < schema.Columns.Count; i++)
        {
            var name = schema.Columns[i]?.Name;
            if (string.IsNullOrEmpty(name))
            {
                throw new FormatException($"schema JSON: columns[{i}] needs a \"name\"");
            }

            if (!seen.Add(name))
            {
                throw new FormatException($"schema JSON: column '{name}' is listed twice");
            }
        }

        return schema;
    }
}
