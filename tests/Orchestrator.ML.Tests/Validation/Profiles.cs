using Orchestrator.ML.Data;

namespace Orchestrator.ML.Tests.Validation;

/// <summary>Hand-made profiles: validation is pure logic over profiles, so its tests need no files.</summary>
internal static class Profiles
{
    public static ColumnProfile Numeric(string name, double min, double max, long count = 100, long missing = 0) =>
        new(name, ColumnKind.Numeric, count, missing, new NumericProfile(
            min, max, (min + max) / 2, 1,
            new Quantiles(min, min, min, (min + max) / 2, max, max, max),
            new Histogram([min, max], [count]),
            Exact: false, Distinct: 2000, DistinctIsLowerBound: true));

    public static ColumnProfile EmptyNumeric(string name, long missing) => new(name, ColumnKind.Numeric, 0, missing);

    /// <summary>A categorical column listing the given values; <paramref name="other"/> values were beyond the top list
    /// (which makes it incomplete).</summary>
    public static ColumnProfile Categorical(string name, (string Value, long Count)[] values, long missing = 0, long other = 0) =>
        new(name, ColumnKind.Categorical, values.Sum(value => value.Count) + other, missing, Categorical: new CategoricalProfile(
            values.Length + (other > 0 ? 1 : 0),
            DistinctIsLowerBound: other > 0,
            values.Select(value => new ValueFrequency(value.Value, value.Count)).ToList(),
            other,
            CountsAreApproximate: false));

    public static DatasetProfile Dataset(params ColumnProfile[] columns) =>
        new(columns.Length == 0 ? 0 : columns[0].Count + columns[0].Missing, columns);
}
