using System.Globalization;
using nietras.SeparatedValues;
using Orchestrator.ML.Data;
using Orchestrator.ML.Models;

namespace Orchestrator.Serving.Payloads;

/// <summary>Reads a <c>text/csv</c> scoring request: a header row naming the columns, then one row per line (comma
/// separated, RFC 4180 quoting). An empty cell is a missing value (NaN / null), as <c>ml.ingest</c> reads one; columns
/// the signature does not declare are skipped. Errors name the column and the line.</summary>
internal static class CsvPayloadParser
{
    public static List<ModelRow> Parse(byte[] body, int length, InputBinding binding, int maxRows)
    {
        using var stream = new MemoryStream(body, 0, length, writable: false);
        SepReader reader;
        try
        {
            reader = Sep.New(',').Reader(options => options with { Unescape = true }).From(stream);
        }
        catch (InvalidDataException e)
        {
            throw ServingException.Malformed($"Malformed CSV: {e.Message}");
        }

        using (reader)
        {
            if (reader.Header.IsEmpty)
            {
                throw ServingException.BadInput("The CSV body is empty; expected a header row naming the columns, then the rows");
            }

            var columns = BindHeader(reader.Header, binding);
            var rows = new List<ModelRow>();
            try
            {
                foreach (var line in reader)
                {
                    JsonPayloadParser.CheckRowLimit(rows.Count + 1, maxRows);
                    var row = binding.NewRow();
                    foreach (var (slot, index) in columns)
                    {
                        Put(line[index].Span, slot, row, line.LineNumberFrom);
                    }

                    rows.Add(row);
                }
            }
            catch (InvalidDataException e)
            {
                throw ServingException.Malformed($"Malformed CSV: {e.Message}");
            }

            return rows;
        }
    }

    private static List<(InputSlot Slot, int Index)> BindHeader(SepReaderHeader header, InputBinding binding)
    {
        var columns = new List<(InputSlot, int)>(binding.Slots.Length);
        var missing = new List<string>();
        foreach (var slot in binding.Slots)
        {
            if (header.TryIndexOf(slot.Name, out var index))
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
            throw ServingException.BadInput($"The CSV header (line 1) is missing column {string.Join(", ", missing)}: the model's signature requires it");
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

        if (text.IsEmpty)
        {
            row.Numeric[slot.Index] = float.NaN;
        }
        else if (float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && float.IsFinite(value))
        {
            row.Numeric[slot.Index] = value;
        }
        else
        {
            throw ServingException.BadInput(
                $"Column '{slot.Name}' (numeric) on line {line} expects a number or an empty cell, got {JsonValues.Quote(text.ToString())}");
        }
    }
}
