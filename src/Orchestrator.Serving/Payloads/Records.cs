using System.Text.Json;
using Orchestrator.ML.Models;

namespace Orchestrator.Serving.Payloads;

/// <summary>A list of rows, each an object <c>{column: value}</c> (<c>dataframe_records</c>, <c>instances</c>, and
/// <c>inputs</c> as a list). Every row must carry every signature input; other keys are skipped.</summary>
internal static class Records
{
    public static List<ModelRow> Read(ref Utf8JsonReader reader, InputBinding binding, int maxRows, string where)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw JsonPayloadParser.ExpectedList(ref reader, where);
        }

        var rows = new List<ModelRow>();
        var present = new bool[binding.Slots.Length];
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            var rowIndex = rows.Count;
            JsonPayloadParser.CheckRowLimit(rowIndex + 1, maxRows);
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw ServingException.BadInput(
                    $"'{where}[{rowIndex}]' must be an object {{column: value}}, got {JsonValues.Describe(ref reader)} (byte {reader.TokenStartIndex})");
            }

            var row = binding.NewRow();
            Array.Clear(present);
            var found = 0;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var known = binding.TryFind(ref reader, out var slot);
                reader.Read();
                if (!known)
                {
                    reader.Skip();
                    continue;
                }

                JsonValues.Read(ref reader, slot, row, rowIndex);
                if (!present[slot.Ordinal])
                {
                    present[slot.Ordinal] = true;
                    found++;
                }
            }

            if (found < present.Length)
            {
                var missing = binding.Slots.Where(s => !present[s.Ordinal]).Select(s => $"'{s.Name}'");
                throw ServingException.BadInput(
                    $"Row {rowIndex} of '{where}' is missing column {string.Join(", ", missing)}: the model's signature requires it");
            }

            rows.Add(row);
        }

        return rows;
    }
}
