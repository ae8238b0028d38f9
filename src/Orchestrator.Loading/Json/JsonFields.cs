using System.Globalization;
using System.Text.Json;
using Orchestrator.Core.Durations;
using Orchestrator.Core.Graph;
using Orchestrator.Core.Model;

namespace Orchestrator.Loading.Json;

/// <summary>Reads typed values out of a JSON DAG, recording a located error for each wrong one.</summary>
internal sealed class JsonFields(string file, JsonPositions positions)
{
    public List<ImportError> Errors { get; } = [];

    public void Error(string path, string message)
    {
        var position = positions.Find(path);
        var field = path.Length == 0 ? null : path;
        Errors.Add(new ImportError(new SourceLocation(file, position?.Line, position?.Column, field), message));
    }

    public SourceLocation Location(string path)
    {
        var position = positions.Find(path);
        return new SourceLocation(file, position?.Line, position?.Column);
    }

    /// <summary>Reports properties not in <paramref name="allowed"/>, with the closest allowed name as a hint.</summary>
    public void CheckProperties(JsonElement obj, string path, IReadOnlyCollection<string> allowed)
    {
        foreach (var property in obj.EnumerateObject())
        {
            if (!allowed.Contains(property.Name))
            {
                var hint = EditDistance.Closest(property.Name, allowed) is { } close ? $"; did you mean '{close}'?" : $"; expected one of {string.Join(", ", allowed)}";
                Error(Join(path, property.Name), $"unknown property '{property.Name}'{hint}");
            }
        }
    }

    public bool IsType(JsonElement value, string path, JsonValueKind kind, string expected)
    {
        if (value.ValueKind == kind)
        {
            return true;
        }

        Error(path, $"expected {expected}, found {Describe(value)}");
        return false;
    }

    public string? String(JsonElement obj, string path, string name)
    {
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return IsType(value, Join(path, name), JsonValueKind.String, "a string") ? value.GetString() : null;
    }

    public bool? Bool(JsonElement obj, string path, string name)
    {
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            return value.GetBoolean();
        }

        Error(Join(path, name), $"expected true or false, found {Describe(value)}");
        return null;
    }

    public int? Count(JsonElement obj, string path, string name, int min)
    {
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number) && number >= min)
        {
            return number;
        }

        Error(Join(path, name), $"expected a whole number ≥ {min}, found {Describe(value)}");
        return null;
    }

    /// <summary>Any whole number that fits a 32-bit int, negative ones included.</summary>
    public int? Integer(JsonElement obj, string path, string name)
    {
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number))
        {
            return number;
        }

        Error(Join(path, name), $"expected a whole number from {int.MinValue} to {int.MaxValue}, found {Describe(value)}");
        return null;
    }

    public TimeSpan? Duration(JsonElement obj, string path, string name)
    {
        var text = String(obj, path, name);
        if (text is null)
        {
            return null;
        }

        if (DurationParser.TryParse(text, out var duration))
        {
            return duration;
        }

        Error(Join(path, name), $"'{text}' is not {DurationParser.Expected}");
        return null;
    }

    public DateTimeOffset? Date(JsonElement obj, string path, string name)
    {
        var text = String(obj, path, name);
        if (text is null)
        {
            return null;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date))
        {
            return date;
        }

        Error(Join(path, name), $"'{text}' is not a date; expected \"2026-01-01\" or an ISO 8601 date-time such as \"2026-01-01T03:00:00Z\"");
        return null;
    }

    /// <summary>The value of an enumerated string field, or null after an error listing the valid names.</summary>
    public T? Choice<T>(JsonElement obj, string path, string name, IReadOnlyDictionary<string, T> choices)
        where T : struct
    {
        var text = String(obj, path, name);
        if (text is null)
        {
            return null;
        }

        if (choices.TryGetValue(text, out var value))
        {
            return value;
        }

        var hint = EditDistance.Closest(text, choices.Keys) is { } close ? $"did you mean '{close}'? " : "";
        Error(Join(path, name), $"unknown {name} '{text}'; {hint}expected one of {string.Join(", ", choices.Keys)}");
        return null;
    }

    public static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";

    public static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => $"\"{value.GetString()}\"",
        JsonValueKind.Number => $"number {value.GetRawText()}",
        JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
        JsonValueKind.Null => "null",
        JsonValueKind.Array => "an array",
        _ => "an object",
    };
}
