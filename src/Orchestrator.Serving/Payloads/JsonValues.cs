using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Orchestrator.ML.Data;
using Orchestrator.ML.Models;

namespace Orchestrator.Serving.Payloads;

/// <summary>Puts one JSON value into a row's slot, checking it against the column's kind. Numeric columns take numbers
/// (null: missing, scored as NaN as the training pipeline treats a missing value); categorical columns take strings as
/// they are, booleans as "true"/"false", and numbers as the text a CSV of that number most likely held (see
/// <see cref="CategoryOfNumber"/>), so <c>1</c>, <c>1.0</c> and <c>1e0</c> all match the category "1".</summary>
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
        JsonTokenType.Number => CategoryOfNumber(RawText(ref reader)),
        JsonTokenType.True => "true",
        JsonTokenType.False => "false",
        JsonTokenType.Null => null,
        _ => throw Mistyped(ref reader, slot, rowIndex, "a string or null"),
    };

    /// <summary>The canonical text of a JSON number sent for a categorical column. Categories were read as text from
    /// the training CSV, where a code is written "1"; clients (pandas turns an int column with a NaN into floats) send
    /// 1.0 or 1e0 for it, and matching by raw text would silently score an unseen category. So an integral value becomes
    /// its integer text ("1", "-3", "15" for 1.5e1), anything else its shortest round-trip invariant form ("0.25").
    /// Integers already written plainly keep their digits (no precision lost on long ids).</summary>
    internal static string CategoryOfNumber(string raw)
    {
        if (IsPlainInteger(raw))
        {
            return raw == "-0" ? "0" : raw;
        }

        // decimal reads tiny values (1e-40) as 0: only trust it when a zero is really zero.
        if (decimal.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var exact) && (exact != 0 || IsZero(raw)))
        {
            if (exact == decimal.Truncate(exact))
            {
                return exact == 0 ? "0" : decimal.Truncate(exact).ToString("0", CultureInfo.InvariantCulture);
            }

            // Shortest text that reads back as the same double: what a CSV writer (pandas, .NET, Python) prints.
            return ((double)exact).ToString("R", CultureInfo.InvariantCulture);
        }

        // Beyond decimal's range (1e30, 1e-40): the double's shortest form, or the raw text if it is not finite.
        return double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var approximate) && double.IsFinite(approximate)
            ? approximate.ToString("R", CultureInfo.InvariantCulture)
            : raw;
    }

    private static bool IsZero(string raw)
    {
        var exponent = raw.AsSpan().IndexOfAny('e', 'E');
        var mantissa = exponent < 0 ? raw.AsSpan() : raw.AsSpan(0, exponent);
        return !mantissa.ContainsAnyExcept("-+.0");
    }

    private static bool IsPlainInteger(string raw)
    {
        var digits = raw.AsSpan(raw.StartsWith('-') ? 1 : 0);
        return !digits.IsEmpty && !digits.ContainsAnyExceptInRange('0', '9');
    }

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
