using System.Globalization;
using System.Text.Json;
using Orchestrator.ML.Models;

namespace Orchestrator.ML.Monitoring;

/// <summary>Reads the JSON the inference log holds into values a metric can compare. Predictions are as the serving
/// endpoint writes them (a number for regression, the class label as a boolean, number or string for classifiers, or
/// with <c>details</c> an object with <c>value</c> / <c>label</c>); labels are a number, or a string / boolean for a
/// class. Anything else is null: the row cannot be compared and is counted as invalid.</summary>
internal static class LiveValues
{
    /// <summary>A regression value: a finite number, or a string holding one.</summary>
    public static double? Number(string json, string detailProperty)
    {
        if (Parse(json) is not { } element)
        {
            return null;
        }

        if (element.ValueKind == JsonValueKind.Object)
        {
            return element.TryGetProperty(detailProperty, out var inner) ? Number(inner) : null;
        }

        return Number(element);
    }

    /// <summary>A class label in its canonical text: the class of <paramref name="classes"/> it names (matched as text,
    /// as a boolean or as a number, so <c>1</c>, <c>"1"</c> and <c>"1.0"</c> all name class "1"); without classes the
    /// value's own text (booleans as "true"/"false"). With <paramref name="allowUnknown"/> a scalar that names no class
    /// is its own text (a multiclass label the model never saw: a miss, not junk). Null when it names nothing
    /// comparable.</summary>
    public static string? Class(string json, IReadOnlyList<string>? classes, bool allowUnknown = false)
    {
        if (Parse(json) is not { } element)
        {
            return null;
        }

        if (element.ValueKind == JsonValueKind.Object)
        {
            if (!element.TryGetProperty("label", out element))
            {
                return null;
            }
        }

        var text = element.ValueKind switch
        {
            JsonValueKind.String => element.GetString(),
            JsonValueKind.Number => element.GetRawText(),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            _ => null,
        };
        if (text is null)
        {
            return null;
        }

        if (classes is null || classes.Count == 0)
        {
            return bool.TryParse(text, out var flag) ? (flag ? "true" : "false") : text;
        }

        return classes.FirstOrDefault(candidate => SameClass(candidate, text, element.ValueKind)) ?? (allowUnknown ? text : null);
    }

    /// <summary>The classes a classifier's signature names; a binary model without them predicts booleans.</summary>
    public static IReadOnlyList<string>? ClassesOf(ModelSignature signature) =>
        signature.Classes is { Count: > 0 } classes ? classes
        : signature.Task == MlTask.Binary ? ["false", "true"]
        : null;

    private static bool SameClass(string candidate, string text, JsonValueKind kind)
    {
        if (kind == JsonValueKind.String && string.Equals(candidate, text, StringComparison.Ordinal))
        {
            return true;
        }

        if (bool.TryParse(candidate, out var a) && bool.TryParse(text, out var b))
        {
            return a == b;
        }

        return double.TryParse(candidate, NumberStyles.Float, CultureInfo.InvariantCulture, out var x)
            && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var y)
            && x == y;
    }

    private static double? Number(JsonElement element)
    {
        var number = element.ValueKind switch
        {
            JsonValueKind.Number => element.GetDouble(),
            JsonValueKind.String when double.TryParse(element.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) => parsed,
            _ => (double?)null,
        };
        return number is { } value && double.IsFinite(value) ? value : null;
    }

    private static JsonElement? Parse(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
