using System.Globalization;
using Microsoft.ML;
using Orchestrator.ML.Models;

namespace Orchestrator.ML.Training;

/// <summary>Turns the raw label into what ML.NET trainers and evaluators need (regression: a float; binary: a
/// boolean; multiclass: a key in <see cref="ModelSignature.Classes"/> order) and drops rows without a usable label.
/// These steps run on the data only; they are not part of the saved model, which never sees a label.</summary>
internal static class LabelPreparation
{
    private const string LabelKey = "LabelKey";
    private const int MaximumClasses = 1000;

    /// <summary>One streamed pass over the label column: how many rows, how many lack a label, and the classes.</summary>
    public sealed record LabelScan(long Rows, long MissingLabels, IReadOnlyList<string>? Classes);

    public static LabelScan Scan(IDataView raw, MlTask task, string label, string path)
    {
        if (task == MlTask.Regression)
        {
            var column = raw.Schema[ModelColumns.Label];
            using var cursor = raw.GetRowCursor([column]);
            var getter = cursor.GetGetter<float>(column);
            long rows = 0, missing = 0;
            var value = 0f;
            while (cursor.MoveNext())
            {
                rows++;
                getter(ref value);
                if (float.IsNaN(value))
                {
                    missing++;
                }
            }

            return new LabelScan(rows, missing, null);
        }

        return ScanClasses(raw, task, label, path);
    }

    private static LabelScan ScanClasses(IDataView raw, MlTask task, string label, string path)
    {
        var column = raw.Schema[CsvDataLoader.LabelText];
        using var cursor = raw.GetRowCursor([column]);
        var getter = cursor.GetGetter<ReadOnlyMemory<char>>(column);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var lookup = seen.GetAlternateLookup<ReadOnlySpan<char>>();
        long rows = 0, missing = 0;
        ReadOnlyMemory<char> value = default;
        while (cursor.MoveNext())
        {
            rows++;
            getter(ref value);
            if (value.IsEmpty)
            {
                missing++;
            }
            else if (!lookup.Contains(value.Span) && seen.Count <= MaximumClasses)
            {
                seen.Add(value.ToString());
            }
        }

        var classes = Order(seen);
        var problem = task switch
        {
            MlTask.Binary when classes.Count != 2 => $"binary needs exactly 2 label values; '{label}' has {Sample(classes)}",
            MlTask.Multiclass when classes.Count < 2 => $"multiclass needs at least 2 label values; '{label}' has {Sample(classes)}",
            MlTask.Multiclass when classes.Count > MaximumClasses => $"'{label}' has more than {MaximumClasses} distinct values; is it a regression label?",
            _ => null,
        };
        if (problem is not null)
        {
            throw new InvalidDataException($"Dataset '{path}': {problem}.");
        }

        return new LabelScan(rows, missing, classes);
    }

    /// <summary>Numbers in numeric order, anything else in ordinal order. For binary the second class is the
    /// positive one, which makes 0/1, false/true, no/yes, n/y and -1/1 come out the natural way round.</summary>
    public static IReadOnlyList<string> Order(IEnumerable<string> values)
    {
        var list = values.ToList();
        var numbers = list.Select(text => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) ? number : (double?)null).ToList();
        return numbers.All(number => number.HasValue)
            ? [.. list.Zip(numbers).OrderBy(pair => pair.Second!.Value).ThenBy(pair => pair.First, StringComparer.Ordinal).Select(pair => pair.First)]
            : [.. list.Order(StringComparer.Ordinal)];
    }

    /// <summary>Gives the data a trainer-ready <c>Label</c> column and drops rows without one.</summary>
    public static IDataView Prepare(MLContext context, IDataView raw, ModelSignature signature)
    {
        if (signature.Task == MlTask.Regression)
        {
            return context.Data.FilterRowsByMissingValues(raw, ModelColumns.Label);
        }

        var classes = signature.Classes!;
        var keyData = context.Data.LoadFromEnumerable(classes.Select(value => new ClassValue { Value = value }));
        var keyColumn = signature.Task == MlTask.Multiclass ? ModelColumns.Label : LabelKey;
        var keyed = context.Transforms.Conversion.MapValueToKey(keyColumn, CsvDataLoader.LabelText, keyData: keyData).Fit(raw).Transform(raw);

        // A value outside the classes (an empty field, or a class the model never saw) is a missing key: drop it.
        var known = context.Data.FilterRowsByMissingValues(keyed, keyColumn);
        if (signature.Task == MlTask.Multiclass)
        {
            return known;
        }

        var pairs = new[] { KeyValuePair.Create(classes[0], false), KeyValuePair.Create(classes[1], true) };
        return context.Transforms.Conversion.MapValue(ModelColumns.Label, pairs, CsvDataLoader.LabelText).Fit(known).Transform(known);
    }

    private static string Sample(IReadOnlyList<string> classes) => classes.Count switch
    {
        0 => "no values",
        <= 5 => $"{classes.Count} ({string.Join(", ", classes.Select(value => $"'{value}'"))})",
        _ => $"{classes.Count} ({string.Join(", ", classes.Take(5).Select(value => $"'{value}'"))}, …)",
    };

    private sealed class ClassValue
    {
        public string Value { get; set; } = string.Empty;
    }
}
