using System.Globalization;
using System.Text.Json;

namespace Orchestrator.ML.Tasks;

/// <summary>Typed reading of an ml.* task's rendered args. Every error names the field and says what is expected.
/// Numbers and booleans may arrive as strings, because a template (<c>"{{ params.minR2 }}"</c>) renders to one.</summary>
public sealed class MlArgs(JsonElement args, string taskType)
{
    public JsonElement Json => args;

    public bool Has(string name) => args.ValueKind == JsonValueKind.Object && args.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null;

    public string RequiredString(string name) =>
        String(name) ?? throw Error(name, "is required (a string)");

    public string? String(string name)
    {
        if (!TryGet(name, out var value))
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.String when value.GetString() is { Length: > 0 } text => text,
            JsonValueKind.String => throw Error(name, "must not be empty"),
            JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
            _ => throw Error(name, $"must be a string, not {Describe(value)}"),
        };
    }

    public double? Number(string name)
    {
        if (!TryGet(name, out var value))
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.Number)
        {
            return value.GetDouble();
        }

        if (value.ValueKind == JsonValueKind.String
            && double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed)
            && double.IsFinite(parsed))
        {
            return parsed;
        }

        throw Error(name, $"must be a number, not {Describe(value)}");
    }

    public int? Integer(string name)
    {
        var number = Number(name);
        return number switch
        {
            null => null,
            _ when number == Math.Floor(number.Value) && number is >= int.MinValue and <= int.MaxValue => (int)number.Value,
            _ => throw Error(name, $"must be a whole number, not {number.Value.ToString(CultureInfo.InvariantCulture)}"),
        };
    }

    /// <summary>A list of strings; a single string is a list of one.</summary>
    public IReadOnlyList<string>? StringList(string name)
    {
        if (!TryGet(name, out var value))
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.String)
        {
            return [value.GetString()!];
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            throw Error(name, $"must be a list of strings, not {Describe(value)}");
        }

        var items = new List<string>();
        var index = 0;
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String || item.GetString() is not { Length: > 0 } text)
            {
                throw Error($"{name}[{index}]", $"must be a non-empty string, not {Describe(item)}");
            }

            items.Add(text);
            index++;
        }

        return items;
    }

    /// <summary>A JSON object arg, or null when absent.</summary>
    public JsonElement? Object(string name)
    {
        if (!TryGet(name, out var value))
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Object ? value : throw Error(name, $"must be an object, not {Describe(value)}");
    }

    /// <summary>An error about one field, in the form every ml.* error takes.</summary>
    public MlTaskException Error(string field, string problem) => new($"{taskType} args.{field} {problem}");

    private bool TryGet(string name, out JsonElement value)
    {
        value = default;
        return args.ValueKind == JsonValueKind.Object && args.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null;
    }

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => $"\"{Truncate(value.GetString()!)}\"",
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "a list",
        _ => Truncate(value.GetRawText()),
    };

    private static string Truncate(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
