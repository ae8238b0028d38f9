using System.Globalization;
using System.Text;
using nietras.SeparatedValues;
using Orchestrator.ML.Data;
using Orchestrator.ML.Data.Profiling;

namespace Orchestrator.ML.Drift;

/// <summary>Reads the features a drift check compares out of a CSV file, as ml.ingest reads it (Sep, trimmed fields,
/// the same missing-value tokens, invariant numbers), keeping only the named columns and dropping missing values.</summary>
public static class CsvDriftColumns
{
    /// <exception cref="DatasetFormatException">The file lacks a feature's column, or a numeric feature holds text; the
    /// message names the file, line and column.</exception>
    public static async Task<IReadOnlyList<DriftFeatureData>> ReadAsync(string path, CsvFormat format, IReadOnlyList<DatasetColumn> features, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(format);
        ArgumentNullException.ThrowIfNull(features);
        var missing = new MissingTokens(IngestOptions.DefaultMissingTokens);
        using var text = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        using var reader = await new Sep(format.Separator).Reader(options => options with
        {
            HasHeader = format.HasHeader,
            Unescape = true,
            Trim = SepTrim.All,
            CultureInfo = CultureInfo.InvariantCulture,
        }).FromAsync(text, cancellationToken);

        var indexes = new int[features.Count];
        for (var f = 0; f < features.Count; f++)
        {
            if (!reader.Header.TryIndexOf(features[f].Name, out indexes[f]))
                throw new DatasetFormatException(path, 1, features[f].Name, $"there is no such column; the file has {string.Join(", ", reader.Header.ColNames)}");
        }

        var numbers = features.Select(f => f.Kind == ColumnKind.Numeric ? new List<double>() : null).ToArray();
        var texts = features.Select(f => f.Kind == ColumnKind.Categorical ? new List<string>() : null).ToArray();
        var interned = features.Select(f => f.Kind == ColumnKind.Categorical ? new CategoryInterner() : null).ToArray();
        var rows = 0;
        while (await reader.MoveNextAsync(cancellationToken))
        {
            var row = reader.Current;
            for (var f = 0; f < features.Count; f++)
            {
                var field = row[indexes[f]].Span;
                if (field.IsEmpty || missing.Contains(field))
                    continue;
                if (numbers[f] is { } list)
                {
                    if (!double.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
                        throw new DatasetFormatException(path, row.LineNumberFrom, features[f].Name, $"expected a number but found \"{field}\"");
                    list.Add(value);
                }
                else
                {
                    texts[f]!.Add(interned[f]!.Intern(field));
                }
            }

            if ((++rows & 0x3FFF) == 0)
                cancellationToken.ThrowIfCancellationRequested();
        }

        var columns = new DriftFeatureData[features.Count];
        for (var f = 0; f < features.Count; f++)
        {
            columns[f] = numbers[f] is { } values
                ? DriftFeatureData.Numeric(features[f].Name, [.. values])
                : DriftFeatureData.Categorical(features[f].Name, [.. texts[f]!]);
        }

        return columns;
    }
}
