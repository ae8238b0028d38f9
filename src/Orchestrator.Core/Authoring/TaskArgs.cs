using System.Globalization;
using System.Text.Json;
using Orchestrator.Core.Model;

namespace Orchestrator.Core.Authoring;

/// <summary>A try's arguments, templates already rendered, with the one set of typed readers every task uses (built-in
/// executors and task classes alike). <c>GetX</c> returns null when the field is absent or null; <c>RequireX</c>
/// throws when it is. A field of the wrong kind throws either way. Every error is a
/// <see cref="TaskArgumentException"/> naming the task and the field. Templates render to text, so a number, a
/// boolean, an object or an array may also arrive as a string holding one (<c>"{{ params.minRows }}"</c>).</summary>
public sealed class TaskArgs
{
    private readonly TaskId _task;
    private readonly string _dagFolder;

    public TaskArgs(JsonElement json, TaskId task, string dagFolder)
    {
        if (json.ValueKind != JsonValueKind.Object)
        {
            throw new ArgumentException($"task '{task}': args must be a JSON object, not {Describe(json)}", nameof(json));
        }

        Json = json;
        _task = task;
        _dagFolder = dagFolder;
    }

    /// <summary>The args as JSON: always an object.</summary>
    public JsonElement Json { get; }

    /// <summary>Whether the field is present and not null.</summary>
    public bool Has(string name) => Find(name) is not null;

    public string? GetString(string name) => Find(name) switch
    {
        null => null,
        { ValueKind: JsonValueKind.String } value => value.GetString(),
        { } value => throw WrongKind(name, "a string", value),
    };

    public string RequireString(string name) => GetString(name) ?? throw Missing(name, "a string");

    /// <summary>A number, or a string holding one (invariant culture).</summary>
    public double? GetNumber(string name) => Find(name) switch
    {
        null => null,
        { ValueKind: JsonValueKind.Number } value => value.GetDouble(),
        { ValueKind: JsonValueKind.String } value when double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) => parsed,
        { } value => throw WrongKind(name, "a number", value),
    };

    public double RequireNumber(string name) => GetNumber(name) ?? throw Missing(name, "a number");

    /// <summary>A whole number that fits in an int, or a string holding one.</summary>
    public int? GetInt(string name) => Find(name) switch
    {
        null => null,
        { ValueKind: JsonValueKind.Number } value when value.TryGetInt32(out var number) => number,
        { ValueKind: JsonValueKind.String } value when int.TryParse(value.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) => parsed,
        { } value => throw WrongKind(name, "a whole number", value),
    };

    public int RequireInt(string name) => GetInt(name) ?? throw Missing(name, "a whole number");

    /// <summary><c>true</c>/<c>false</c>, or a string holding one (any case).</summary>
    public bool? GetBool(string name) => Find(name) switch
    {
        null => null,
        { ValueKind: JsonValueKind.True } => true,
        { ValueKind: JsonValueKind.False } => false,
        { ValueKind: JsonValueKind.String } value when bool.TryParse(value.GetString(), out var parsed) => parsed,
        { } value => throw WrongKind(name, "true or false", value),
    };

    public bool RequireBool(string name) => GetBool(name) ?? throw Missing(name, "true or false");

    /// <summary>A path string; a relative one resolves against the DAG file's folder.</summary>
    public string? GetPath(string name) =>
        GetString(name) is { } path ? Path.GetFullPath(Path.Combine(_dagFolder, path)) : null;

    public string RequirePath(string name) => GetPath(name) ?? throw Missing(name, "a path");

    /// <summary>A JSON object, or a string holding one (an object output inserted by a template).</summary>
    public JsonElement? GetObject(string name) => GetStructured(name, JsonValueKind.Object, "an object");

    public JsonElement RequireObject(string name) => GetObject(name) ?? throw Missing(name, "an object");

    /// <summary>A JSON array, or a string holding one.</summary>
    public JsonElement? GetArray(string name) => GetStructured(name, JsonValueKind.Array, "an array");

    public JsonElement RequireArray(string name) => GetArray(name) ?? throw Missing(name, "an array");

    /// <summary>An array of strings (<c>["a", "b"]</c>), or null when absent.</summary>
    public IReadOnlyList<string>? GetStringList(string name)
    {
        if (GetArray(name) is not { } array)
        {
            return null;
        }

        var items = new List<string>(array.GetArrayLength());
        var index = 0;
        foreach (var item in array.EnumerateArray())
        {
            items.Add(item.ValueKind == JsonValueKind.String
                ? item.GetString()!
                : throw WrongKind($"{name}[{index}]", "a string", item));
            index++;
        }

        return items;
    }

    /// <summary>The field deserialised as <typeparamref name="T"/> (System.Text.Json, property names as written), or
    /// default when absent.</summary>
    public T? Get<T>(string name, JsonSerializerOptions? options = null)
    {
        if (Find(name) is not { } value)
        {
            return default;
        }

        try
        {
            return value.Deserialize<T>(options);
        }
        catch (JsonException exception)
        {
            throw new TaskArgumentException($"task '{_task}': args.{name} is not a valid {typeof(T).Name}: {exception.Message}", exception);
        }
    }

    private JsonElement? GetStructured(string name, JsonValueKind kind, string expected)
    {
        switch (Find(name))
        {
            case null:
                return null;
            case { } value when value.ValueKind == kind:
                return value;
            case { ValueKind: JsonValueKind.String } value when TryParse(value.GetString()!) is { } parsed && parsed.ValueKind == kind:
                return parsed;
            case { } value:
                throw WrongKind(name, expected, value);
        }
    }

    private JsonElement? Find(string name) =>
        Json.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    private static JsonElement? TryParse(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private TaskArgumentException Missing(string name, string expected) =>
        new($"task '{_task}': args.{name} ({expected}) is required");

    private TaskArgumentException WrongKind(string name, string expected, JsonElement actual) =>
        new($"task '{_task}': args.{name} must be {expected}, not {Describe(actual)}");

    private static string Describe(JsonElement value)
    {
        var text = value.GetRawText();
        var shown = text.Length > 40 ? text[..40] + "…" : text;
        return value.ValueKind switch
        {
            JsonValueKind.String => $"the string {shown}",
            JsonValueKind.Number => $"the number {shown}",
            JsonValueKind.True or JsonValueKind.False => $"the boolean {shown}",
            JsonValueKind.Object => "an object",
            JsonValueKind.Array => "an array",
            _ => "null",
        };
    }
}
