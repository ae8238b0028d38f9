using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Orchestrator.Core.Model;

/// <summary>Turns objects from DAG code (args, params, task outputs) into JSON without keeping their types alive.
/// System.Text.Json caches metadata and emitted accessors for every type it serialises, process-wide; a type from
/// a DAG file's collectible load context held there would stop that context from ever unloading. So objects are
/// written here with plain reflection: public properties under the names they are declared with (an env var
/// MY_VAR stays MY_VAR), dictionaries as objects, sequences as arrays.</summary>
public static class JsonValues
{
    private const int MaxDepth = 64;

    public static JsonElement FromObject(object? value)
    {
        if (value is JsonElement element)
        {
            return element.Clone();
        }

        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(writer, value, 0);
        }

        using var document = JsonDocument.Parse(buffer.ToArray());
        return document.RootElement.Clone();
    }

    private static void Write(Utf8JsonWriter writer, object? value, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new ArgumentException($"object nests deeper than {MaxDepth} levels (a reference cycle?)", nameof(value));
        }

        switch (value)
        {
            case null: writer.WriteNullValue(); break;
            case JsonElement element: element.WriteTo(writer); break;
            case JsonNode node: node.WriteTo(writer); break;
            case string text: writer.WriteStringValue(text); break;
            case bool flag: writer.WriteBooleanValue(flag); break;
            case char character: writer.WriteStringValue(character.ToString()); break;
            case Enum enumValue: writer.WriteStringValue(enumValue.ToString()); break;
            case DateTimeOffset instant: writer.WriteStringValue(instant); break;
            case DateTime dateTime: writer.WriteStringValue(dateTime); break;
            case Guid guid: writer.WriteStringValue(guid); break;
            case TimeSpan span: writer.WriteStringValue(span.ToString("c", CultureInfo.InvariantCulture)); break;
            case int or long or short or sbyte or byte or ushort or uint or ulong or decimal:
                writer.WriteRawValue(Convert.ToString(value, CultureInfo.InvariantCulture)!);
                break;
            case double or float:
                var number = Convert.ToDouble(value, CultureInfo.InvariantCulture);
                if (double.IsFinite(number))
                {
                    writer.WriteNumberValue(number);
                }
                else
                {
                    writer.WriteNullValue(); // JSON has no NaN or infinity
                }

                break;
            case IDictionary dictionary:
                writer.WriteStartObject();
                foreach (DictionaryEntry entry in dictionary)
                {
                    writer.WritePropertyName(Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? "");
                    Write(writer, entry.Value, depth + 1);
                }

                writer.WriteEndObject();
                break;
            case IEnumerable items:
                writer.WriteStartArray();
                foreach (var item in items)
                {
                    Write(writer, item, depth + 1);
                }

                writer.WriteEndArray();
                break;
            default:
                WriteProperties(writer, value, depth);
                break;
        }
    }

    private static void WriteProperties(Utf8JsonWriter writer, object value, int depth)
    {
        writer.WriteStartObject();
        foreach (var property in value.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length == 0 && property.CanRead)
            {
                writer.WritePropertyName(property.Name);
                Write(writer, property.GetValue(value), depth + 1);
            }
        }

        writer.WriteEndObject();
    }
}
