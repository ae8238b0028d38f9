using System.Text.Json;
using Orchestrator.ML.Models;

namespace Orchestrator.Serving.Payloads;

/// <summary><c>inputs</c> as an object of <c>column → list of values</c>: row i takes the i-th value of every column.
/// All listed inputs must have the same length; other columns are skipped.</summary>
internal static class Columnar
{
    public static List<ModelRow> Read(ref Utf8JsonReader reader, InputBinding binding, int maxRows, string where)
    {
        var rows = new List<ModelRow>();
        var lengths = new int[binding.Slots.Length];
        var present = new bool[binding.Slots.Length];
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var known = binding.TryFind(ref reader, out var slot);
            var name = known ? slot.Name : reader.GetString()!;
            reader.Read();
            if (!known)
            {
                reader.Skip();
                continue;
            }

            if (reader.TokenType != JsonTokenType.StartArray)
            {
                throw JsonPayloadParser.ExpectedList(ref reader, $"{where}.{name}");
            }

            var count = 0;
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (count == rows.Count)
                {
                    JsonPayloadParser.CheckRowLimit(count + 1, maxRows);
                    rows.Add(binding.NewRow());
                }

                JsonValues.Read(ref reader, slot, rows[count], count);
                count++;
            }

            present[slot.Ordinal] = true;
            lengths[slot.Ordinal] = count;
        }

        var missing = binding.Slots.Where(s => !present[s.Ordinal]).Select(s => $"'{s.Name}'").ToList();
        if (missing.Count > 0)
        {
            throw ServingException.BadInput($"'{where}' is missing column {string.Join(", ", missing)}: the model's signature requires it");
        }

        foreach (var slot in binding.Slots)
        {
            if (lengths[slot.Ordinal] != rows.Count)
            {
                throw ServingException.BadInput(
                    $"'{where}.{slot.Name}' has {lengths[slot.Ordinal]} values but another column has {rows.Count}: every column needs one value per row");
            }
        }

        return rows;
    }
}
