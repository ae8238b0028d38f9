using System.Buffers;
using System.Text;
using System.Text.Json;
using Orchestrator.ML.Data;
using Orchestrator.ML.Models;

namespace Orchestrator.Serving.Payloads;

/// <summary>Puts one JSON value into a row's slot, checking it against the column's kind. Numeric columns take numbers
/// (null: missing, scored as NaN as the training pipeline treats a missing value); categorical columns take strings, and
/// numbers or booleans as their JSON text (so <c>1</c> matches a category read from CSV as "1").</summary>
internal static class JsonValues
{
    private const int ShownTextLimit = 40;

    public static void Read(ref Utf8JsonReader reader, in InputSlot slot, ModelRow row, int rowIndex)
    {
        if (slot.Kind == ColumnKind.Numeric)
        {
            row.Numeric[slot.Index] = ReadNumber(ref reader, slot, rowIndex);
        }
        else
        {
            row.Categorical[slot.Index] = ReadCategory(ref reader, slot, rowIndex);
        }
    }

    private static float ReadNumber(ref Utf8JsonReader reader, in InputSlot slot, int rowIndex)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Number:
                if (reader.TryGetSingle(out var value) && float.IsFinite(value))
                {
                    return value;
                }

                throw ServingException.BadInput(
                    $"Column '{slot.Name}' in row {rowIndex} holds {RawText(ref reader)}, outside the range of a 32-bit float (byte {reader.TokenStartIndex})");
            case JsonTokenType.Null:
                return float.NaN;
            default:
                throw Mistyped(ref reader, slot, rowIndex, "a number or null");
        }
    }

    private static string? ReadCategory(ref Utf8JsonReader reader, in InputSlot slot, int rowIndex) => reader.TokenType switch
    {
        JsonTokenType.String => reader.GetString(),
        JsonTokenType.Number => RawText(ref reader),
        JsonTokenType.True => "true",
        JsonTokenType.False => "false",
        JsonTokenType.Null => null,
        _ => throw Mistyped(ref reader, slot, rowIndex, "a string or null"),
    };

    private static ServingException Mistyped(ref Utf8JsonReader reader, in InputSlot slot, int rowIndex, string expected)
    {
        var kind = slot.Kind == ColumnKind.Numeric ? "numeric" : "categorical";
        return ServingException.BadInput(
            $"Column '{slot.Name}' ({kind}) in row {rowIndex} expects {expected}, got {Describe(ref reader)} (byte {reader.TokenStartIndex})");
    }

    /// <summary>The value the reader is on, as an error message shows it.</summary>
    public static string Describe(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.String => "the string " + Quote(reader.GetString() ?? string.Empty),
        JsonTokenType.Number => "the number " + RawText(ref reader),
        JsonTokenType.True => "true",
        JsonTokenType.False => "false",
        JsonTokenType.Null => "null",
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "a list",
        _ => reader.TokenType.ToString(),
    };

    public static string Quote(string text) => text.Length <= ShownTextLimit
        ? "\"" + text + "\""
        : "\"" + text[..ShownTextLimit] + "…\"";

    private static string RawText(ref Utf8JsonReader reader) => reader.HasValueSequence
        ? Encoding.UTF8.GetString(reader.ValueSequence.ToArray())
        : Encoding.UTF8.GetString(reader.ValueSpan);
}
