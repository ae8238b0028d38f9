using System.Globalization;
using System.Text;
using System.Text.Json;
using Orchestrator.Core.Model;

namespace Orchestrator.Core.Templating;

/// <summary>Substitutes <c>{{ … }}</c> in every string of a task's args as plain text. Objects and arrays
/// substitute as compact JSON; strings as their text. Throws <see cref="TemplateException"/> naming what is missing.
/// Plain text is right for args that are data (paths, env values); a shell command is rendered by
/// <see cref="ShellTemplate"/> instead, so it is left as written here.</summary>
public static class TemplateRenderer
{
    /// <summary>Renders every string of <paramref name="args"/>, except the top-level properties named in
    /// <paramref name="keepAsWritten"/> (rendered later by their executor, e.g. a shell task's command).</summary>
    public static JsonElement Render(JsonElement args, TemplateScope scope, IReadOnlyCollection<string>? keepAsWritten = null)
    {
        ArgumentNullException.ThrowIfNull(scope);
        keepAsWritten ??= [];
        if (args.ValueKind == JsonValueKind.Object
            ? !args.EnumerateObject().Any(p => !keepAsWritten.Contains(p.Name) && NeedsRendering(p.Value))
            : !NeedsRendering(args))
        {
            return args;
        }

        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            if (args.ValueKind == JsonValueKind.Object)
            {
                writer.WriteStartObject();
                foreach (var property in args.EnumerateObject())
                {
                    writer.WritePropertyName(property.Name);
                    if (keepAsWritten.Contains(property.Name))
                    {
                        property.Value.WriteTo(writer);
                    }
                    else
                    {
                        Write(property.Value, scope, writer);
                    }
                }

                writer.WriteEndObject();
            }
            else
            {
                Write(args, scope, writer);
            }
        }

        return JsonDocument.Parse(buffer.ToArray()).RootElement.Clone();
    }

    public static string RenderString(string text, TemplateScope scope)
    {
        ArgumentNullException.ThrowIfNull(text);
        var errors = new List<string>();
        var expressions = TemplateParser.Parse(text, errors);
        if (errors.Count > 0)
        {
            throw new TemplateException(errors[0]);
        }

        if (expressions.Count == 0)
        {
            return text;
        }

        var result = new StringBuilder(text.Length);
        var position = 0;
        foreach (var expression in expressions)
        {
            result.Append(text, position, expression.Start - position);
            result.Append(ValueOf(expression, scope));
            position = expression.Start + expression.Length;
        }

        result.Append(text, position, text.Length - position);
        return result.ToString();
    }

    private static bool NeedsRendering(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => TemplateParser.ContainsTemplate(element.GetString()!),
        JsonValueKind.Object => element.EnumerateObject().Any(p => NeedsRendering(p.Value)),
        JsonValueKind.Array => element.EnumerateArray().Any(NeedsRendering),
        _ => false,
    };

    private static void Write(JsonElement element, TemplateScope scope, Utf8JsonWriter writer)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                writer.WriteStringValue(RenderString(element.GetString()!, scope));
                break;
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var property in element.EnumerateObject())
                {
                    writer.WritePropertyName(property.Name);
                    Write(property.Value, scope, writer);
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in element.EnumerateArray())
                {
                    Write(item, scope, writer);
                }

                writer.WriteEndArray();
                break;
            default:
                element.WriteTo(writer);
                break;
        }
    }

    /// <summary>The text one template stands for in <paramref name="scope"/>.</summary>
    public static string ValueOf(TemplateExpression expression, TemplateScope scope)
    {
        ArgumentNullException.ThrowIfNull(expression);
        ArgumentNullException.ThrowIfNull(scope);
        return expression.Root switch
        {
            TemplateRoot.Run => expression.Name switch
            {
                "id" => scope.RunId.Value,
                "dagId" => scope.DagId.Value,
                "dataIntervalStart" => IsoDate(scope.DataIntervalStart),
                "dataIntervalEnd" => IsoDate(scope.DataIntervalEnd),
                _ => IsoDate(scope.LogicalDate),
            },
            TemplateRoot.Task => expression.Name == "id"
                ? scope.TaskId.Value
                : scope.TryNumber.ToString(CultureInfo.InvariantCulture),
            TemplateRoot.Var => SecretTemplates.Variable(expression, scope.Secrets),
            TemplateRoot.Conn => SecretTemplates.ConnectionField(expression, scope.Secrets),
            _ => DataValueOf(expression, scope),
        };
    }

    /// <summary>ISO 8601 to the second with its offset, as <c>{{ run.logicalDate }}</c> always printed it.</summary>
    internal static string IsoDate(DateTimeOffset date) => date.ToString("yyyy-MM-dd'T'HH:mm:ssK", CultureInfo.InvariantCulture);

    private static string DataValueOf(TemplateExpression expression, TemplateScope scope) => expression.Root switch
    {
        TemplateRoot.Params => scope.Params.TryGetValue(expression.Name, out var param)
            ? Text(Reach(param, expression))
            : throw new TemplateException(
                $"{expression}: no param '{expression.Name}'; known params: {Known(scope.Params.Keys)}"),
        _ => scope.Outputs.TryGetValue(new TaskId(expression.Name), out var output)
            ? Text(Reach(output, expression))
            : throw new TemplateException(
                $"{expression}: task '{expression.Name}' has no output in this run (did it run and print one?)"),
    };

    private static JsonElement Reach(JsonElement value, TemplateExpression expression)
    {
        foreach (var field in expression.Path)
        {
            if (value.ValueKind == JsonValueKind.Object && value.TryGetProperty(field, out var child))
            {
                value = child;
            }
            else if (value.ValueKind == JsonValueKind.Array && int.TryParse(field, NumberStyles.None, CultureInfo.InvariantCulture, out var index)
                     && index < value.GetArrayLength())
            {
                value = value[index];
            }
            else
            {
                throw new TemplateException($"{expression}: '{field}' not found in {Text(value)}");
            }
        }

        return value;
    }

    private static string Text(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.Null => "",
        _ => JsonSerializer.Serialize(value), // compact, whatever the spacing of the source
    };

    private static string Known(IEnumerable<string> names)
    {
        var list = string.Join(", ", names);
        return list.Length == 0 ? "(none)" : list;
    }

    /// <summary>Every string inside <paramref name="args"/> with its JSON path below "args", for validation.</summary>
    public static IEnumerable<(string Path, string Text)> Strings(JsonElement args, string path = "args")
    {
        switch (args.ValueKind)
        {
            case JsonValueKind.String:
                yield return (path, args.GetString()!);
                break;
            case JsonValueKind.Object:
                foreach (var property in args.EnumerateObject())
                {
                    foreach (var inner in Strings(property.Value, $"{path}.{property.Name}"))
                    {
                        yield return inner;
                    }
                }

                break;
            case JsonValueKind.Array:
                var i = 0;
                foreach (var item in args.EnumerateArray())
                {
                    foreach (var inner in Strings(item, $"{path}[{i++}]"))
                    {
                        yield return inner;
                    }
                }

                break;
            default:
                break;
        }
    }
}
