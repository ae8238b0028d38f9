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

    /// <summary>What one pass over the label column saw: how many rows, how many lack a label, and for classifiers the
    /// distinct label values (at most one more than the classes allowed, enough to tell there are too many).</summary>
    public sealed record LabelScan(long Rows, long MissingLabels, IReadOnlySet<string>? Values);

    /// <summary>Reads only the label column of <paramref name="rows"/>; on a <see cref="RowCache"/> this is the pass
    /// that fills it, so the counts cost no extra parse.</summary>
    public static LabelScan Scan(IDataView rows, MlTask task)
    {
        if (task == MlTask.Regression)
        {
            var column = rows.Schema[ModelColumns.Label];
            using var cursor = rows.GetRowCursor([column]);
            var getter = cursor.GetGetter<float>(column);
            long count = 0, missing = 0;
            var value = 0f;
            while (cursor.MoveNext())
            {
                count++;
                getter(ref value);
                if (float.IsNaN(value))
                {
                    missing++;
                }
            }

            return new LabelScan(count, missing, null);
        }

        return ScanValues(rows);
    }

    private static LabelScan ScanValues(IDataView rows)
    {
        var column = rows.Schema[CsvDataLoader.LabelText];
        using var cursor = rows.GetRowCursor([column]);
        var getter = cursor.GetGetter<ReadOnlyMemory<char>>(column);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var lookup = seen.GetAlternateLookup<ReadOnlySpan<char>>();
        long count = 0, missing = 0;
        ReadOnlyMemory<char> value = default;
        while (cursor.MoveNext())
        {
            count++;
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

        return new LabelScan(count, missing, seen);
    }

    /// <summary>The classes of a classifier from the label values of every part of the file (training rows and
    /// holdout), checked against the task; throws <see cref="InvalidDataException"/> naming the file when they cannot
    /// train it.</summary>
    public static IReadOnlyList<string> Classes(IEnumerable<LabelScan> parts, MlTask task, string label, string path)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var value in parts.SelectMany(part => part.Values!))
        {
            if (seen.Count <= MaximumClasses)
            {
                seen.Add(value);
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

        return classes;
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
