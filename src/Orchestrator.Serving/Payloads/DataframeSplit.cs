using System.Text.Json;
using Orchestrator.ML.Models;

namespace Orchestrator.Serving.Payloads;

/// <summary>pandas' "split" orientation: <c>{"columns": [names], "data": [[row values]], "index": [...]}</c>. The index is
/// ignored; <c>data</c> may come before <c>columns</c> (the reader is rewound to it once the columns are known).</summary>
internal static class DataframeSplit
{
    private const string Where = "dataframe_split";

    public static List<ModelRow> Read(ref Utf8JsonReader reader, InputBinding binding, int maxRows)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw ServingException.BadInput(
                $"'{Where}' must be an object with 'columns' and 'data', got {JsonValues.Describe(ref reader)} (byte {reader.TokenStartIndex})");
        }

        InputSlot?[]? columns = null;
        Utf8JsonReader data = default;
        var hasData = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var key = reader.GetString();
            reader.Read();
            switch (key)
            {
                case "columns":
                    columns = ReadColumns(ref reader, binding);
                    break;
                case "data":
                    // A copy of the reader is a checkpoint: parse the rows once the columns are known.
                    data = reader;
                    hasData = true;
                    reader.Skip();
                    break;
                case "index":
                    reader.Skip();
                    break;
                default:
                    throw ServingException.BadInput($"Unknown field '{Where}.{key}'; expected columns, data and optionally index");
            }
        }

        if (columns is null)
        {
            throw ServingException.BadInput($"'{Where}' has no 'columns': list the column names of the rows in 'data'");
        }

        if (!hasData)
        {
            throw ServingException.BadInput($"'{Where}' has no 'data': send the rows as lists of values in 'columns' order");
        }

        CheckAllInputsPresent(columns, binding);
        return ReadRows(ref data, columns, binding, maxRows);
    }

    private static InputSlot?[] ReadColumns(ref Utf8JsonReader reader, InputBinding binding)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw JsonPayloadParser.ExpectedList(ref reader, Where + ".columns");
        }

        var slots = new List<InputSlot?>(binding.Slots.Length);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.String)
            {
                throw ServingException.BadInput(
                    $"'{Where}.columns[{slots.Count}]' must be a column name (a string), got {JsonValues.Describe(ref reader)}");
            }

            var name = reader.GetString()!;
            if (!seen.Add(name))
            {
                throw ServingException.BadInput($"'{Where}.columns' lists column '{name}' twice");
            }

            slots.Add(binding.TryFind(name, out var slot) ? slot : null);
        }

        return [.. slots];
    }

    private static void CheckAllInputsPresent(InputSlot?[] columns, InputBinding binding)
    {
        var present = new bool[binding.Slots.Length];
        foreach (var column in columns)
        {
            if (column is { } slot)
            {
                present[slot.Ordinal] = true;
            }
        }

        var missing = binding.Slots.Where(slot => !present[slot.Ordinal]).Select(slot => $"'{slot.Name}'").ToList();
        if (missing.Count > 0)
        {
            throw ServingException.BadInput($"Missing column {string.Join(", ", missing)}: the model's signature requires it");
        }
    }

    private static List<ModelRow> ReadRows(ref Utf8JsonReader reader, InputSlot?[] columns, InputBinding binding, int maxRows)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw JsonPayloadParser.ExpectedList(ref reader, Where + ".data");
        }

        var rows = new List<ModelRow>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            var rowIndex = rows.Count;
            JsonPayloadParser.CheckRowLimit(rowIndex + 1, maxRows);
            if (reader.TokenType != JsonTokenType.StartArray)
            {
                throw ServingException.BadInput(
                    $"'{Where}.data[{rowIndex}]' must be a list of values in 'columns' order, got {JsonValues.Describe(ref reader)}");
            }

            var row = binding.NewRow();
            var count = 0;
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (count >= columns.Length)
                {
                    throw ServingException.BadInput(
                        $"Row {rowIndex} of '{Where}.data' has more values than the {columns.Length} columns listed");
                }

                if (columns[count] is { } slot)
                {
                    JsonValues.Read(ref reader, slot, row, rowIndex);
                }
                else
                {
                    reader.Skip();
                }

                count++;
            }

            if (count < columns.Length)
            {
                throw ServingException.BadInput(
                    $"Row {rowIndex} of '{Where}.data' has {count} values; 'columns' lists {columns.Length}");
            }

            rows.Add(row);
        }

        return rows;
    }
}
