using System.Text.Json;
using System.Text.Json.Serialization;

namespace Orchestrator.ML.Data;

/// <summary>What <c>ml.ingest</c> learned about a dataset version: row count and one profile per column, in file
/// order. Stored as <c>ProfileJson</c> (see <see cref="ToJson"/>) and read back by <c>ml.validate</c> and
/// <c>ml.drift</c>.</summary>
public sealed record DatasetProfile(long Rows, IReadOnlyList<ColumnProfile> Columns)
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        RespectRequiredConstructorParameters = true,
        RespectNullableAnnotations = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false) },
    };

    public ColumnProfile? Find(string name) => Columns.FirstOrDefault(column => column.Name == name);

    /// <summary>The columns and kinds the profile describes.</summary>
    public DatasetSchema Schema() => new(Columns.Select(column => new DatasetColumn(column.Name, column.Kind)).ToList());

    /// <summary>Compact JSON with camelCase names in declaration order and shortest round-trip numbers: the same
    /// profile always gives the same text.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>Reads JSON written by <see cref="ToJson"/>; malformed or incomplete JSON is a
    /// <see cref="FormatException"/> saying what is wrong.</summary>
    public static DatasetProfile FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        DatasetProfile? profile;
        try
        {
            profile = JsonSerializer.Deserialize<DatasetProfile>(json, JsonOptions);
        }
        catch (JsonException exception)
        {
            throw new FormatException($"dataset profile JSON is invalid at {exception.Path}: {exception.Message}", exception);
        }

        if (profile?.Columns is null || profile.Columns.Any(column => column?.Name is null))
        {
            throw new FormatException("dataset profile JSON needs \"rows\" and \"columns\" with a \"name\" on each column");
        }

        return profile;
    }
}

/// <summary>One column's profile. <see cref="Count"/> counts present values, <see cref="Missing"/> missing ones (they
/// add up to the dataset's rows). <see cref="Numeric"/> is set for a numeric column with at least one value,
/// <see cref="Categorical"/> for a categorical column.</summary>
public sealed record ColumnProfile(
    string Name,
    ColumnKind Kind,
    long Count,
    long Missing,
    NumericProfile? Numeric = null,
    CategoricalProfile? Categorical = null)
{
    /// <summary>Missing values as a share of rows (0 for a dataset without rows).</summary>
    [JsonIgnore]
    public double MissingShare => Count + Missing == 0 ? 0 : (double)Missing / (Count + Missing);
}

/// <summary>Summary of a numeric column's present values. <see cref="Std"/> is the sample standard deviation (n−1; 0
/// for one value). When <see cref="Exact"/> (at most the ingest's exact-distribution limit of distinct values) the
/// quantiles and histogram are exact; otherwise they come from a t-digest (rank error well under 1%).</summary>
public sealed record NumericProfile(
    double Min,
    double Max,
    double Mean,
    double Std,
    Quantiles Quantiles,
    Histogram Histogram,
    bool Exact,
    long Distinct,
    bool DistinctIsLowerBound);

/// <summary>The 1st, 5th, 25th, 50th, 75th, 95th and 99th percentiles (linear interpolation between order
/// statistics when exact).</summary>
public sealed record Quantiles(double P1, double P5, double P25, double P50, double P75, double P95, double P99)
{
    public static IReadOnlyList<double> Levels { get; } = [0.01, 0.05, 0.25, 0.50, 0.75, 0.95, 0.99];

    public IReadOnlyList<double> Values() => [P1, P5, P25, P50, P75, P95, P99];
}

/// <summary>Equal-width bins from min to max: <c>Edges</c> has one more entry than <c>Counts</c>; a bin holds
/// [edge, next edge), the last one includes max.</summary>
public sealed record Histogram(IReadOnlyList<double> Edges, IReadOnlyList<long> Counts);

/// <summary>Summary of a categorical column's present values: the most frequent values (ties by ordinal text), the
/// count of all other values, and the distinct count (exact unless <see cref="DistinctIsLowerBound"/>).
/// <see cref="CountsAreApproximate"/> is set when there were too many distinct values to count each one exactly; the
/// listed counts are then lower bounds.</summary>
public sealed record CategoricalProfile(
    long Distinct,
    bool DistinctIsLowerBound,
    IReadOnlyList<ValueFrequency> Top,
    long OtherCount,
    bool CountsAreApproximate)
{
    /// <summary>True when <see cref="Top"/> lists every distinct value with its exact count.</summary>
    [JsonIgnore]
    public bool IsComplete => !DistinctIsLowerBound && !CountsAreApproximate && OtherCount == 0;
}

public sealed record ValueFrequency(string Value, long Count);
