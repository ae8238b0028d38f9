using System.Globalization;
using nietras.SeparatedValues;
using Orchestrator.ML.Data;
using Orchestrator.ML.Models;

namespace Orchestrator.Serving.Payloads;

/// <summary>Reads a <c>text/csv</c> scoring request: a header row naming the columns, then one row per line (comma
/// separated, RFC 4180 quoting). Blank lines are skipped and, in a numeric column, an empty cell or one of ml.ingest's
/// missing tokens (NA, N/A, null, NULL, NaN, nan) is a missing value (NaN), as <c>ml.ingest</c> reads them. A
/// categorical cell is kept as written (empty: null), as the training CSV's text was. Columns the signature does not
/// declare are skipped. Errors name the column and the line.</summary>
internal static class CsvPayloadParser
{
    private static readonly string MissingMarks = string.Join(", ", IngestOptions.DefaultMissingTokens);

    public static List<ModelRow> Parse(byte[] body, int length, InputBinding binding, int maxRows)
    {
        using var stream = new MemoryStream(body, 0, length, writable: false);
        var rows = new List<ModelRow>();
        try
        {
            // The header is read here, not by Sep, so a repeated name is a 400 naming it (Sep's header lookup throws
            // on duplicates) and the field count of each row is checked with its line.
            using var reader = Sep.New(',')
                .Reader(options => options with { HasHeader = false, Unescape = true, DisableColCountCheck = true })
                .From(stream);
            List<(InputSlot Slot, int Index)>? columns = null;
            var width = 0;
            var headerLine = 0;
            var firstRow = true;
            foreach (var line in reader)
            {
                // Sep numbers lines correctly from the second row on; the first row read is on line 1.
                var lineNumber = firstRow ? 1 : line.LineNumberFrom;
                firstRow = false;
                if (line.Span.IsEmpty)
                {
                    continue; // a blank line, skipped as ml.ingest skips it
                }

                if (columns is null)
                {
                    headerLine = lineNumber;
                    columns = BindHeader(line, lineNumber, binding);
                    width = line.ColCount;
                    continue;
                }

                if (line.ColCount != width)
                {
                    throw ServingException.Malformed(
                        $"Malformed CSV: line {lineNumber} has {line.ColCount} fields; the header (line {headerLine}) has {width}");
                }

                JsonPayloadParser.CheckRowLimit(rows.Count + 1, maxRows);
                var row = binding.NewRow();
                foreach (var (slot, index) in columns)
                {
                    Put(line[index].Span, slot, row, lineNumber);
                }

                rows.Add(row);
            }

            if (columns is null)
            {
                throw ServingException.BadInput("The CSV body is empty; expected a header row naming the columns, then the rows");
            }
        }
        catch (InvalidDataException e)
        {
            throw ServingException.Malformed($"Malformed CSV: {e.Message}");
        }

        return rows;
    }

    private static List<(InputSlot Slot, int Index)> BindHeader(SepReader.Row header, int line, InputBinding binding)
    {
        var indexOf = new Dictionary<string, int>(header.ColCount, StringComparer.Ordinal);
        for (var i = 0; i < header.ColCount; i++)
        {
            var name = header[i].ToString();
            if (!indexOf.TryAdd(name, i))
            {
                // As dataframe_split refuses it: which of the two columns would be meant is a guess.
                throw ServingException.BadInput($"The CSV header (line {line}) lists column '{name}' twice");
            }
        }

        var columns = new List<(InputSlot, int)>(binding.Slots.Length);
        var missing = new List<string>();
        foreach (var slot in binding.Slots)
        {
            if (indexOf.TryGetValue(slot.Name, out var index))
            {
                columns.Add((slot, index));
            }
            else
            {
                missing.Add($"'{slot.Name}'");
            }
        }

        if (missing.Count > 0)
        {
            throw ServingException.BadInput($"The CSV header (line {line}) is missing column {string.Join(", ", missing)}: the model's signature requires it");
        }

        return columns;
    }

    private static void Put(ReadOnlySpan<char> text, in InputSlot slot, ModelRow row, int line)
    {
        if (slot.Kind == ColumnKind.Categorical)
        {
            row.Categorical[slot.Index] = text.IsEmpty ? null : text.ToString();
            return;
        }

        if (float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && float.IsFinite(value))
        {
            row.Numeric[slot.Index] = value;
        }
        else if (IsMissing(text))
        {
            row.Numeric[slot.Index] = float.NaN;
        }
        else
        {
            throw ServingException.BadInput(
                $"Column '{slot.Name}' (numeric) on line {line} expects a number, an empty cell or a missing-value mark " +
                $"({MissingMarks}), got {JsonValues.Quote(text.ToString())}");
        }
    }

    /// <summary>An empty (or all-space) cell, or one of ml.ingest's missing tokens (exact case): the training data
    /// read these as missing, so a request row exported the same way must not be refused.</summary>
    private static bool IsMissing(ReadOnlySpan<char> text)
    {
        var trimmed = text.Trim(' ');
        if (trimmed.IsEmpty)
        {
            return true;
        }

        foreach (var token in IngestOptions.DefaultMissingTokens)
        {
            if (trimmed.SequenceEqual(token))
            {
                return true;
            }
        }

        return false;
    }
}
